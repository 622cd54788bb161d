"""Host and Origin checks, and the headers every response carries.

With no password (the default on loopback) the studio trusts whoever can reach the
port; a web page the user visits could reach it too, through a host name that an
attacker's DNS points at 127.0.0.1 (DNS rebinding) or through a cross-site request.
So a request must name this server in `Host` (an IP address, `localhost`, the
address it listens on, or a name the user listed with --allowed-host), and a
request that carries an `Origin` must come from this server's own pages. WeCom's
callbacks are signed by WeCom and may come from anywhere: they skip the Origin
check (WeCom sends none), not the Host check. The OpenAI-compatible API (`/v1/`) skips
neither: its key replaces the studio password, but a browser calling it from another
site's page carries that site's Origin and is refused, so a key can never be spent by
a web page (callers are servers, which send no Origin; no CORS headers are ever sent).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runtime.i18n import t

log = logging.getLogger(__name__)
SIGNED_ELSEWHERE = ("/wecom/",)  # callbacks carry WeCom's signature instead
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
_REPLACED = {name for name, _ in SECURITY_HEADERS} | {
    b"access-control-allow-origin",
    b"access-control-allow-credentials",
}


def host_name(host: str) -> str:
    """`example.com:7860` -> `example.com`; `[::1]:7860` -> `::1`; lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _netloc(scheme: str, host: str) -> str:
    """host[:port] with the scheme's default port made explicit, for comparing."""
    name = host_name(host)
    port = host.rpartition(":")[2] if not host.endswith("]") and host.count(":") == 1 else ""
    if host.startswith("[") and "]:" in host:
        port = host.rpartition("]:")[2]
    if not port.isdigit():
        port = "443" if scheme == "https" else "80"
    return f"{name}:{port}"


class RequestGuard:
    """ASGI middleware: refuses foreign hosts and origins, adds the security headers,
    and never lets an app reflect a foreign Origin with credentials."""

    def __init__(
        self,
        app: ASGIApp,
        listen_host: str,
        allowed_hosts: Iterable[str],
        lang: Callable[[], str],
    ):
        self.app = app
        self.lang = lang
        self.listed = {host_name(h) for h in allowed_hosts if h.strip()}
        self.allowed_names = self.listed | {"localhost", host_name(listen_host)}

    def host_allowed(self, host: str) -> bool:
        # An IP address in Host cannot be a rebound name: the browser's origin is then
        # that very address, so the same-origin policy already protects it.
        name = host_name(host)
        return bool(name) and (name in self.allowed_names or _is_ip(name))

    def origin_allowed(self, origin: str, host: str) -> bool:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False  # "null" (sandboxed frames, files) and anything odd
        if parts.hostname.rstrip(".") in self.listed:
            return True  # a listed public name, e.g. behind an HTTPS proxy that rewrites Host
        # The Host header carries no scheme: read its default port as the Origin's.
        return _netloc(parts.scheme, parts.netloc) == _netloc(parts.scheme, host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers") or []}
        host = headers.get(b"host", b"").decode("latin-1")
        path = scope.get("path", "")
        if not host:
            return await self._refuse(scope, send, 400, t("guard.no_host", self.lang()), path)
        if not self.host_allowed(host):
            message = t("guard.bad_host", self.lang(), host=host_name(host))
            return await self._refuse(scope, send, 421, message, path)
        origin = headers.get(b"origin", b"").decode("latin-1")
        if (
            origin
            and not path.startswith(SIGNED_ELSEWHERE)
            and not self.origin_allowed(origin, host)
        ):
            message = t("guard.bad_origin", self.lang(), origin=origin[:100])
            return await self._refuse(scope, send, 403, message, path)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _REPLACED]
                message = {**message, "headers": kept + SECURITY_HEADERS}
            await send(message)

        return await self.app(scope, receive, with_headers)

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str, path: str) -> None:
        log.warning("request to %s refused (%d): %s", path[:200], status, message)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        await respond(send, status, message, path=path)


# The OpenAI-compatible API's clients read errors in OpenAI's shape, also those that the
# guards in front of it give (a body too large, a page elsewhere): type and code by status.
API_PREFIX = "/v1/"
API_ERRORS = {
    403: ("permission_error", "origin_not_allowed"),
    413: ("invalid_request_error", "request_too_large"),
    421: ("invalid_request_error", "host_not_allowed"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


async def respond(
    send: Send,
    status: int,
    message: str,
    extra: list[tuple[bytes, bytes]] | None = None,
    path: str = "",
) -> None:
    """A small JSON error answer with the security headers: {"error": message}, or for the
    API (`path` under /v1/) {"error": {"message", "type", "param", "code"}}."""
    error: object = message
    if path.startswith(API_PREFIX):
        kind, code = API_ERRORS.get(status, ("invalid_request_error", None))
        error = {"message": message, "type": kind, "param": None, "code": code}
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
