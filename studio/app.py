"""The studio: a Gradio Blocks app, one module per tab, mounted once per language.

The language is a path (/studio/zh/, /studio/en/): the same code builds both, and
switching language in Settings just goes to the other path.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a closed network

import gradio as gr
from fastapi import FastAPI

from runtime.server.limits import Limits
from runtime.workspace import Workspace
from studio.context import StudioContext
from studio.tabs import (
    bots,
    compare,
    edit,
    experiments,
    leads,
    models,
    overview,
    schedules,
    settings,
    try_chat,
    wecom,
)
from studio.theme import CSS, theme

TABS = [  # (module, tab id, label key): one module per tab
    (bots, "bots", "tab.bots"),
    (overview, "overview", "tab.overview"),
    (edit, "edit", "tab.edit"),
    (try_chat, "try", "tab.try"),
    (compare, "compare", "tab.compare"),
    (leads, "leads", "tab.leads"),
    (experiments, "experiments", "tab.experiments"),
    (schedules, "schedules", "tab.schedules"),
    (wecom, "wecom", "tab.wecom"),
    (models, "models", "tab.models"),
    (settings, "settings", "tab.settings"),
]


SIGN_OUT_JS = """() => { fetch('/logout', {method: 'POST', credentials: 'same-origin'})
  .finally(() => { window.location.href = '/login'; }); }"""


def build_studio(
    workspace: Workspace, lang: str, hub=None, limits: Limits | None = None,
    on_shutdown: list | None = None,
) -> gr.Blocks:  # fmt: skip
    """The studio; what must run when the server stops is added to `on_shutdown`."""
    ctx = StudioContext(workspace, lang, hub, limits=limits or Limits())
    if on_shutdown is not None:
        ctx.on_shutdown = on_shutdown
    with gr.Blocks(title="BotStudio", analytics_enabled=False, fill_width=True) as demo:
        with gr.Row(elem_id="topbar"):
            gr.HTML(f'<div class="brand">🤖 BotStudio<small>{ctx.t("app.tagline")}</small></div>')
            choices = ctx.bot_choices()
            ctx.bot_picker = gr.Dropdown(
                choices=choices,
                value=choices[0][1] if choices else None,
                label=ctx.t("app.current_bot"),
                elem_id="bot-picker",
                scale=2,
            )
            # Shown once a password is set: ends the session on the server too.
            sign_out = gr.Button(
                ctx.t("app.sign_out"), size="sm", visible=False, elem_id="sign-out", scale=0
            )
            sign_out.click(None, js=SIGN_OUT_JS)
        with gr.Tabs(elem_id="tabs"):
            for module, tab_id, label in TABS:
                with gr.Tab(ctx.t(label), id=tab_id, elem_id=f"tab-{tab_id}"):
                    module.build(ctx)
        # A page load re-reads bots/ (files added by hand or in another tab show up),
        # then each tab fills itself for the picked bot.
        loaded = demo.load(
            lambda current: gr.update(choices=ctx.bot_choices(), value=_keep(ctx, current)),
            inputs=ctx.bot_picker,
            outputs=ctx.bot_picker,
        )
        loaded.then(lambda: gr.update(visible=workspace.settings.has_password()), None, sign_out)
        for handler, inputs, outputs in ctx.on_load:
            loaded.then(handler, inputs, outputs)
    return demo


def _keep(ctx: StudioContext, current: str | None) -> str | None:
    ids = ctx.workspace.bots.ids()
    return current if current in ids else (ids[0] if ids else None)


def mount_studio(
    app: FastAPI, workspace: Workspace, lang: str, limits: Limits | None = None
) -> None:
    limits = limits or Limits()
    on_shutdown: list = []
    demo = build_studio(workspace, lang, getattr(app.state, "hub", None), limits, on_shutdown)
    gr.mount_gradio_app(
        app,
        demo,
        path=f"/studio/{lang}",
        theme=theme(),
        css=CSS,
        footer_links=[],
        show_error=True,
        ssr_mode=False,
        max_file_size=limits.model_file,  # per kind of file: runtime/server/limits.py
    )
    _at_shutdown(app, on_shutdown)


def _at_shutdown(app: FastAPI, callbacks: list) -> None:
    """Run `callbacks` when the server stops, in the app's lifespan: uvicorn ends the
    process by the signal it was stopped with, so atexit would never run."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application):
        try:
            async with inner(application) as state:
                yield state
        finally:
            for callback in callbacks:
                callback()

    app.router.lifespan_context = lifespan
