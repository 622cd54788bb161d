"""What every WeCom callback route shares: refusing with a reason in the log, verifying
the URL, the time window of a signature, and reading a body of bounded size."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from runtime.wecom.crypto import CryptoError, WeComCrypto

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # a callback is a few KB; anything near this is not WeCom
WINDOW = 300  # seconds a callback's timestamp may be off our clock: an older one is a replay
Clock = Callable[[], float]


def refused(mode: str, status: int, bot_id: str, reason: str) -> Response:
    """A 4xx with one log line that says which callback was refused and why."""
    log.warning("%s callback for %r refused (%d): %s", mode, bot_id, status, reason)
    return JSONResponse({"error": reason}, status_code=status)


def out_of_window(mode: str, bot_id: str, timestamp: str, now: float) -> Response | None:
    """A refusal for a timestamp that is not WeCom's seconds or is more than WINDOW off
    the server clock (a signed callback replayed later), or None for a fresh one."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return refused(mode, 400, bot_id, "timestamp is not a number of seconds")
    off = int(timestamp) - now
    if abs(off) > WINDOW:
        side = "ahead of" if off > 0 else "behind"
        reason = f"timestamp is {abs(off):.0f} s {side} the server clock (more than {WINDOW} s)"
        return refused(mode, 403, bot_id, reason)
    return None


def callback_router(
    mode: str, crypto_for: Callable[[str], WeComCrypto | None], clock: Clock
) -> APIRouter:
    """A router for /wecom/<mode>/<bot> with WeCom's URL check (GET) in place: echo the
    decrypted echostr, verified first, nothing else. The mode adds its POST route."""
    router = APIRouter()

    @router.get(f"/wecom/{mode}/{{bot_id}}")
    def verify(
        bot_id: str,
        msg_signature: str = "",
        timestamp: str = "",
        nonce: str = "",
        echostr: str = "",
    ) -> Response:
        crypto = crypto_for(bot_id)
        if crypto is None:
            return refused(mode, 404, bot_id, f"no {mode} binding for this bot")
        stale = out_of_window(mode, bot_id, timestamp, clock())
        if stale is not None:
            return stale
        try:
            return PlainTextResponse(crypto.open(msg_signature, timestamp, nonce, echostr))
        except CryptoError as exc:
            return refused(mode, 403, bot_id, exc.reason)

    return router


def crypto_failure(mode: str, bot_id: str, error: CryptoError) -> Response:
    status = 403 if error.reason in ("bad signature", "wrong receive id") else 400
    return refused(mode, status, bot_id, error.reason)


async def read_body(
    mode: str,
    crypto: WeComCrypto | None,
    bot_id: str,
    request: Request,
    now: float,
    timestamp: str,
) -> bytes | Response:
    """The request body; or a 404 for a bot without this binding, a refusal for a
    timestamp out of the window, or a 413: refused on its declared length before it is
    read, and on its real length after."""
    if crypto is None:
        return refused(mode, 404, bot_id, f"no {mode} binding for this bot")
    stale = out_of_window(mode, bot_id, timestamp, now)
    if stale is not None:
        return stale
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return refused(mode, 413, bot_id, "body too large")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return refused(mode, 413, bot_id, "body too large")
    return raw
