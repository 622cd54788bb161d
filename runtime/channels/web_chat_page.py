"""What the browser gets from the web chat channel (runtime/channels/web_chat.py): the chat
page and the script a website embeds for a floating button.

Their HTML, CSS and JavaScript are files beside this one (web_chat_page.html and
web_chat_embed.js), read once at import; `__NAME__` placeholders in them are filled here,
every text HTML-escaped and every value for a script as JSON that cannot close its
<script> element. The limits the page's fields carry are its server's rules: the channel
checks what arrives against the same numbers.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from runtime.i18n import t
from runtime.spec import BotSpec

MAX_TEXT = 1000  # characters of one message
MAX_CONTACT = 64  # characters of a contact left with a handover
MAX_NOTE = 500  # characters of its note

HERE = Path(__file__).parent
PAGE = (HERE / "web_chat_page.html").read_text(encoding="utf-8")
EMBED = (HERE / "web_chat_embed.js").read_text(encoding="utf-8")

PAGE_STRINGS = (
    "placeholder",
    "send",
    "typing",
    "handover",
    "handover_title",
    "handover_help",
    "contact",
    "note",
    "submit",
    "cancel",
    "handover_empty",
    "failed",
    "unavailable",
    "empty",
    "too_long",
)


def _json_for_script(value: object) -> str:
    """JSON safe inside a <script> element: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chat_page(spec: BotSpec, campaign: str, base: str) -> str:
    """The page of `spec` at `base` (its path), `campaign` its `?src=`."""
    lang = spec.language
    title = spec.web_chat.title or spec.name
    words = {key: t(f"webchat.{key}", lang, n=MAX_TEXT) for key in PAGE_STRINGS}
    config = {
        "base": base,
        "src": campaign,
        "max": MAX_TEXT,
        "maxContact": MAX_CONTACT,
        "maxNote": MAX_NOTE,
        "s": words,
    }
    return (
        PAGE.replace("__LANG__", "zh-CN" if lang == "zh" else "en")
        .replace("__TITLE__", html.escape(title))
        .replace("__COLOR__", spec.web_chat.color)
        .replace("__HANDOVER__", html.escape(words["handover"]))
        .replace("__HANDOVER_TITLE__", html.escape(words["handover_title"]))
        .replace("__HANDOVER_HELP__", html.escape(words["handover_help"]))
        .replace("__CONTACT__", html.escape(words["contact"]))
        .replace("__NOTE__", html.escape(words["note"]))
        .replace("__SUBMIT__", html.escape(words["submit"]))
        .replace("__CANCEL__", html.escape(words["cancel"]))
        .replace("__PLACEHOLDER__", html.escape(words["placeholder"]))
        .replace("__SEND__", html.escape(words["send"]))
        .replace("__CONFIG__", _json_for_script(config))
    )


def embed_script(spec: BotSpec, campaign: str) -> str:
    """A floating button for a website that opens the chat page in a new window (the page
    cannot be framed: the server forbids it)."""
    config = {
        "label": t("webchat.embed_button", spec.language),
        "color": spec.web_chat.color,
        "query": f"?src={campaign}" if campaign else "",
    }
    return EMBED.replace("__CONFIG__", _json_for_script(config))
