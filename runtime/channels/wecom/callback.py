"""What every WeCom callback route shares: refusing with a reason in the log, verifying
the URL, the time window of a signature, and reading a body of bounded size."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
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


class _NoDoctype(ET.TreeBuilder):
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise ValueError("XML declarations are not accepted")


def parse_xml(raw: bytes) -> dict[str, str]:
    """A flat WeCom XML message as a dict. A document type declaration is refused as the
    parser meets it, in whatever encoding it comes: WeCom sends none, and the entities it
    declares are how XML bombs work. ET.ParseError or ValueError when it is not WeCom XML."""
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(raw)
        root = parser.close()
    except LookupError:  # an encoding Python does not know
        raise ValueError("XML in an unknown encoding") from None
    return {child.tag: (child.text or "") for child in root}


async def read_encrypted_xml(
    mode: str,
    crypto: WeComCrypto | None,
    bot_id: str,
    request: Request,
    now: float,
    msg_signature: str,
    timestamp: str,
    nonce: str,
) -> dict[str, str] | Response:
    """The fields of a signed, encrypted WeCom XML callback (the self-built app's and
    微信客服's), or the refusal to answer with: a body too big or out of its time window,
    a bot without the binding, not XML with Encrypt, a bad signature, not XML inside."""
    raw = await read_body(mode, crypto, bot_id, request, now, timestamp)
    if isinstance(raw, Response):
        return raw
    assert crypto is not None  # read_body refused a bot without the binding
    try:
        encrypted = parse_xml(raw)["Encrypt"]
    except (ET.ParseError, ValueError, KeyError) as exc:
        return refused(mode, 400, bot_id, f"body is not WeCom XML with Encrypt: {exc}")
    try:
        plain = crypto.open(msg_signature, timestamp, nonce, encrypted)
        return parse_xml(plain.encode())
    except CryptoError as exc:
        return crypto_failure(mode, bot_id, exc)
    except (ET.ParseError, ValueError) as exc:
        return refused(mode, 400, bot_id, f"decrypted message is not XML: {exc}")
