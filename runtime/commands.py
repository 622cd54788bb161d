"""Chat commands any channel understands: /help, /clear (forget my conversation), /status."""

from __future__ import annotations

from runtime.dialogue import Dialogue
from runtime.i18n import t


def command_reply(dialogue: Dialogue, bot_id: str, conversation: str, text: str) -> str | None:
    """The answer to a chat command, or None when `text` is not one."""
    word = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    if word not in ("/help", "/clear", "/status"):
        return None
    spec = dialogue.spec(bot_id)
    lang = spec.language
    if word == "/help":
        return t("cmd.help", lang, name=spec.name)
    if word == "/clear":
        dialogue.reset(bot_id, conversation)
        return t("cmd.cleared", lang)
    bot = dialogue.resolve(bot_id)
    turns = len(dialogue.conversations.history(bot_id, conversation))
    return t(
        "cmd.status",
        lang,
        name=spec.name,
        model=bot.model.source,  # a file, or "endpoint:NAME"
        variant=bot.variant_id or "-",
        turns=turns,
    )
