"""`status`: the running service's health in a terminal, as /healthz reports it; when it
is not running, what the data directory says."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

import requests

from runtime.health import health
from runtime.i18n import t
from runtime.wecom.reasons import delivery_error
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    status = commands.add_parser("status", help="is all well? (the running service's health)")
    status.set_defaults(func=run)
    status.add_argument("--json", action="store_true", help="the /healthz JSON as is")


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang = workspace.lang
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{host}:{args.port}/healthz"
    try:
        report = requests.get(url, timeout=5).json()
        running = True
    except (requests.RequestException, ValueError):
        report, running = health(workspace), False
    if args.json:
        print(json.dumps({**report, "running": running}, ensure_ascii=False, indent=2))
        return 0 if running and report["status"] == "ok" else 1
    if not running:
        print(t("status.offline", lang, url=url))
    if report["status"] == "ok" and running:
        print(t("status.ok", lang))
    elif report["problems"]:
        print(t("status.attention", lang))
        for problem in report["problems"]:
            print(f"  - {problem}")
    print(
        t("status.queues", lang, backlog=report["outbox_backlog"], waiting=report["inbox_waiting"])
    )
    print(f"{t('status.models', lang)}:")
    for model in report["models"]:
        state = t("status.idle", lang)
        if model["running"]:
            state = t("status.busy", lang, running=model["running"], slots=model["slots"])
        print(
            "  "
            + t("status.model_line", lang, file=model["file"], state=state, queued=model["queued"])
        )
    if not report["models"]:
        print("  " + t("status.no_models", lang))
    if report["bindings"]:
        print(f"{t('status.bindings', lang)}:")
    for bot_id, kinds in report["bindings"].items():
        for kind, state in kinds.items():
            error = delivery_error(state.get("last_error"), lang)
            print(
                "  "
                + t(
                    "status.binding_line",
                    lang,
                    bot=bot_id,
                    kind=t(f"wecom.mode.{kind}", lang),
                    success=_when(state.get("last_success"), lang),
                    error=f"{_when(state.get('last_error_at'), lang)} {error}"
                    if error
                    else t("status.never", lang),
                )
            )
    if report.get("endpoints"):  # models served elsewhere: each base URL
        print(f"{t('status.endpoints', lang)}:")
    for endpoint in report.get("endpoints", []):
        for url in endpoint["urls"]:
            state = t(f"endpoint.state.{url['state']}", lang, seconds=url["rest_seconds"])
            print(
                "  "
                + t(
                    "status.endpoint_line",
                    lang,
                    name=endpoint["name"],
                    url=url["url"],
                    state=state,
                    in_flight=url["in_flight"],
                    error=url["last_error"] or "-",
                )
            )
    sys.stdout.flush()
    return 0 if running and report["status"] == "ok" else 1


def _when(moment: float | None, lang: str) -> str:
    if not moment:
        return t("status.never", lang)
    return datetime.fromtimestamp(moment).strftime("%m-%d %H:%M")
