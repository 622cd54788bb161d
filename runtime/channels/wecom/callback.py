"""What every WeCom callback route shares: refusing with a reason in the log, verifying
the URL, and opening a signed, encrypted body."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from runtime.channels.wecom.crypto import CryptoError, WeComCrypto

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # a callback is a few KB; anything near this is not WeCom


def refused(mode: str, status: int, bot_id: str, reason: str) -> Response:
    """A 4xx with one log line that says which callback was refused and why."""
    log.warning("%s callback for %r refused (%d): %s", mode, bot_id, status, reason)
    return JSONResponse({"error": reason}, status_code=status)


def callback_router(mode: str, crypto_for: Callable[[str], WeComCrypto | None]) -> APIRouter:
    """A router for /wecom/<mode>/<bot> with WeCom's URL check (GET) in place: echo the
    decrypted echostr, verified first, nothing else. The mode adds its POST route."""
    router = APIRouter()

    @router.get(f"/wecom/{mode}/{{bot_id}}")
    def verify(
        bot_id: str, msg_signature: str = "", timestamp: str = "", nonce: str = "",
        echostr: str = "",
    ) -> Response:  # fmt: skip
        crypto = crypto_for(bot_id)
        if crypto is None:
            return refused(mode, 404, bot_id, f"no {mode} binding for this bot")
        try:
            return PlainTextResponse(crypto.open(msg_signature, timestamp, nonce, echostr))
        except CryptoError as exc:
            return refused(mode, 403, bot_id, exc.reason)

    return router


def crypto_failure(mode: str, bot_id: str, error: CryptoError) -> Response:
    status = 403 if error.reason in ("bad signature", "wrong receive id") else 400
    return refused(mode, status, bot_id, error.reason)


async def read_body(
    mode: str, crypto: WeComCrypto | None, bot_id: str, request: Request
) -> bytes | Response:
    """The request body; or a 404 for a bot without this binding, or a 413: refused on
    its declared length before it is read, and on its real length after."""
    if crypto is None:
        return refused(mode, 404, bot_id, f"no {mode} binding for this bot")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return refused(mode, 413, bot_id, "body too large")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return refused(mode, 413, bot_id, "body too large")
    return raw
