"""The server's language: the one the studio is set to (⚙️ 设置, kept in the settings
store), which the studio's pages, the sign-in page, the Host/Origin/size checks and the
API's errors all speak. Here, in the lowest layer, so that the server and the channels
read it the same way."""

from __future__ import annotations

from typing import Any, Protocol

from runtime.i18n import DEFAULT_LANGUAGE, LANGUAGES


class Readable(Protocol):
    """What is read of the settings store (runtime/store/settings.py, a layer above)."""

    def get(self, key: str, default: Any = None) -> Any: ...


def studio_language(settings: Readable) -> str:
    """Chinese until changed; a value this version does not know counts as unchanged."""
    lang = settings.get("language", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
