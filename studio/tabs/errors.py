"""Turning what can go wrong while answering into one sentence for the person at the screen."""

from __future__ import annotations

from pathlib import Path

from runtime.dialogue import UnknownBot, UnknownVariant
from runtime.engine import ModelMissing
from runtime.i18n import Explained
from runtime.prompt import PromptTooLong
from runtime.spec import SpecError
from studio.context import StudioContext

EXPECTED = (UnknownBot, UnknownVariant, SpecError, ModelMissing, PromptTooLong)


def explain(ctx: StudioContext, error: Exception) -> str:
    if isinstance(error, UnknownBot):
        return ctx.t("cli.unknown_bot", bot=error.bot_id, known=", ".join(error.known))
    if isinstance(error, UnknownVariant):
        known = ", ".join(error.known) or ctx.t("spec.none")
        return ctx.t("cli.unknown_variant", bot=error.bot_id, variant=error.variant, known=known)
    if isinstance(error, SpecError):
        problems = in_studio_language(ctx, error).problems
        return ctx.t("try.bot_invalid") + " " + "; ".join(p.message for p in problems[:3])
    if isinstance(error, Explained):  # raised in the server's language: said in the studio's
        return error.text(ctx.lang)
    return str(error)


def in_studio_language(ctx: StudioContext, error: SpecError) -> SpecError:
    """A bot file's problems, found again in the studio's language (the runtime reads bots
    in the server's)."""
    path = Path(error.filename)
    if ctx.bots.lang == getattr(ctx.workspace.bots, "lang", None) or not path.is_file():
        return error
    try:
        ctx.bots.load_path(path)
    except SpecError as again:
        return again
    return error


def stats_line(ctx: StudioContext, stats, text: str) -> str:
    ttft = f"{stats.time_to_first_token:.2f}" if stats.time_to_first_token is not None else "—"
    return ctx.t(
        "try.stats",
        ttft=ttft,
        rate=f"{stats.tokens_per_second:.1f}",
        cps=f"{_characters_per_second(stats, text):.1f}",
        tokens=stats.generated_tokens,
        chars=len(text),
        reused=stats.reused_tokens,
        prompt=stats.prompt_tokens,
    )


def _characters_per_second(stats, text: str) -> float:
    """Characters a second, as a reader counts them: the tokens' rate times the characters
    each token came to (a Chinese character is about one token, an English word 1.3)."""
    if not stats.generated_tokens:
        return 0.0
    return stats.tokens_per_second * len(text) / stats.generated_tokens
