"""Chat commands any channel understands: /help, /clear (forget my conversation), /status.

/status says the bot is running and how much of this conversation it remembers, nothing
more: whoever types it may be a customer outside the company, who must learn neither the
model behind the bot nor which A/B variant they are in (that would also spoil the test).
The studio shows both to the team."""

from __future__ import annotations

from runtime.dialogue import Dialogue
from runtime.i18n import t
from runtime.spec import BotSpec


def command_reply(dialogue: Dialogue, spec: BotSpec, conversation: str, text: str) -> str | None:
    """The answer to a chat command to the bot `spec`, or None when `text` is not one."""
    word = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    if word not in ("/help", "/clear", "/status"):
        return None
    lang = spec.language
    if word == "/help":
        return t("cmd.help", lang, name=spec.name)
    if word == "/clear":
        dialogue.reset(spec.id, conversation, spec=spec)
        return t("cmd.cleared", lang)
    turns = len(dialogue.conversations.history(spec.id, conversation))
    return t("cmd.status", lang, name=spec.name, turns=turns)
