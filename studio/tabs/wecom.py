"""企业微信 WeCom: bind the current bot (long connection recommended), see each binding's
health in plain words, copy the callback URLs, and send a test message. 微信客服 has its
own form (kf_bind.py) and its campaign links and QR codes (kf_links.py)."""

from __future__ import annotations

from datetime import datetime

import gradio as gr

from runtime.wecom.bindings import BindingError, mask, webhook_key
from runtime.wecom.crypto import CryptoError, WeComCrypto
from runtime.wecom.kf_tokens import SHARED
from runtime.wecom.reasons import delivery_error
from studio.context import StudioContext
from studio.tabs import kf_bind, kf_links, web_chat

MODES = ["longconn", "webhook", "alert_webhook", "aibot", "app", "kf"]
SHOWN = {"longconn": "bot_id", "kf": "open_kfid"}  # what identifies it, else its first value


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%m-%d %H:%M:%S") if stamp else "—"


def status_rows(ctx: StudioContext, bot_id: str | None) -> list[list[str]]:
    if not bot_id:
        return []
    bindings = ctx.workspace.bindings
    rows = []
    for mode in MODES:
        binding = bindings.get(bot_id, mode)
        health = bindings.health(bot_id, mode)
        if binding is None:
            state, shown = ctx.t("wecom.state.unbound"), "—"
        else:
            first = binding.get(SHOWN.get(mode, ""), next(iter(binding.values())))
            shown = mask(str(first)) if mode != "longconn" else str(first)
            if health.get("broken"):
                state = ctx.t("wecom.state.broken")
            elif health.get("last_error_at", 0) > health.get("last_success", 0):
                state = ctx.t("wecom.state.error")
            elif health.get("last_success"):
                state = ctx.t("wecom.state.ok")
            else:
                state = ctx.t("wecom.state.waiting")
        rows.append(
            [
                ctx.t(f"wecom.mode.{mode}"),
                shown,
                state,
                _when(health.get("last_success")),
                delivery_error(health.get("last_error"), ctx.lang) or "—",
            ]
        )
    return rows


