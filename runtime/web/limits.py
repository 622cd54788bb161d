"""Request size limits, enforced while the body arrives, never after.

A body that states its length is refused on that length before a byte is read. A
chunked body is read up to the limit and refused the moment it passes it: a 400 MB
chunked POST to a WeCom callback used to be read whole (783 MiB) before any check.
Uploads to the studio stream to disk, so they are watched file by file as they
arrive: a `.gguf` model may be up to 20 GB, any other file up to 20 MB; past that,
Gradio's parser is stopped (it deletes what it had written) and the user gets a
413 that names the file and the limit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.formparsers import MultiPartException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.i18n import t
from runtime.web.guard import respond

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

log = logging.getLogger(__name__)
KB, MB, GB = 1024, 1024**2, 1024**3
CALLBACK_BYTES = 256 * KB  # a WeCom callback is a few KB; anything near this is not WeCom
API_BYTES = 1 * MB  # an API call: a conversation of text
CHAT_BYTES = 16 * KB  # the web chat page sends one message at a time
FORM_BYTES = 64 * KB  # sign-in and sign-out forms
UPLOAD_ROUTE = re.compile(r"/studio/[a-z]+/gradio_api/upload")
MULTIPART_SLACK = 1 * MB  # part headers and boundaries around the files themselves


@dataclass(frozen=True)
class Limits:
    model_file: int = 20 * GB  # one uploaded .gguf file
    other_file: int = 20 * MB  # one uploaded file of any other kind
    body: int = 20 * MB  # any other request body to the studio

    def for_path(self, path: str) -> int:
        if path.startswith("/wecom/"):
            return CALLBACK_BYTES
        if path.startswith("/v1/"):
            return API_BYTES
        if path.startswith("/chat/"):
            return CHAT_BYTES
        if path in ("/login", "/logout"):
            return FORM_BYTES
        if UPLOAD_ROUTE.fullmatch(path):
            return self.model_file + MULTIPART_SLACK
        return self.body

    def for_file(self, name: str) -> int:
        return self.model_file if name.lower().endswith(".gguf") else self.other_file


def size_text(size: int) -> str:
    for unit, factor in (("GB", GB), ("MB", MB), ("KB", KB)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} B"


class _TooLarge(Exception):
    def __init__(self, name: str, limit: int):
        self.name, self.limit = name, limit


class _UploadWatch:
    """Follows a multipart body as it streams, counting each file's bytes against the
    limit for its kind (the same parser Gradio uses, so both see the same parts)."""

    def __init__(self, boundary: bytes, limits: Limits):
        self.limits = limits
        self.field = b""
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.size = 0
        self.limit = limits.other_file
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: setattr(self, "field", self.field + d[s:e]),
            "on_header_value": self._header_value,
            "on_header_end": lambda: setattr(self, "field", b""),
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
        }
        self.parser = MultipartParser(boundary, callbacks)

    def _begin(self) -> None:
        self.headers, self.field, self.size = {}, b"", 0

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        key = self.field.lower()
        self.headers[key] = self.headers.get(key, b"") + data[start:end]

    def _headers_done(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        raw = params.get(b"filename", b"")
        self.name = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        self.limit = self.limits.for_file(self.name)

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.size > self.limit:
            raise _TooLarge(self.name, self.limit)

    def feed(self, chunk: bytes) -> None:
        self.parser.write(chunk)


class BodyLimit:
    """ASGI middleware: the size limits above, for every route that takes a body."""

    def __init__(self, app: ASGIApp, limits: Limits, lang: Callable[[], str]):
        self.app = app
        self.limits = limits
        self.lang = lang

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = self.limits.for_path(path)
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            return await self._too_large(send, path, limit)
        if UPLOAD_ROUTE.fullmatch(path):
            return await self._watched_upload(scope, receive, send, headers, limit)
        if declared.isdigit():
            return await self.app(scope, receive, send)  # the server stops at its length
        # No stated length (chunked): read up to the limit here, then hand it on whole.
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay(message, receive), send)
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                return await self._too_large(send, path, limit)
        first = {"type": "http.request", "body": bytes(body), "more_body": False}
        return await self.app(scope, _replay(first, receive), send)

    async def _watched_upload(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes], limit: int
    ) -> None:
        _, params = parse_options_header(headers.get(b"content-type", b""))
        boundary = params.get(b"boundary")
        if not boundary:
            return await self.app(scope, receive, send)  # Gradio refuses it with a 400
        watch = _UploadWatch(boundary, self.limits)
        refused: list[str] = []
        total = 0
        lost = False  # the watcher could not follow the parts: hold all to one file's limit

        async def watched_receive() -> Message:
            nonlocal total, lost
            message = await receive()
            if message["type"] == "http.request" and not refused:
                chunk = message.get("body", b"")
                total += len(chunk)
                try:
                    if total > limit or (lost and total > self.limits.other_file):
                        raise _TooLarge("", limit if not lost else self.limits.other_file)
                    if not lost:
                        watch.feed(chunk)
                except _TooLarge as exc:
                    refused.append(self._file_message(exc))
                    log.warning("upload to %s refused (413): %s", path, refused[0])
                    # Gradio's parser deletes the files it had begun on this exception.
                    raise MultiPartException("File size exceeded maximum allowed size") from None
                except Exception:
                    lost = True
            return message

        path = scope.get("path", "")
        replaced = False

        async def answer(message: Message) -> None:
            nonlocal replaced
            if not refused:
                return await send(message)
            if not replaced:  # Gradio's English 413 becomes ours, in the user's language
                replaced = True
                await respond(send, 413, refused[0], path=path)

        await self.app(scope, watched_receive, answer)

    def _file_message(self, exc: _TooLarge) -> str:
        if not exc.name:
            shown = exc.limit - MULTIPART_SLACK if exc.limit > MULTIPART_SLACK else exc.limit
            return t("limit.body", self.lang(), limit=size_text(shown))
        return t("limit.file", self.lang(), file=exc.name[:200], limit=size_text(exc.limit))

    async def _too_large(self, send: Send, path: str, limit: int) -> None:
        shown = limit - MULTIPART_SLACK if UPLOAD_ROUTE.fullmatch(path) else limit
        message = t("limit.body", self.lang(), limit=size_text(shown))
        log.warning("request to %s refused (413): body over %d bytes", path[:200], shown)
        await respond(send, 413, message, [(b"connection", b"close")], path)


def _replay(first: Message, receive: Receive) -> Receive:
    """A receive() that gives the buffered body once, then the real channel (so the
    app still hears a disconnect)."""
    pending = [first]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed
