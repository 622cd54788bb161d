"""The one string table: every message a user reads, in Simplified Chinese and English.

Runtime errors, command-line output and studio labels all come from here (split
into files by area), so a message is translated once and reads the
same everywhere.
"""

from __future__ import annotations

import os

from runtime.i18n.experiment_strings import EXPERIMENT_STRINGS
from runtime.i18n.operation_strings import OPERATION_STRINGS
from runtime.i18n.runtime_strings import RUNTIME_STRINGS
from runtime.i18n.security_strings import SECURITY_STRINGS
from runtime.i18n.studio_strings import STUDIO_STRINGS
from runtime.i18n.wecom_strings import WECOM_STRINGS

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

TABLES = (
    RUNTIME_STRINGS,
    STUDIO_STRINGS,
    WECOM_STRINGS,
    EXPERIMENT_STRINGS,
    OPERATION_STRINGS,
    SECURITY_STRINGS,
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
