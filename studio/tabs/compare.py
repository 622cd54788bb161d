"""对比 Compare: one message to two variants (or two models) side by side, with time to
first token, tokens per second and reply length under each. Nothing is remembered.

Two sides on different models generate at the same time (each loaded model has its own
lock); two sides on the same model cannot, so the right one says it waits for the left."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import gradio as gr

from runtime.engine.repetition import cut_repetition
from runtime.models.catalog import is_demo_model
from studio.context import StudioContext
from studio.demo_model import notice, notice_box, uses_demo_model
from studio.lists import ListDropdown, kept
from studio.streaming import drain
from studio.tabs.errors import EXPECTED, explain, stats_line

SIDES = ("left", "right")


def model_key(ctx: StudioContext, bot_id: str, variant: str | None, model: str | None):
    """What a side runs on, as the model pool tells loaded models apart (file, context, GPU
        layers): sides with one key share one model (and take turns if it writes one reply at
    a time). None: it will not run."""
    try:
        settings = ctx.workspace.dialogue.resolve(bot_id, variant or None).model
    except EXPECTED:
        return None
    if model:
        kind, _, endpoint = model.partition(":")
        on_endpoint = kind == "endpoint" and endpoint
        other = {"endpoint": endpoint} if on_endpoint else {"file": model, "endpoint": None}
        settings = settings.model_copy(update=other)
    if settings.endpoint:  # a model served elsewhere: no local model to take turns on
        return ("endpoint", settings.endpoint)
    path = ctx.workspace.models.resolve(settings.file)
    gpu = ctx.workspace.pool.effective_gpu_layers(settings.gpu_layers)
    return (str(path.resolve()) if path else settings.file, settings.context, gpu)


def _streams(generations: dict) -> Iterator[tuple[str, str | None]]:
    """(side, text) as the sides' generations stream, all at once; (side, None) at the end
    of each."""
    arrived: queue.Queue = queue.Queue()

    def work(side: str, generation) -> None:
        try:
            for chunk in drain(generation):
                arrived.put((side, chunk))
        except BaseException as exc:  # raised where the frames are made
            arrived.put((side, exc))
        finally:
            arrived.put((side, None))

    for side, generation in generations.items():
        threading.Thread(
            target=work, args=(side, generation), name=f"compare-{side}", daemon=True
        ).start()
    running = len(generations)
    while running:
        side, chunk = arrived.get()
        if isinstance(chunk, BaseException):
            raise chunk
        running -= chunk is None
        yield side, chunk


def compare_frames(
    ctx: StudioContext,
    bot_id: str | None,
    text: str | None,
    sides: dict[str, tuple[str | None, str | None]],
):
    """Frames of [left reply, left stats, right reply, right stats] while both sides answer
    `text`; `sides`: side -> (variant, model file or "" for the variant's own)."""
    dialogue = ctx.workspace.dialogue
    shown = {side: ["", ""] for side in SIDES}

    def frame():
        return [*shown["left"], *shown["right"]]

    text = (text or "").strip()
    if not bot_id or not text:  # nothing to answer: say so, generate nothing
        said = ctx.t("bots.pick_first") if not bot_id else ctx.t("chat.empty")
        shown["left"] = [f"⚠️ {said}", ""]
        yield frame()
        return
    keys = {side: model_key(ctx, bot_id, *sides[side]) for side in SIDES}
    # one local model writes both at once when it has room for two replies (batching)
    room = (
        ctx.workspace.pool.slots >= 2 and keys["left"] is not None and keys["left"][0] != "endpoint"
    )
    together = None not in keys.values() and (keys["left"] != keys["right"] or room)
    shown["left"][1] = ctx.t("try.thinking")
    shown["right"][1] = ctx.t("try.thinking") if together else ctx.t("compare.waiting")
    yield frame()
    for group in [SIDES] if together else [("left",), ("right",)]:
        generations, texts = {}, {}
        for side in group:
            variant, model = sides[side]
            shown[side][1] = ctx.t("try.thinking")
            try:
                _, _, generations[side] = dialogue.preview(
                    bot_id, text, variant or None, model or None
                )
                texts[side] = ""
            except EXPECTED as exc:
                shown[side] = [f"⚠️ {explain(ctx, exc)}", ""]
        yield frame()
        for side, chunk in _streams(generations):
            generation = generations[side]
            if chunk is not None:
                texts[side] += chunk
                shown[side][0] = texts[side]
            else:  # this side is done; the other may still be writing
                if generation.stats.stopped_by == "repeat":
                    texts[side] = cut_repetition(texts[side], stopped=True)
                shown[side] = [texts[side], stats_line(ctx, generation.stats, texts[side])]
            yield frame()


def build(ctx: StudioContext) -> None:
    demo_notice = notice_box(ctx, "compare", follow_picker=False)
    gr.Markdown(ctx.t("compare.intro"), elem_classes="help")
    message = gr.Textbox(label=ctx.t("compare.message"), lines=2, elem_id="compare-message")
    run = gr.Button(ctx.t("compare.run"), variant="primary", elem_id="compare-run")
    pickers, outputs = {}, {}
    with gr.Row(equal_height=False):
        for side in SIDES:
            with gr.Column(), gr.Group():
                with gr.Row():
                    variant = ListDropdown(
                        label=ctx.t("compare.variant"), elem_id=f"compare-{side}-variant"
                    )
                    model = ListDropdown(
                        label=ctx.t("compare.model"), elem_id=f"compare-{side}-model"
                    )
                pickers[side] = (variant, model)
                reply = gr.Markdown(elem_id=f"compare-{side}-reply", min_height=160)
                stats = gr.Markdown(elem_classes="stats", elem_id=f"compare-{side}-stats")
                outputs[side] = (reply, stats)

    def choices(bot_id: str | None):
        same_model = (ctx.t("compare.model_of_variant"), "")
        models = [same_model, *ctx.answer_choices()]
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
        sides = {"left": (left_variant, left_model), "right": (right_variant, right_model)}
        yield from compare_frames(ctx, bot_id, text, sides)

    def demo_shown(bot_id, left_variant, left_model, right_variant, right_model):
        """The demo-model notice while either side runs on the demo model."""
        picked = [(left_variant, left_model), (right_variant, right_model)]
        own = [variant for variant, model in picked if not model]  # on the variant's model
        demo = any(is_demo_model(model) for _, model in picked) or (
            bool(own) and uses_demo_model(ctx, bot_id, [v for v in own if v])
        )
        return notice(ctx, bot_id, demo)

    def refreshed(bot_id: str | None, *picked: str | None):
        """The lists read again (a variant or model added since), keeping what is picked."""
        lists = []
        for update, value in zip(choices(bot_id), picked, strict=True):
            values = [c[1] if isinstance(c, tuple) else c for c in update["choices"]]
            fresh = gr.update(
                choices=update["choices"], value=value if value in values else update["value"]
            )
            lists.append(fresh if value is None else kept(fresh, value))  # None: list was empty
        return lists

    picker_outputs = [*pickers["left"], *pickers["right"]]
    for picker in [ctx.bot_picker, *picker_outputs]:
        picker.change(demo_shown, [ctx.bot_picker, *picker_outputs], demo_notice)
    ctx.on_load.append((demo_shown, [ctx.bot_picker, *picker_outputs], demo_notice))
    ctx.bot_picker.change(choices, ctx.bot_picker, picker_outputs)
    ctx.on_load.append((choices, ctx.bot_picker, picker_outputs))
    ctx.refresh(refreshed, [ctx.bot_picker, *picker_outputs], picker_outputs)
    run.click(
        compare,
        [ctx.bot_picker, message, *pickers["left"], *pickers["right"]],
        [*outputs["left"], *outputs["right"]],
    )
