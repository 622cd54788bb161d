"""设置 → API 密钥: the keys of the OpenAI-compatible API (`/v1/…`). A new key is shown
once, here, and never again; the list shows names, bots and rates, never a secret."""

from __future__ import annotations

import html
from datetime import datetime

import gradio as gr

from runtime.store.api_keys import ApiKeys, KeyProblem
from studio.context import StudioContext


def build(ctx: StudioContext) -> None:
    t = ctx.t
    keys = ApiKeys(ctx.workspace.settings)
    with gr.Group():
        gr.Markdown(f"### {t('apikeys.title')}")
        gr.Markdown(t("apikeys.help"), elem_classes="help")
        table = gr.Dataframe(
            headers=[t(f"apikeys.col.{c}") for c in ("name", "bots", "rate", "created")],
            interactive=False,
            elem_id="apikeys-table",
        )
        with gr.Row(equal_height=True):
            name = gr.Textbox(label=t("apikeys.name"), elem_id="apikeys-name", scale=2)
            bots = gr.Dropdown(
                label=t("apikeys.bots"),
                choices=[],
                multiselect=True,
                info=t("apikeys.bots_info"),
                elem_id="apikeys-bots",
                scale=3,
            )
            rate = gr.Textbox(
                label=t("apikeys.rate"),
                placeholder=t("apikeys.rate_placeholder"),
                info=t("apikeys.rate_info"),
                elem_id="apikeys-rate",
                scale=2,
            )
        with gr.Row():
            create = gr.Button(t("apikeys.create"), variant="primary", elem_id="apikeys-create")
            picked = gr.Dropdown(label=t("apikeys.pick"), choices=[], elem_id="apikeys-pick")
            revoke = gr.Button(t("apikeys.revoke"), variant="stop", elem_id="apikeys-revoke")
        shown = gr.HTML(elem_id="apikeys-status")

    def rows():
        listed = keys.list()
        data = [
            [
                k.name,
                "、".join(k.bots) if k.bots else t("apikeys.all_bots"),
                k.rate or t("apikeys.no_rate"),
                datetime.fromtimestamp(k.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for k in listed
        ]
        return (
            gr.update(value=data or None),
            gr.update(choices=[k.name for k in listed], value=None),
            gr.update(choices=ctx.workspace.bots.ids()),
        )

    def on_create(key_name: str, chosen: list[str] | None, per: str):
        try:
            key, text = keys.create((key_name or "").strip(), list(chosen or []) or None, per)
        except KeyProblem as problem:
            said = t(problem.message_id, **problem.params)
            return (*rows(), f'<span class="status-bad">✖ {html.escape(said)}</span>')
        said = t("apikeys.created", name=key.name)
        once = (
            f'<span class="status-ok">✔ {html.escape(said)}</span>'
            f'<pre id="apikeys-secret">{html.escape(text)}</pre>'
            f"<p>{html.escape(t('apikeys.shown_once'))}</p>"
        )
        return (*rows(), once)

    def on_revoke(key_name: str | None):
        if not key_name:
            return (
                *rows(),
                f'<span class="status-bad">✖ {html.escape(t("apikeys.pick_first"))}</span>',
            )
        keys.revoke(key_name)
        said = t("apikeys.revoked", name=key_name)
        return (*rows(), f'<span class="status-ok">✔ {html.escape(said)}</span>')

    outputs = [table, picked, bots]
    create.click(on_create, [name, bots, rate], [*outputs, shown])
    revoke.click(on_revoke, picked, [*outputs, shown])
    ctx.on_load.append((rows, None, outputs))
