"""Is all well? One answer for /healthz, `launch.py status` and the studio's overview:
loaded models with their queues, the outbox backlog, messages waiting for an answer,
each binding's last success and last error, and problems in plain words."""

from __future__ import annotations

import time
from typing import Any

from runtime.endpoints.health import endpoint_health
from runtime.engine import gpu_offload_supported
from runtime.i18n import t
from runtime.inbox import Inbox
from runtime.outbox import Outbox
from runtime.overview import errors
from runtime.wecom.reasons import delivery_error
from runtime.workspace import Workspace


def health(
    workspace: Workspace,
    now: float | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    now = now or time.time()
    lang = lang or workspace.lang
    running, queued = workspace.pool.running(), workspace.pool.queued()
    bindings = workspace.bindings
    channels = {
        bot_id: {kind: bindings.health(bot_id, kind) for kind in bindings.of(bot_id)}
        for bot_id in workspace.bots.ids()
        if bindings.of(bot_id)
    }
    backlog = Outbox(workspace.journal, bindings).backlog()
    waiting = Inbox(workspace.journal).waiting()
    recent = errors(workspace.journal, None, now)
    failed_pushes = sum(1 for e in recent if e["what"] == "delivery")
    failed_runs = [e for e in recent if e["what"] == "schedule"]
    problems = [
        t(
            "health.broken",
            lang,
            bot=bot_id,
            kind=t(f"wecom.mode.{kind}", lang),
            error=delivery_error(state.get("last_error", ""), lang),
        )
        for bot_id, kinds in channels.items()
        for kind, state in kinds.items()
        if state.get("broken")
    ]
    if failed_pushes:
        problems.append(t("health.failed_pushes", lang, n=failed_pushes))
    endpoints, endpoint_problems = endpoint_health(workspace.remote, lang)
    problems += endpoint_problems
    problems += [
        t(
            "health.failed_run",
            lang,
            bot=e["bot"],
            schedule=e["schedule"],
            error=delivery_error(e["detail"], lang),
        )
        for e in failed_runs[:5]
    ]
    return {
        "status": "attention" if problems else "ok",
        "problems": problems,
        "outbox_backlog": backlog,
        "inbox_waiting": waiting,
        "bindings": channels,
        "endpoints": endpoints,  # models served elsewhere: each URL's state and load
        "bots": workspace.bots.ids(),
        "gpu_offload_supported": gpu_offload_supported(),
        "models": [
            {
                "file": info.path.name,
                "context": info.context,
                "gpu_layers": info.gpu_layers,
                "layers": info.layers,
                "slots": info.slots,  # replies it writes at once
                "running": running.get(info.path.name, 0),  # replies being written now
                "busy": running.get(info.path.name, 0) > 0,
                "queued": queued.get(info.path.name, 0),  # replies waiting for a place
            }
            for info in workspace.pool.loaded()
        ],
    }
