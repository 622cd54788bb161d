"""After a bot is made from a template (🤖 机器人 → 新建): what to review before first use.

The name, the greeting, and every place that still carries the template's brand
(runtime/spec/template_review.py), variants' overrides included, with a clear ask to
change them in ✏️ 编辑.
"""

from __future__ import annotations

from runtime.spec import BotSpec
from runtime.spec.template_review import brand_words, leftovers
from studio.context import StudioContext

EXCERPT = 90  # characters of a long text shown


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "…"


def _quoted(ctx: StudioContext, words) -> str:
    return (
        "".join(f"“{w}”" for w in words) if ctx.lang == "zh" else ", ".join(f"'{w}'" for w in words)
    )


def review_text(ctx: StudioContext, template: BotSpec, copy: BotSpec) -> str:
    """Markdown: the copy's name and greeting, and each place with the template's brand."""
    found = leftovers(template, copy)
    marked = {(item.part, item.variant): item for item in found}
    colon = "：" if ctx.lang == "zh" else ": "
    lines = [ctx.t("review.title", template=template.name), ""]
    lines.append(f"- **{ctx.t('review.name')}**{colon}{copy.name}")
    greeting = marked.pop(("greeting", None), None)
    shown = _excerpt(copy.greeting) if copy.greeting else ctx.t("review.none")
    brand = f" — {ctx.t('review.brand', words=_quoted(ctx, greeting.words))}" if greeting else ""
    lines.append(f"- **{ctx.t('review.greeting')}**{colon}{shown}{brand}")
    for item in found:
        if (item.part, item.variant) not in marked:
            continue  # the greeting, said above
        part = ctx.t(f"review.{item.part}")
        if item.variant is not None:
            part = ctx.t("review.variant", variant=item.variant, part=part)
        brand = ctx.t("review.brand", words=_quoted(ctx, item.words))
        lines.append(f"- **{part}**{colon}{_excerpt(item.text)} — {brand}")
    lines.append("")
    if found:
        lines.append(ctx.t("review.ask"))
    else:
        lines.append(ctx.t("review.clean", words=_quoted(ctx, brand_words(template))))
    return "\n".join(lines)
