"""Saying so where a bot on the bundled demo model is tried: 试聊, 对比 and 模型.

The demo model (SmolLM2-135M) is a tiny English model: asked in Chinese it writes
nonsense, runs to the length cap and sometimes repeats its hidden instructions. A
marketer who meets that without a word would blame the bot; the notice names the
cause and the way out (a Chinese model, added in 模型 and picked in 编辑).
"""

from __future__ import annotations

from collections.abc import Iterable

import gradio as gr

from runtime.models.catalog import is_demo_model
from studio.context import StudioContext


def uses_demo_model(ctx: StudioContext, bot_id: str | None, variants: Iterable[str] = ()) -> bool:
    """Whether the bot (any of its variants, or only `variants` when given) runs on the
    demo model."""
    spec = ctx.spec(bot_id)
    if spec is None:
        return False
    ids = list(variants) or spec.variant_ids() or [None]
    for variant in ids:
        try:
            if is_demo_model(spec.resolve(variant or None).model.source):
                return True
        except KeyError:
            continue
    return False


def notice(ctx: StudioContext, bot_id: str | None, demo: bool | None = None):
    """The notice's update: shown, naming the bot, while it uses the demo model."""
    if demo is None:
        demo = uses_demo_model(ctx, bot_id)
    if not demo:
        return gr.update(value="", visible=False)
    spec = ctx.spec(bot_id)
    if spec is None:
        name = ctx.t("demo.the_bot")
    else:
        name = f"“{spec.name}”" if ctx.lang == "zh" else f"'{spec.name}' "
    return gr.update(value=ctx.t("demo.notice", bot=name), visible=True)


def notice_box(ctx: StudioContext, tab: str, follow_picker: bool = True) -> gr.Markdown:
    """A notice at the top of a tab, kept current with the picked bot."""
    box = gr.Markdown(visible=False, elem_id=f"{tab}-demo-notice", elem_classes="demo-notice")
    if follow_picker:

        def shown(bot: str | None):
            return notice(ctx, bot)

        ctx.bot_picker.change(shown, ctx.bot_picker, box)
        ctx.on_load.append((shown, ctx.bot_picker, box))
        ctx.refresh(shown, ctx.bot_picker, box)  # the bot saved on another model, tab opened
    return box
