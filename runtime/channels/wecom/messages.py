"""Reading AI-bot message bodies (shared by the callback and the long connection)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from runtime.spec import BotSpec

MENTION = re.compile(r"^\s*@\S+\s*")


def text_of(payload: dict[str, Any]) -> str | None:
    """The words of a message: text, voice (already transcribed) or the text parts of mixed."""
    kind = payload.get("msgtype")
    if kind == "text":
        return str((payload.get("text") or {}).get("content", ""))
    if kind == "voice":
        return str((payload.get("voice") or {}).get("content", ""))
    if kind == "mixed":
        items = (payload.get("mixed") or {}).get("msg_item") or []
        parts = [
            str((i.get("text") or {}).get("content", ""))
            for i in items
            if i.get("msgtype") == "text"
        ]
        return "\n".join(p for p in parts if p)
    return None


def triggered(spec: BotSpec, chattype: str, text: str) -> str | None:
    """What the bot should answer, or None when its group trigger says stay quiet.
    In a group the leading @mention is removed; a prefix trigger also removes the prefix."""
    if chattype != "group":
        return text.strip()
    words = MENTION.sub("", text, count=1).strip()
    if spec.wecom.trigger == "prefix":
        prefix = (spec.wecom.prefix or "").strip()
        if not words.startswith(prefix):
            return None
        return words[len(prefix) :].strip()
    return words


def stream_id(bot_id: str, msgid: str) -> str:
    """The same message always gets the same stream, also after a restart or a redelivery."""
    return "bs" + hashlib.sha1(f"{bot_id}\0{msgid}".encode()).hexdigest()[:20]
