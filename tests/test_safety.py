"""Blocked words on the way in and out, on the real model; the screen never lets part of a
blocked word out, also when it arrives split across pieces."""

from __future__ import annotations

import pytest

from runtime.safety import WordGuard
from runtime.workspace import Workspace


def test_a_word_split_across_pieces_never_gets_out() -> None:
    guard = WordGuard(["vx", "加微信"])
    out = list(guard.screen(iter(["Add my V", "X: abc"])))
    assert "".join(out) == "Add my" and guard.blocked == "vx"  # held back 2: the longest word - 1
    out = list(guard.screen(iter(["可以", "加微", "信吗"])))
    assert "".join(out) == "可以" and guard.blocked == "加微信"
    assert guard.hit("请加 ＶＸ") == "vx"  # full-width letters are the same word
    clean = list(guard.screen(iter(["Hello", " there"])))
    assert "".join(clean) == "Hello there" and guard.blocked is None


@pytest.mark.model
def test_blocked_words_in_and_out_with_the_real_model(workspace: Workspace) -> None:
    (workspace.bots_dir / "guarded.yaml").write_text(
        "id: guarded\nname: Guarded\nlanguage: en\n"
        "persona: You are a helpful assistant. Answer in full sentences.\n"
        "model: {temperature: 0, max_tokens: 60, context: 2048}\n"
        "safety: {blocked_words: [the, refund], blocked_reply: Let me get a colleague.}\n",
        encoding="utf-8",
    )
    dialogue = workspace.dialogue
    asked = dialogue.reply("guarded", "u1", "Can I get a REFUND?")
    assert asked.read() == "Let me get a colleague."
    assert asked.generation.stats.generated_tokens == 0  # the model never saw it
    answered = dialogue.reply("guarded", "u2", "Tell me about oceans.")
    pieces = list(answered)
    assert answered.text == "Let me get a colleague." and answered.blocked == "the"
    assert " the " not in "".join(pieces).lower()
    remembered = [t.content for t in workspace.conversations.history("guarded", "u2")]
    assert remembered == ["Tell me about oceans.", "Let me get a colleague."]
