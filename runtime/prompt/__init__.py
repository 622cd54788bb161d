"""Prompt building: what the model sees for one turn.

Persona, system prompt, knowledge and few-shot examples come first and are
pinned: never trimmed, and identical from turn to turn so that the engine can
keep them evaluated. History follows, trimmed oldest first to the token budget,
then the new message. The reply budget is reserved before anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runtime.i18n import Explained, t
from runtime.spec.model import ResolvedBot
from runtime.store.conversations import Turn

Message = dict[str, str]
TokenCounter = Callable[[list[Message]], int]

MIN_REPLY_TOKENS = 64  # below this a reply is cut off mid-sentence; refuse instead


class PromptTooLong(Explained, ValueError):
    pass


@dataclass(frozen=True)
class BuiltPrompt:
    messages: list[Message]
    pinned: int  # the first `pinned` messages are the bot's fixed prefix
    prompt_tokens: int
    reply_budget: int
    history_used: int
    history_dropped: int


def system_text(bot: ResolvedBot) -> str:
    parts = [bot.persona.strip(), bot.system_prompt.strip()]
    if bot.knowledge.strip():
        heading = t("prompt.knowledge_heading", bot.language)
        parts.append(f"## {heading}\n{bot.knowledge.strip()}")
    return "\n\n".join(p for p in parts if p)


def pinned_messages(bot: ResolvedBot) -> list[Message]:
    messages: list[Message] = []
    system = system_text(bot)
    if system:
        messages.append({"role": "system", "content": system})
    for example in bot.few_shot:
        messages.append({"role": "user", "content": example.user.strip()})
        messages.append({"role": "assistant", "content": example.assistant.strip()})
    return messages


def _window(history: list[Turn], history_turns: int) -> tuple[list[Turn], int]:
    """The remembered messages to send, and the step by which old ones are dropped.

    Dropping one exchange per turn would change everything after the pinned prefix
    on every turn, and the engine would evaluate the whole history again each time.
    So the window's start moves in steps of half the window: between steps the
    prompt only grows at the end, and its evaluated prefix is reused.
    """
    cap = 2 * history_turns
    if cap <= 0:
        return [], 2
    step = max(2, (cap // 2) // 2 * 2)  # half the window, a whole number of exchanges
    excess = len(history) - cap
    if excess <= 0:
        return history, step
    start = -(-excess // step) * step  # rounded up to a whole step
    return history[start:], step


def _alternating(history: list[Turn]) -> list[Turn]:
    """Start on a user turn and never repeat a role: strict chat templates demand it."""
    start = 0
    while start < len(history) and history[start].role != "user":
        start += 1
    result: list[Turn] = []
    for turn in history[start:]:
        if result and result[-1].role == turn.role:
            result[-1] = Turn(turn.role, f"{result[-1].content}\n\n{turn.content}")
        else:
            result.append(turn)
    if result and result[-1].role == "user":  # an unanswered question before this one
        result.pop()
    return result


def build_prompt(
    bot: ResolvedBot,
    history: list[Turn],
    message: str,
    *,
    count_tokens: TokenCounter,
    turn_note: str = "",
) -> BuiltPrompt:
    """`turn_note` (what is known about the lead, the one question to ask) rides on the
    new message, not the system text, so the pinned prefix stays the same every turn."""
    context = bot.model.context
    pinned = pinned_messages(bot)
    window, step = _window(history, bot.safety.history_turns)
    turns = _alternating(window)
    latest: Message = {
        "role": "user",
        "content": f"{message}\n\n{turn_note}" if turn_note else message,
    }

    def assemble(kept: list[Turn]) -> list[Message]:
        return [*pinned, *({"role": t.role, "content": t.content} for t in kept), latest]

    messages = assemble(turns)
    tokens = count_tokens(messages)
    while turns and tokens + bot.model.max_tokens > context:
        turns = turns[step:]  # oldest first, a step at a time (pairs stay together)
        messages = assemble(turns)
        tokens = count_tokens(messages)

    reply_budget = min(bot.model.max_tokens, context - tokens)
    if reply_budget < min(MIN_REPLY_TOKENS, bot.model.max_tokens):
        pinned_tokens = count_tokens(pinned) if pinned else 0
        raise PromptTooLong(
            "prompt.too_long",
            bot.language,
            pinned=pinned_tokens,
            message=tokens - pinned_tokens,
            reply=bot.model.max_tokens,
            context=context,
        )
    return BuiltPrompt(
        messages=messages,
        pinned=len(pinned),
        prompt_tokens=tokens,
        reply_budget=reply_budget,
        history_used=len(turns),
        history_dropped=len(history) - len(turns),
    )
