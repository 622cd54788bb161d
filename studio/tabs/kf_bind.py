"""企业微信 → 微信客服: bind the current bot to a kf account. The accounts are read from WeCom
with the corp id and secret typed (`account/list`), or the account is typed; saving checks
the credentials (a token fetch) and the account with WeCom first, and says in words what
is wrong instead of saving a binding that cannot work. Secrets are never shown back."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import gradio as gr

from runtime.wecom.crypto import CryptoError, WeComCrypto
from runtime.wecom.kf import KfAccount, KfClient, KfError
from runtime.wecom.kf_links import KfLinkError, check_account
from runtime.wecom.kf_tokens import SHARED, AccessTokens
from studio.context import StudioContext

KIND = "kf"
FIELD_LABELS = {  # binding field -> its label, to name what is missing
    "corp_id": "wecom.label.corp_id",
    "secret": "kfs.label.secret",
    "token": "wecom.label.token",
    "aes_key": "wecom.label.aes_key",
    "open_kfid": "kfs.label.account",
}


def ok(text: str) -> str:
    return f'<span class="status-ok">✔ {html.escape(text)}</span>'


def bad(text: str) -> str:
    return f'<span class="status-bad">✖ {html.escape(text)}</span>'


def account_choices(ctx: StudioContext, accounts: list[KfAccount]) -> list[tuple[str, str]]:
    """ "name（open_kfid）" for each account, marked when this app may not serve it."""
    choices = []
    for account in accounts:
        key = "kfs.account_choice" if account.manage_privilege else "kfs.account_no_privilege"
        name = account.name or ctx.t("kfs.unnamed")
        choices.append((ctx.t(key, name=name, open_kfid=account.open_kfid), account.open_kfid))
    return choices


def read_accounts(corp_id: str, secret: str) -> list[KfAccount]:
    """What WeCom says this app may see, with a token of its own: a check, not a cache."""
    return KfClient(corp_id, secret, tokens=AccessTokens()).account_list()


def build(ctx: StudioContext, table: Any, rows: Callable[[str | None], Any]) -> list[Any]:
    """The form, inside the tab being built; `rows(bot)` re-reads the status `table`. The
    events that change a binding are returned (the tab bumps them)."""
    t = ctx.t
    with gr.Accordion(t("wecom.mode.kf"), open=False):
        gr.Markdown(t("kfs.help"), elem_classes="help")
        with gr.Row():
            corp = gr.Textbox(label=t("wecom.label.corp_id"), elem_id="kf-corp")
            secret = gr.Textbox(label=t("kfs.label.secret"), type="password", elem_id="kf-secret")
        with gr.Row():
            token = gr.Textbox(label=t("wecom.label.token"), elem_id="kf-token")
            aes_key = gr.Textbox(
                label=t("wecom.label.aes_key"), type="password", elem_id="kf-aes-key"
            )
        with gr.Row(equal_height=True):
            account = gr.Dropdown(
                choices=[],
                value=None,
                allow_custom_value=True,  # an open_kfid may be typed
                label=t("kfs.label.account"),
                info=t("kfs.account_info"),
                elem_id="kf-account",
                scale=3,
            )
            fetch = gr.Button(t("kfs.fetch"), elem_id="kf-fetch", scale=1)
        bind = gr.Button(t("wecom.bind"), variant="primary", elem_id="kf-bind")
        said = gr.Markdown(elem_id="kf-result")  # here, not above: the form is far down

    def on_fetch(corp_id: str, app_secret: str, chosen: str | None):
        corp_id, app_secret = (corp_id or "").strip(), (app_secret or "").strip()
        if not corp_id or not app_secret:
            return gr.update(), bad(t("kfs.need_corp_secret"))
        try:
            accounts = read_accounts(corp_id, app_secret)
        except KfError as exc:
            return gr.update(), bad(t("kfs.fetch_failed", why=exc.text(ctx.lang)))
        if not accounts:
            return gr.update(choices=[], value=None), bad(t("kfs.fetched_none"))
        ids = [a.open_kfid for a in accounts]
        keep = chosen if chosen in ids else (ids[0] if len(ids) == 1 else None)
        choices = account_choices(ctx, accounts)
        return gr.update(choices=choices, value=keep), ok(t("kfs.fetched", n=len(accounts)))

    def on_bind(
        bot_id: str | None,
        corp_id: str | None,
        app_secret: str | None,
        callback_token: str | None,
        encoding_aes_key: str | None,
        open_kfid: str | None,
        request: gr.Request,
    ):
        if not bot_id:
            return rows(bot_id), bad(t("bots.pick_first"))
        typed = (corp_id, app_secret, callback_token, encoding_aes_key, open_kfid)
        values = {f: (v or "").strip() for f, v in zip(FIELD_LABELS, typed, strict=True)}
        missing = [t(label) for f, label in FIELD_LABELS.items() if not values[f]]
        if missing:
            return rows(bot_id), bad(t("kfs.missing", fields="、".join(missing)))
        try:
            WeComCrypto(values["token"], values["aes_key"], values["corp_id"])
        except CryptoError:
            return rows(bot_id), bad(t("kfs.bad_aes_key"))
        try:  # the secret, the corp id, the trusted IP and the account, as WeCom sees them
            found = check_account(
                read_accounts(values["corp_id"], values["secret"]), values["open_kfid"]
            )
        except (KfError, KfLinkError) as exc:
            return rows(bot_id), bad(t("kfs.refused", why=exc.text(ctx.lang)))
        before = ctx.workspace.bindings.get(bot_id, KIND)
        ctx.workspace.bindings.bind(bot_id, KIND, values)
        if before and before.get("secret") != values["secret"]:  # the old app's token: unused
            SHARED.forget(str(before.get("corp_id")), str(before.get("secret")))
        host = request.headers.get("host", "127.0.0.1:7860") if request else "127.0.0.1:7860"
        url = f"http://{host}/wecom/kf/{bot_id}"
        return rows(bot_id), ok(t("kfs.bound", name=found.name or found.open_kfid, url=url))

    fetch.click(on_fetch, [corp, secret, account], [account, said])
    return [
        bind.click(on_bind, [ctx.bot_picker, corp, secret, token, aes_key, account], [table, said])
    ]
