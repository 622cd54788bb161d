"""Reading AI-bot message bodies (shared by the callback and the long connection)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from runtime.spec import BotSpec

MENTION = re.compile(r"^\s*@\S+\s*")
# What the channel reads from a message, with the types WeCom sends (None: absent)
OBJECTS = ("from", "text", "voice", "mixed", "stream", "event", "event.feedback_event")
SCALARS = (
    "msgtype",
    "msgid",
    "chatid",
    "chattype",
    "response_url",
    "from.userid",
    "text.content",
    "voice.content",
    "stream.id",
    "event.eventtype",
    "event.feedback_event.id",
    "event.feedback_event.type",
)


def _at(payload: dict[str, Any], path: str) -> Any:
    value: Any = payload
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def malformed(payload: Any) -> str | None:
    """Why a decrypted AI-bot message cannot be handled, or None when it can: each part
    the channel reads has WeCom's type, and all text is UTF-8 (a JSON escape can name a
    lone surrogate, which no database or hash accepts)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("msgtype"), str):
        return "not an object with a msgtype string"
    for path in OBJECTS:
        if not isinstance(_at(payload, path), (dict, type(None))):
            return f"{path} is not an object"
    for path in SCALARS:
        if not isinstance(_at(payload, path), (str, int, type(None))):
            return f"{path} is not a string"
    items = _at(payload, "mixed.msg_item")
    if items is not None and not (
        isinstance(items, list)
        and all(isinstance(i, dict) and isinstance(i.get("text") or {}, dict) for i in items)
        and all(isinstance(_at(i, "text.content"), (str, type(None))) for i in items)
    ):
        return "mixed.msg_item is not a list of messages"
    try:
        json.dumps(payload, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return "text is not UTF-8"
    except RecursionError:
        return "nested too deeply"
    return None


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
