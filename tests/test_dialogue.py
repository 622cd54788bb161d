"""The dialogue: a shipped bot answers, remembers, greets once and forgets on request."""

from __future__ import annotations

import pytest

from runtime.dialogue import UnknownBot, UnknownVariant
from runtime.workspace import Workspace

pytestmark = pytest.mark.model


def _english_bot(workspace: Workspace) -> None:
    (workspace.bots_dir / "helper.yaml").write_text(
        """id: helper
name: Helper
language: en
model: {temperature: 0, max_tokens: 40, context: 2048, seed: 1}
persona: You are Helper, a friendly assistant for Acme Coffee.
greeting: Hi! I am Helper.
variants:
  - id: A
  - id: B
    greeting: Hello from B!
""",
        encoding="utf-8",
    )


def test_reply_is_remembered_and_sent_back_next_turn(workspace: Workspace) -> None:
    _english_bot(workspace)
    dialogue = workspace.dialogue
    first = dialogue.reply("helper", "alice", "My name is Alice.")
    assert first.read()
    second = dialogue.reply("helper", "alice", "What is my name?")
    sent = [m["content"] for m in second.prompt.messages]
    assert "My name is Alice." in sent and first.text in sent
    second.read()
    history = workspace.conversations.history("helper", "alice")
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]


def test_greeting_once_per_conversation_and_per_variant(workspace: Workspace) -> None:
    _english_bot(workspace)
    dialogue = workspace.dialogue
    assert dialogue.greet("helper", "bob", variant="A") == "Hi! I am Helper."
    assert dialogue.greet("helper", "bob", variant="A") is None
    assert dialogue.greet("helper", "carol", variant="B") == "Hello from B!"


def test_reset_forgets_the_user(workspace: Workspace) -> None:
    _english_bot(workspace)
    workspace.dialogue.reply("helper", "dave", "hello").read()
    assert workspace.dialogue.reset("helper", "dave") == 2
    assert workspace.conversations.history("helper", "dave") == []


def test_set_aside_starts_afresh_and_keeps_the_lead_with_its_messages(
    workspace: Workspace,
) -> None:
    """The studio's 清空对话: nothing said, and no lead evidence, is erased."""
    from runtime.leads.store import Lead
    from runtime.store import Turn

    _english_bot(workspace)
    said = [Turn("user", "my phone is 13800001111"), Turn("assistant", "Noted!")]
    workspace.conversations.append("helper", "studio:erin", said)
    phone = {"value": "13800001111", "message": said[0].content, "where": "studio:erin"}
    workspace.leads.save(Lead("helper", "studio:erin", "studio:erin", None, {"phone": phone}))
    assert workspace.dialogue.set_aside("helper", "studio:erin") == "studio:erin#1"
    assert workspace.conversations.history("helper", "studio:erin") == []
    assert workspace.leads.get("helper", "studio:erin") is None  # a fresh lead next time
    kept = workspace.leads.get("helper", "studio:erin#1")
    assert kept.conversation == "studio:erin#1" and kept.fields["phone"]["where"] == kept.user
    assert workspace.conversations.history("helper", kept.conversation) == said
    workspace.conversations.append("helper", "studio:erin", said)
    assert workspace.dialogue.set_aside("helper", "studio:erin") == "studio:erin#2"
    assert workspace.dialogue.set_aside("helper", "studio:erin") is None  # nothing said yet


def test_unknown_bot_and_variant_list_what_exists(workspace: Workspace) -> None:
    _english_bot(workspace)
    with pytest.raises(UnknownBot) as bot:
        workspace.dialogue.reply("nope", "u", "hi")
    assert "helper" in bot.value.known and "xiaolan-sales" in bot.value.known
    with pytest.raises(UnknownVariant) as variant:
        workspace.dialogue.reply("helper", "u", "hi", variant="Z")
    assert variant.value.known == ["A", "B"]


def test_chinese_shipped_bot_answers(workspace: Workspace) -> None:
    reply = workspace.dialogue.reply("xiaolan-sales", "u1", "你们支持哪些平台？")
    assert reply.prompt.messages[0]["content"].startswith("你是蓝莺IM的售前顾问")
    assert reply.read()
