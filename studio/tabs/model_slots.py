"""同时回复几位客户: how many replies each model writes at once (continuous batching).

Saved in the settings store; models loaded from then on use it, those already loaded
after a restart (their cache is sized when they load). BOTSTUDIO_PARALLEL, when set,
wins, and the form says so."""

from __future__ import annotations

import gradio as gr

from runtime.engine.pool import MAX_SLOTS, SLOTS_SETTING, default_slots, slots_from_environment
from studio.context import StudioContext


def build(ctx: StudioContext) -> None:
    t = ctx.t
    pool, settings = ctx.workspace.pool, ctx.workspace.settings
    with gr.Row(equal_height=True):
        # no minimum/maximum here: Gradio would refuse in English; checked below
        slots = gr.Number(
            value=pool.slots,
            precision=None,
            label=t("models.col.slots"),
            info=t("range.closed", low=1, high=MAX_SLOTS),
            elem_id="models-slots-input",
            scale=1,
        )
        save = gr.Button(t("models.slots_save"), elem_id="models-slots-save", scale=0)
        said = gr.Markdown(elem_id="models-slots-status")
    gr.Markdown(t("models.slots_help"), elem_classes="help", elem_id="models-slots")

    def on_save(value: float | None):
        if value is None or value != int(value) or not 1 <= value <= MAX_SLOTS:
            shown = "" if value is None else f"{value:g}"
            bad = t("models.slots_bad", low=1, high=MAX_SLOTS, value=shown)
            return gr.update(), f'<span class="status-bad">✖ {bad}</span>'
        settings.set(SLOTS_SETTING, int(value))
        forced = slots_from_environment()
        if forced is not None:
            note = t("models.slots_forced", n=forced)
            return gr.update(value=forced), f'<span class="status-bad">⚠️ {note}</span>'
        pool.slots = default_slots(int(value))
        loaded = [info.path.name for info in pool.loaded() if info.slots != pool.slots]
        done = t("models.slots_saved", n=pool.slots)
        if loaded:
            done += " " + t("models.slots_restart", files="、".join(loaded))
        return gr.update(value=pool.slots), f'<span class="status-ok">✔ {done}</span>'

    save.click(on_save, slots, [slots, said])
    ctx.on_load.append((lambda: pool.slots, None, [slots]))
