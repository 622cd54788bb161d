"""The one FastAPI app: a status page, /healthz, and (later) the studio and WeCom routes."""

from __future__ import annotations

import html

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from runtime.engine import gpu_offload_supported
from runtime.i18n import t
from runtime.workspace import Workspace


def health(workspace: Workspace) -> dict[str, object]:
    busy = workspace.pool.busy()
    return {
        "status": "ok",
        "bots": workspace.bots.ids(),
        "gpu_offload_supported": gpu_offload_supported(),
        "models": [
            {
                "file": info.path.name,
                "context": info.context,
                "gpu_layers": info.gpu_layers,
                "layers": info.layers,
                "busy": busy.get(info.path.name, False),
            }
            for info in workspace.pool.loaded()
        ],
    }


def create_app(workspace: Workspace) -> FastAPI:
    app = FastAPI(title="BotStudio", docs_url=None, redoc_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, object]:
        return health(workspace)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        title = html.escape(t("server.running_title", workspace.lang))
        bots = "".join(f"<li>{html.escape(b)}</li>" for b in workspace.bots.ids())
        return (
            f"<!doctype html><meta charset=utf-8><title>{title}</title>"
            f"<h1>{title}</h1><ul>{bots}</ul><p><a href=/healthz>/healthz</a></p>"
        )

    return app
