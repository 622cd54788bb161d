"""The studio password: once set, every page and API call needs it, except WeCom's
callbacks (WeCom signs those itself) and /healthz.

A browser signs in once and gets a signed cookie naming a session the server keeps
(so signing out really ends it); scripts may send the password with HTTP Basic auth
instead, checked off the event loop and limited per client (see passwords.py).
This is a plain ASGI middleware so that Gradio's streamed responses pass through
unbuffered.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from runtime.i18n import t
from runtime.store.settings import Settings
from runtime.web.guard import respond
from runtime.web.passwords import PasswordChecker

COOKIE = "botstudio_session"
SESSION_SECONDS = 7 * 24 * 3600
# WeCom signs its callbacks; the API has its own keys; the web chat page is public by
# the bot's choice (web_chat.enabled) and reaches nothing of the studio
OPEN_PREFIXES = ("/healthz", "/wecom/", "/v1/", "/chat/", "/login", "/logout", "/favicon.ico")
SESSIONS_KEY = "sessions"  # in the settings store: {session id: expiry}


def make_session(key: bytes, now: float | None = None, sid: str | None = None) -> str:
    expiry = str(int((now or time.time()) + SESSION_SECONDS))
    sid = sid or secrets.token_urlsafe(18)
    signed = f"{expiry}.{sid}"
    signature = hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()
    return f"{signed}.{signature}"


def session_id(key: bytes, value: str, now: float | None = None) -> str | None:
    """The session id in a cookie value that is signed and not expired; else None."""
    expiry, _, rest = value.partition(".")
    sid, _, signature = rest.partition(".")
    if not expiry.isdigit() or not sid or int(expiry) < (now or time.time()):
        return None
    expected = hmac.new(key, f"{expiry}.{sid}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return None
    return sid


def valid_session(key: bytes, value: str, now: float | None = None) -> bool:
    return session_id(key, value, now) is not None


def safe_next(target: str | None) -> str:
    """Only paths on this server: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"  # browsers read "/\evil.example" as "//evil.example"
    return target


class Sessions:
    """Signed-in browsers, kept server-side in the settings store so that signing out
    (or setting a new password, which changes the signing key) ends a session."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def start(self) -> str:
        now = time.time()
        value = make_session(self.settings.session_key(), now)
        sid = value.split(".")[1]
        live = {k: v for k, v in (self.settings.get(SESSIONS_KEY) or {}).items() if v > now}
        live[sid] = now + SESSION_SECONDS
        self.settings.set(SESSIONS_KEY, live)
        return value

    def active(self, value: str) -> bool:
        sid = session_id(self.settings.session_key(), value)
        return sid is not None and sid in (self.settings.get(SESSIONS_KEY) or {})

    def end(self, value: str) -> None:
        sid = session_id(self.settings.session_key(), value)
        live = self.settings.get(SESSIONS_KEY) or {}
        if sid in live:
            del live[sid]
            self.settings.set(SESSIONS_KEY, live)


def cookie_value(headers: dict[bytes, bytes]) -> str:
    try:
        cookie = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
    except CookieError:
        return ""
    return cookie[COOKIE].value if COOKIE in cookie else ""


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "?"


def basic_password(headers: dict[bytes, bytes]) -> str | None:
    """The password of an HTTP Basic Authorization header; None without one ("" if bad)."""
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if not auth.lower().startswith("basic "):
        return None
    try:
        return base64.b64decode(auth[6:], validate=True).decode().partition(":")[2]
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return ""


class PasswordGate:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        checker: PasswordChecker,
        lang: Callable[[], str],
    ):
        self.app = app
        self.settings = settings
        self.sessions = Sessions(settings)
        self.checker = checker
        self.lang = lang

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path.startswith(OPEN_PREFIXES) or not self.settings.has_password():
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        session = cookie_value(headers)
        if session and self.sessions.active(session):
            return await self.app(scope, receive, send)
        password = basic_password(headers)
        if password:
            verdict = await self.checker.check(client_address(scope), password)
            if verdict.ok:
                return await self.app(scope, receive, send)
            # A wrong or refused guess is answered a second late: a flood then waits on
            # itself instead of keeping the event loop busy (nothing is blocked meanwhile).
            await asyncio.sleep(self.checker.delay)
            if verdict.retry_after:
                if scope["type"] == "websocket":
                    return await send({"type": "websocket.close", "code": 1008})
                message = t("login.too_many", self.lang(), seconds=verdict.retry_after)
                retry = [(b"retry-after", str(verdict.retry_after).encode())]
                return await respond(send, 429, message, retry)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        wants_page = scope.get("method") == "GET" and b"text/html" in headers.get(b"accept", b"")
        if wants_page:
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            location = f"/login?next={quote(target, safe='')}"
            response_headers = [(b"location", location.encode())]
            await send({"type": "http.response.start", "status": 303, "headers": response_headers})
            return await send({"type": "http.response.body", "body": b""})
        challenge = [(b"www-authenticate", b'Basic realm="BotStudio"')]
        await respond(send, 401, t("auth.required", self.lang()), challenge)
