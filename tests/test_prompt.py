"""Prompt building: the pinned prefix never moves; history gives way, oldest first."""

from __future__ import annotations

import itertools

import pytest

from runtime.prompt import PromptTooLong, build_prompt
from runtime.spec import parse_bot
from runtime.store import Turn


def _bot(context: int = 1000, max_tokens: int = 100, history_turns: int = 10):
    raw = f"""
id: x
name: X
language: en
persona: PERSONA
system_prompt: RULES
knowledge: FACTS
few_shot:
  - {{user: example question, assistant: example answer}}
model: {{context: {context}, max_tokens: {max_tokens}}}
safety: {{history_turns: {history_turns}}}
"""
    return parse_bot(raw.encode(), "x.yaml", lang="en").resolve()


def count_words(messages: list[dict[str, str]]) -> int:
    """A stand-in tokenizer: one token per word, plus four per message for the template."""
    return sum(len(m["content"].split()) + 4 for m in messages)


def _history(n: int) -> list[Turn]:
    return [Turn("user" if i % 2 == 0 else "assistant", f"turn{i} " + "w " * 20) for i in range(n)]


def test_pinned_messages_come_first_in_order() -> None:
    built = build_prompt(_bot(), [], "hello", count_tokens=count_words)
    assert built.pinned == 3
    assert built.messages[0]["role"] == "system"
    assert built.messages[0]["content"] == "PERSONA\n\nRULES\n\n## Product knowledge\nFACTS"
    assert [m["role"] for m in built.messages] == ["system", "user", "assistant", "user"]
    assert built.messages[-1]["content"] == "hello"


def test_history_is_trimmed_oldest_first_to_leave_the_reply_budget() -> None:
    bot = _bot(context=600, max_tokens=100)
    built = build_prompt(bot, _history(20), "hello", count_tokens=count_words)
    assert built.prompt_tokens + bot.model.max_tokens <= bot.model.context
    kept = [m["content"].split()[0] for m in built.messages[built.pinned : -1]]
    assert kept and kept[-1] == "turn19"  # the newest exchange survives
    assert kept == [f"turn{i}" for i in range(20 - len(kept), 20)]  # contiguous, oldest dropped
    assert built.messages[built.pinned]["role"] == "user"  # starts on a user turn
    assert built.history_dropped == 20 - len(kept)
    assert built.reply_budget == 100


def test_history_turns_caps_what_is_sent() -> None:
    built = build_prompt(
        _bot(context=10_000, history_turns=2), _history(20), "hi", count_tokens=count_words
    )
    assert built.history_used == 4


def test_pinned_prefix_too_long_is_a_clear_error() -> None:
    bot = _bot(context=520, max_tokens=100)
    with pytest.raises(PromptTooLong, match="Shorten the knowledge or examples"):
        build_prompt(bot, [], "word " * 600, count_tokens=count_words)


def test_reply_budget_shrinks_before_giving_up() -> None:
    bot = _bot(context=520, max_tokens=512)
    built = build_prompt(bot, [], "hello", count_tokens=count_words)
    assert built.reply_budget == 520 - built.prompt_tokens


def test_roles_alternate_even_after_greetings_and_unanswered_messages() -> None:
    history = [
        Turn("assistant", "greeting"),
        Turn("user", "q1"),
        Turn("assistant", "a1"),
        Turn("user", "q2 never answered"),
    ]
    built = build_prompt(_bot(), history, "q3", count_tokens=count_words)
    roles = [m["role"] for m in built.messages[built.pinned :]]
    assert roles == ["user", "assistant", "user"]


def test_the_history_window_moves_in_steps_so_the_evaluated_prefix_is_reused() -> None:
    bot = _bot(context=10_000, history_turns=6)
    history: list[Turn] = []
    firsts, used = [], []
    for i in range(40):
        built = build_prompt(bot, history, f"q{i}", count_tokens=count_words)
        firsts.append(built.messages[built.pinned]["content"])
        used.append(built.history_used)
        history += [Turn("user", f"q{i}"), Turn("assistant", f"a{i}")]
    assert max(used) <= 12  # never more than history_turns exchanges
    assert min(used[12:]) >= 6  # and at least half of them, once there are enough
    changes = sum(1 for a, b in itertools.pairwise(firsts) if a != b)
    assert changes <= 12  # dropping one exchange per turn would change it 32 times
