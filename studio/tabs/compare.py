"""对比 Compare: one message to two variants (or two models) side by side, with time to
first token, tokens per second and reply length under each. Nothing is remembered."""

from __future__ import annotations

import gradio as gr

from studio.context import StudioContext
from studio.streaming import drain
from studio.tabs.errors import EXPECTED, explain, stats_line

SIDES = ("left", "right")


def build(ctx: StudioContext) -> None:
    dialogue = ctx.workspace.dialogue
    gr.Markdown(ctx.t("compare.intro"), elem_classes="help")
    message = gr.Textbox(label=ctx.t("compare.message"), lines=2, elem_id="compare-message")
    run = gr.Button(ctx.t("compare.run"), variant="primary", elem_id="compare-run")
    pickers, outputs = {}, {}
    with gr.Row(equal_height=False):
        for side in SIDES:
            with gr.Column(), gr.Group():
                with gr.Row():
                    variant = gr.Dropdown(
                        label=ctx.t("compare.variant"), elem_id=f"compare-{side}-variant"
                    )
                    model = gr.Dropdown(
                        label=ctx.t("compare.model"), elem_id=f"compare-{side}-model"
                    )
                pickers[side] = (variant, model)
                reply = gr.Markdown(elem_id=f"compare-{side}-reply", min_height=160)
                stats = gr.Markdown(elem_classes="stats", elem_id=f"compare-{side}-stats")
                outputs[side] = (reply, stats)

    def choices(bot_id: str | None):
        same_model = (ctx.t("compare.model_of_variant"), "")
        models = [same_model, *((name, name) for name in ctx.workspace.models.known_names())]
        spec = ctx.spec(bot_id)
        ids = spec.variant_ids() if spec else []
        left = ids[0] if ids else None
        right = ids[1] if len(ids) > 1 else left
        return (
            gr.update(choices=ids, value=left),
            gr.update(choices=models, value=""),
            gr.update(choices=ids, value=right),
            gr.update(choices=models, value=""),
        )

    def compare(bot_id, text, left_variant, left_model, right_variant, right_model):
        shown = {side: ["", ""] for side in SIDES}

        def frame():
            return [*shown["left"], *shown["right"]]

        text = (text or "").strip()
        if not bot_id or not text:
            yield frame()
            return
        for side, variant, model in (
            ("left", left_variant, left_model),
            ("right", right_variant, right_model),
        ):
            shown[side] = ["", ctx.t("try.thinking")]
            yield frame()
            try:
                _, _, generation = dialogue.preview(bot_id, text, variant or None, model or None)
            except EXPECTED as exc:
                shown[side] = [f"⚠️ {explain(ctx, exc)}", ""]
                yield frame()
                continue
            pieces = []
            for chunk in drain(generation):
                pieces.append(chunk)
                shown[side][0] = "".join(pieces)
                yield frame()
            shown[side][1] = stats_line(ctx, generation.stats, "".join(pieces))
            yield frame()

    picker_outputs = [*pickers["left"], *pickers["right"]]
    ctx.bot_picker.change(choices, ctx.bot_picker, picker_outputs)
    ctx.on_load.append((choices, ctx.bot_picker, picker_outputs))
    run.click(
        compare,
        [ctx.bot_picker, message, *pickers["left"], *pickers["right"]],
        [*outputs["left"], *outputs["right"]],
    )
