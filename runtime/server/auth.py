"""The studio password: once set, every page and API call needs it, except WeCom's
callbacks (WeCom signs those itself) and /healthz.

A browser signs in once and gets a signed cookie; scripts may send the password
with HTTP Basic auth instead. This is a plain ASGI middleware so that Gradio's
streamed responses pass through unbuffered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from http.cookies import SimpleCookie

from runtime.store.settings import Settings

COOKIE = "botstudio_session"
SESSION_SECONDS = 7 * 24 * 3600
OPEN_PREFIXES = ("/healthz", "/wecom/", "/login", "/favicon.ico")


def make_session(key: bytes, now: float | None = None) -> str:
    expiry = str(int((now or time.time()) + SESSION_SECONDS))
    signature = hmac.new(key, expiry.encode(), hashlib.sha256).hexdigest()
    return f"{expiry}.{signature}"


def valid_session(key: bytes, value: str, now: float | None = None) -> bool:
    expiry, _, signature = value.partition(".")
    if not expiry.isdigit() or int(expiry) < (now or time.time()):
        return False
    expected = hmac.new(key, expiry.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def safe_next(target: str | None) -> str:
    """Only paths on this server: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


class PasswordGate:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    def _allowed(self, headers: dict[bytes, bytes]) -> bool:
        cookie = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
        if COOKIE in cookie and valid_session(self.settings.session_key(), cookie[COOKIE].value):
            return True
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("basic "):
            try:
                _, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return self.settings.check_password(password)
        return False

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path.startswith(OPEN_PREFIXES) or not self.settings.has_password():
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        if self._allowed(headers):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        wants_page = scope.get("method") == "GET" and b"text/html" in headers.get(b"accept", b"")
        if wants_page:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            from urllib.parse import quote

            location = f"/login?next={quote(target, safe='')}"
            response_headers = [(b"location", location.encode())]
            await send({"type": "http.response.start", "status": 303, "headers": response_headers})
            return await send({"type": "http.response.body", "body": b""})
        body = b'{"error": "the studio password is required"}'
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Basic realm="BotStudio"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
