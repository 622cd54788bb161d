"""设置 Settings: the studio's language and its password."""

from __future__ import annotations

import gradio as gr

from studio.context import StudioContext
from studio.tabs import api_keys

MIN_PASSWORD = 8


def build(ctx: StudioContext) -> None:
    t = ctx.t
    settings = ctx.workspace.settings
    with gr.Group():
        gr.Markdown(f"### {t('settings.language')}")
        language = gr.Radio(
            [("简体中文", "zh"), ("English", "en")],
            value=ctx.lang,
            label=t("settings.language"),  # read by screen readers, not shown
            show_label=False,
            elem_id="settings-lang",
        )
        apply = gr.Button(t("settings.apply_language"), elem_id="settings-apply-lang")
    with gr.Group():
        gr.Markdown(f"### {t('settings.password')}")
        state = gr.Markdown(elem_id="settings-password-state")
        current = gr.Textbox(
            label=t("settings.current_password"), type="password", elem_id="settings-current"
        )
        new = gr.Textbox(label=t("settings.new_password"), type="password", elem_id="settings-new")
        again = gr.Textbox(
            label=t("settings.repeat_password"), type="password", elem_id="settings-again"
        )
        set_password = gr.Button(
            t("settings.set_password"), variant="primary", elem_id="settings-set"
        )
        status = gr.Markdown(elem_id="settings-status")
        gr.Markdown(t("settings.password_help"), elem_classes="help")
    api_keys.build(ctx)  # the API's keys: made, listed and revoked here too

    def describe() -> str:
        return t("settings.has_password") if settings.has_password() else t("settings.no_password")

    def on_apply(lang: str):
        settings.set("language", lang)

    def on_set(old: str, password: str, repeat: str):
        if settings.has_password() and not settings.check_password(old or ""):
            return (
                describe(),
                f'<span class="status-bad">✖ {t("settings.wrong_current")}</span>',
                False,
            )
        if len(password or "") < MIN_PASSWORD:
            message = t("settings.too_short", n=MIN_PASSWORD)
            return describe(), f'<span class="status-bad">✖ {message}</span>', False
        if password != repeat:
            return describe(), f'<span class="status-bad">✖ {t("settings.mismatch")}</span>', False
        settings.set_password(password)
        return describe(), f'<span class="status-ok">✔ {t("settings.password_set")}</span>', True

    # The other language's studio opens on the same bot and tab (?bot=&tab= carried over).
    apply.click(on_apply, language, None).then(
        None,
        language,
        None,
        js="(lang) => { window.location.href = '/studio/' + lang + '/' + window.location.search; }",
    )
    changed = gr.State(False)
    set_password.click(on_set, [current, new, again], [state, status, changed]).then(
        None,
        changed,
        None,
        # the new password signs everyone out, this browser too: go and sign in
        js=f"(ok) => {{ if (ok) window.location.href = '/login?next=/studio/{ctx.lang}/'; }}",
    )
    ctx.on_load.append((describe, None, state))
