"""What goes wrong with an endpoint, in plain words: one URL's failure (`UrlFailure`:
why, whether the URL should rest, whether another URL may help) and the error a
reply ends with when no URL answered (`EndpointError`)."""

from __future__ import annotations

from runtime.engine.engine import ModelMissing
from runtime.i18n import said


class EndpointError(ModelMissing):
    """Why an endpoint could not answer, said in plain words in any language (`text(lang)`,
    `str()`); `reason` for code. A ModelMissing, so that everything that handles a missing
    model (the responder's polite fallback, the studio, the terminal) handles this too."""

    def __init__(self, reason: str, message_id: str, lang: str | None = None, /, **params: object):
        super().__init__(message_id, lang, **params)
        self.reason = reason


class UrlFailure(Exception):
    """One URL's failure: why, whether the URL should rest, whether another URL may help."""

    def __init__(
        self, reason: str, params: dict[str, object], *, rest: bool, try_next: bool = True
    ):
        super().__init__(reason)
        self.reason, self.params, self.rest, self.try_next = reason, params, rest, try_next

    @property
    def message_id(self) -> str:
        return f"endpoint.err.{self.reason}"

    def stored(self) -> str:
        """For the pool's health: shown later in the reader's language."""
        return said(self.message_id, **self.params)


def failure_detail(exc: Exception) -> str:
    """The server's own message about a failed request, shortened."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)[:200]
    return str(getattr(exc, "message", "") or exc)[:200]
