"""The one string table: every message a user reads, in Simplified Chinese and English.

Runtime errors, command-line output and studio labels all come from here (split
into files by area), so a message is translated once and reads the
same everywhere.
"""

from __future__ import annotations

import json
import os

from runtime.i18n.api_strings import API_STRINGS
from runtime.i18n.api_studio_strings import API_STUDIO_STRINGS
from runtime.i18n.channel_strings import CHANNEL_STRINGS
from runtime.i18n.download_strings import DOWNLOAD_STRINGS
from runtime.i18n.endpoint_strings import ENDPOINT_STRINGS
from runtime.i18n.experiment_strings import EXPERIMENT_STRINGS
from runtime.i18n.honest_strings import HONEST_STRINGS
from runtime.i18n.kf_channel_strings import KF_CHANNEL_STRINGS
from runtime.i18n.kf_handover_strings import KF_HANDOVER_STRINGS
from runtime.i18n.kf_strings import KF_STRINGS
from runtime.i18n.kf_studio_strings import KF_STUDIO_STRINGS
from runtime.i18n.knowledge_file_strings import KNOWLEDGE_FILE_STRINGS
from runtime.i18n.knowledge_strings import KNOWLEDGE_STRINGS
from runtime.i18n.knowledge_studio_strings import KNOWLEDGE_STUDIO_STRINGS
from runtime.i18n.operation_strings import OPERATION_STRINGS
from runtime.i18n.plain_strings import PLAIN_STRINGS
from runtime.i18n.runtime_strings import RUNTIME_STRINGS
from runtime.i18n.security_strings import SECURITY_STRINGS
from runtime.i18n.studio_strings import STUDIO_STRINGS
from runtime.i18n.web_chat_strings import WEB_CHAT_STRINGS
from runtime.i18n.wecom_strings import WECOM_STRINGS

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

TABLES = (
    RUNTIME_STRINGS,
    DOWNLOAD_STRINGS,
    STUDIO_STRINGS,
    WECOM_STRINGS,
    EXPERIMENT_STRINGS,
    OPERATION_STRINGS,
    SECURITY_STRINGS,
    ENDPOINT_STRINGS,
    PLAIN_STRINGS,
    HONEST_STRINGS,
    KF_STRINGS,
    KF_CHANNEL_STRINGS,
    KF_HANDOVER_STRINGS,
    KF_STUDIO_STRINGS,
    KNOWLEDGE_STRINGS,
    KNOWLEDGE_FILE_STRINGS,
    KNOWLEDGE_STUDIO_STRINGS,
    CHANNEL_STRINGS,
    API_STRINGS,
    API_STUDIO_STRINGS,
    WEB_CHAT_STRINGS,
)
STRINGS: dict[str, dict[str, str]] = {k: v for table in TABLES for k, v in table.items()}
assert len(STRINGS) == sum(map(len, TABLES)), "a key is defined twice"


def t(message_id: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """The message `message_id` in `lang`, with `params` filled in."""
    entry = STRINGS[message_id]
    text = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def language_from_env() -> str:
    """The language for terminal output: BOTSTUDIO_LANG, else the locale, else English."""
    explicit = os.environ.get("BOTSTUDIO_LANG", "").lower()
    if explicit in LANGUAGES:
        return explicit
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG", "")
    return "zh" if locale.lower().startswith("zh") else "en"


class Explained(Exception):
    """An error said with the string table: `str()` gives it in the language it was raised
    for (the terminal's when none was given), `text(lang)` in any other, so that the studio
    shows it in the language its user chose, whatever the server's own language is."""

    def __init__(self, message_id: str, lang: str | None = None, /, **params: object):
        self.message_id, self.lang, self.params = message_id, lang, params
        super().__init__(message_id)

    def text(self, lang: str) -> str:
        return t(self.message_id, lang, **{k: shown(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.text(self.lang or language_from_env())


SAID = "said"


def said(message_id: str, /, **params: object) -> str:
    """A message to store (a run's error, in the journal) and show later in the reader's
    language: `shown(said(...), lang)`. A parameter may itself be `said(...)`."""
    return json.dumps({SAID: message_id, "params": params}, ensure_ascii=False)


def shown(value: object, lang: str) -> object:
    """What `said` stored, in `lang`; any other value as it is."""
    if not (isinstance(value, str) and value.startswith('{"' + SAID + '"')):
        return value
    try:
        stored = json.loads(value)
        params = {k: shown(v, lang) for k, v in stored.get("params", {}).items()}
        return t(stored[SAID], lang, **params)
    except (ValueError, KeyError, TypeError):
        return value