def build(ctx: StudioContext) -> None:
    t = ctx.t
    bindings = ctx.workspace.bindings
    gr.Markdown(t("wecom.intro"), elem_classes="help")
    table = gr.Dataframe(
        headers=[t(f"wecom.col.{c}") for c in ("mode", "key", "state", "success", "error")],
        interactive=False,
        elem_id="wecom-status",
    )
    status = gr.Markdown(elem_id="wecom-result")
    urls = gr.Markdown(elem_id="wecom-urls")

    with gr.Accordion(t("wecom.mode.longconn") + " · " + t("wecom.recommended"), open=True):
        gr.Markdown(t("wecom.longconn_help"), elem_classes="help")
        with gr.Row():
            lc_bot = gr.Textbox(label=t("wecom.label.bot_id"), elem_id="wecom-lc-bot")
            lc_secret = gr.Textbox(
                label=t("wecom.label.secret"), type="password", elem_id="wecom-lc-secret"
            )
        lc_bind = gr.Button(t("wecom.bind"), variant="primary", elem_id="wecom-lc-bind")
    with gr.Accordion(t("wecom.mode.webhook"), open=True):
        gr.Markdown(t("wecom.webhook_help"), elem_classes="help")
        with gr.Row(equal_height=True):
            hook = gr.Textbox(
                label=t("wecom.webhook_url"), type="password", elem_id="wecom-webhook", scale=3
            )
            alert = gr.Checkbox(label=t("wecom.as_alert"), elem_id="wecom-as-alert", scale=1)
        with gr.Row():
            hook_bind = gr.Button(t("wecom.bind"), variant="primary", elem_id="wecom-webhook-bind")
            test = gr.Button(t("wecom.test"), elem_id="wecom-test")
    with gr.Accordion(t("wecom.mode.aibot"), open=False):
        gr.Markdown(t("wecom.callback_help"), elem_classes="help")
        with gr.Row():
            ai_token = gr.Textbox(label=t("wecom.label.token"), elem_id="wecom-ai-token")
            ai_key = gr.Textbox(
                label=t("wecom.label.aes_key"), type="password", elem_id="wecom-ai-key"
            )
        ai_bind = gr.Button(t("wecom.bind"), variant="primary", elem_id="wecom-ai-bind")
    with gr.Accordion(t("wecom.mode.app"), open=False):
        with gr.Row():
            corp = gr.Textbox(label=t("wecom.label.corp_id"))
            agent = gr.Textbox(label=t("wecom.label.agent_id"))
            app_secret = gr.Textbox(label=t("wecom.label.secret"), type="password")
        with gr.Row():
            app_token = gr.Textbox(label=t("wecom.label.token"))
            app_key = gr.Textbox(label=t("wecom.label.aes_key"), type="password")
        app_bind = gr.Button(t("wecom.bind"), variant="primary", elem_id="wecom-app-bind")
    kf_bound = kf_bind.build(ctx, table, lambda b: status_rows(ctx, b))
    kf_links.build(ctx)
    web_chat.build(ctx)  # the bot's public chat page: its link, QR code and embed
    with gr.Row(equal_height=True):
        unbind_mode = gr.Dropdown(
            [(t(f"wecom.mode.{m}"), m) for m in MODES], label=t("wecom.unbind_which"), scale=2
        )
        unbind = gr.Button(t("wecom.unbind"), variant="stop", elem_id="wecom-unbind", scale=1)

    def ok(text: str) -> str:
        return f'<span class="status-ok">✔ {text}</span>'

    def bad(text: str) -> str:
        return f'<span class="status-bad">✖ {text}</span>'

    def callback_urls(bot_id: str | None, request: gr.Request | None = None) -> str:
        if not bot_id:
            return ""
        host = request.headers.get("host", "127.0.0.1:7860") if request else "127.0.0.1:7860"
        local = f"http://{host}"
        return (
            t("wecom.urls", local=local, bot=bot_id) + " · " + t("kfs.url", local=local, bot=bot_id)
        )

    def refresh(bot_id: str | None, request: gr.Request):
        return status_rows(ctx, bot_id), callback_urls(bot_id, request)

    def bind(bot_id: str | None, mode: str, values: dict):
        if not bot_id:
            return status_rows(ctx, bot_id), bad(t("bots.pick_first"))
        try:
            if mode in ("webhook", "alert_webhook"):
                values = {"key": webhook_key(values["key"])}
            if "aes_key" in values:
                WeComCrypto(values.get("token", ""), values["aes_key"])
            bindings.bind(bot_id, mode, values)
        except (BindingError, CryptoError):
            return status_rows(ctx, bot_id), bad(t(f"wecom.invalid.{mode}"))
        if mode == "longconn":
            ctx.hub.connect(bot_id)
        return status_rows(ctx, bot_id), ok(t("wecom.bound", mode=t(f"wecom.mode.{mode}")))

    def send_test(bot_id: str | None, as_alert: bool):
        kind = "alert_webhook" if as_alert else "webhook"
        if not bot_id:
            return status_rows(ctx, bot_id), bad(t("bots.pick_first"))
        try:
            ids = ctx.hub.outbox.push(bot_id, t("wecom.test_text"), kind=kind)
        except LookupError:
            return status_rows(ctx, bot_id), bad(t("push.unbound", bot=bot_id, kind=kind))
        # the server's worker sends it; its first error is the answer (not its retries)
        delivered = ctx.hub.outbox.wait_delivered(ids, timeout=15, retries=False)
        if delivered.state == "sent":
            return status_rows(ctx, bot_id), ok(t("wecom.test_sent"))
        if delivered.state == "failed":
            why = delivery_error(delivered.error, ctx.lang)
            return status_rows(ctx, bot_id), bad(t("push.failed", error=why))
        return status_rows(ctx, bot_id), bad(t("wecom.test_queued"))

    def on_unbind(bot_id: str | None, mode: str | None):
        if bot_id and mode:
            kf = bindings.get(bot_id, "kf") if mode == "kf" else None
            bindings.unbind(bot_id, mode)
            if kf:  # its app's access token is of no more use here
                SHARED.forget(str(kf.get("corp_id")), str(kf.get("secret")))
            if mode == "longconn":
                ctx.hub.connect(bot_id)  # closes it
        return status_rows(ctx, bot_id), ok(t("unbind.done", bot=bot_id, kinds=mode or "-"))

    outputs = [table, status]
    bound = [
        lc_bind.click(
            lambda b, i, s: bind(b, "longconn", {"bot_id": i, "secret": s}),
            [ctx.bot_picker, lc_bot, lc_secret],
            outputs,
        ),
        hook_bind.click(
            lambda b, h, a: bind(b, "alert_webhook" if a else "webhook", {"key": h}),
            [ctx.bot_picker, hook, alert],
            outputs,
        ),
        ai_bind.click(
            lambda b, tk, k: bind(b, "aibot", {"token": tk, "aes_key": k}),
            [ctx.bot_picker, ai_token, ai_key],
            outputs,
        ),
        app_bind.click(
            lambda b, c, a, s, tk, k: bind(
                b, "app", {"corp_id": c, "agent_id": a, "secret": s, "token": tk, "aes_key": k}
            ),
            [ctx.bot_picker, corp, agent, app_secret, app_token, app_key],
            outputs,
        ),
        test.click(send_test, [ctx.bot_picker, alert], outputs),
        unbind.click(on_unbind, [ctx.bot_picker, unbind_mode], outputs),
        *kf_bound,
    ]
    for event in bound:  # the bots list shows each bot's bindings
        ctx.bump(event)
    ctx.bot_picker.change(refresh, ctx.bot_picker, [table, urls])
    ctx.on_load.append((refresh, ctx.bot_picker, [table, urls]))
    ctx.refresh(refresh, ctx.bot_picker, [table, urls], every=True)  # health as it is now
