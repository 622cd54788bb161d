"""The AI bot (智能机器人) callback: GET verifies the URL, POST delivers messages.

Order on POST: size check, JSON check, signature check (constant time), decrypt,
then journal, then answer WeCom at once. Generation happens in the responder. A
streamed reply is served from the stream board to WeCom's refresh callbacks; a
markdown reply goes to the message's response_url through the outbox.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.intake import Intake
from runtime.channels.wecom.callback import callback_router, crypto_failure, read_body, refused
from runtime.dialogue import Dialogue, UnknownBot
from runtime.i18n import t
from runtime.inbox import Inbound, Inbox, InboxMessage, ReplyRoute
from runtime.outbox import Outbox
from runtime.responder import Deliver, Responder, StreamBoard
from runtime.spec import SpecError
from runtime.wecom.bindings import Bindings
from runtime.wecom.crypto import CryptoError, WeComCrypto
from runtime.wecom.messages import malformed, stream_id, text_of, triggered
from runtime.wecom.split import split_message

log = logging.getLogger(__name__)
RESPONSE_LIMIT = 20480
# feedback_event.type -> 👍 / 👎 / withdrawn (looked up with whatever the JSON holds)
FEEDBACK_VALUES: dict[object, int] = {1: 1, 2: -1, 3: 0}


class AIBotChannel(Adapter):
    name = "aibot"

    def __init__(
        self,
        bindings: Bindings,
        dialogue: Dialogue,
        inbox: Inbox,
        responder: Responder,
        streams: StreamBoard,
        intake: Intake,
    ):
        self.bindings = bindings
        self.dialogue = dialogue
        self.inbox = inbox
        self.responder = responder
        self.streams = streams
        self.intake = intake
        self.clock = time.time  # callbacks' timestamps are checked against it

    @classmethod
    def build(cls, parts: Parts) -> AIBotChannel:
        return cls(
            parts.bindings,
            parts.dialogue,
            parts.inbox,
            parts.responder,
            parts.streams,
            parts.intake,
        )

    @staticmethod
    def deliverers(outbox: Outbox, bindings: Bindings, dialogue: Dialogue) -> dict[str, Deliver]:
        return aibot_deliverers(outbox)

    def routes(self) -> list[APIRouter]:
        return [aibot_routes(self)]

    def crypto(self, bot_id: str) -> WeComCrypto | None:
        binding = self.bindings.get(bot_id, "aibot")
        if binding is None:
            return None
        return WeComCrypto(binding["token"], binding["aes_key"], "")

    # --- a decrypted callback -------------------------------------------------

    def handle(
        self,
        bot_id: str,
        payload: dict[str, Any],
        channel: str = "aibot",
        req_id: str | None = None,
    ) -> dict[str, Any] | None:
        """The passive reply (plaintext) to one decrypted callback, or None for an empty one."""
        kind = payload.get("msgtype")
        if kind == "stream":  # WeCom polling a streamed reply
            return self._refresh(bot_id, str((payload.get("stream") or {}).get("id", "")))
        if kind == "event":
            event = payload.get("event") or {}
            user = (payload.get("from") or {}).get("userid")
            if event.get("eventtype") == "feedback_event":
                self._feedback(bot_id, str(user or ""), event.get("feedback_event") or {})
            else:
                self.inbox.record_event(bot_id, str(event.get("eventtype")), user, event)
            return None
        spec = self.dialogue.spec(bot_id)
        words = text_of(payload)
        user = str((payload.get("from") or {}).get("userid", ""))
        chattype = str(payload.get("chattype", "single"))
        if words is None:
            return _stream_reply(
                stream_id(bot_id, str(payload["msgid"])), t("reply.text_only", spec.language), True
            )
        words = triggered(spec, chattype, words)
        if not words:
            return None
        sid = stream_id(bot_id, str(payload["msgid"]))
        streamed = spec.wecom.reply_format == "stream"
        shown = sid if streamed else None
        if req_id is not None:  # the long connection answers on the socket, by req_id
            route = ReplyRoute("longconn", stream_id=shown, req_id=req_id)
        elif streamed:
            route = ReplyRoute("stream", stream_id=sid)
        else:
            route = ReplyRoute("response_url", response_url=payload.get("response_url", ""))
        message = Inbound(
            channel=channel,
            bot_id=bot_id,
            msgid=str(payload["msgid"]),
            conversation=str(payload.get("chatid") or user),
            speaker=user,
            text=words,
            route=route,
        )
        inbox_id, first = self.inbox.accept(message)
        if first:
            self.responder.submit(inbox_id)
            return _stream_reply(sid, "", False) if streamed else None
        # A redelivery: the same stream as it stands now, never a second answer.
        return self._refresh(bot_id, sid) if streamed else None

    def _feedback(self, bot_id: str, user: str, feedback: dict[str, Any]) -> None:
        # type 1: accurate (👍), 2: inaccurate (👎), 3: the user took it back
        value = FEEDBACK_VALUES.get(feedback.get("type"))
        if value is None or not user:
            log.warning("feedback event for %s ignored: type %r", bot_id, feedback.get("type"))
            return
        self.dialogue.feedback(bot_id, user, value, str(feedback.get("id", "")), "wecom")

    def _refresh(self, bot_id: str, sid: str) -> dict[str, Any]:
        current = self.streams.get(sid)
        if current is not None:
            return _stream_reply(sid, *current)
        message = self.inbox.by_stream(bot_id, sid)
        if message is not None and message.state == "answered":  # answered before a restart
            return _stream_reply(sid, message.answer or "", True)
        return _stream_reply(sid, "", False)  # being answered (again, after a restart)


def aibot_deliverers(outbox: Outbox) -> dict[str, Deliver]:
    """How an AI bot's answers leave, for the responder: by route mode."""

    def to_response_url(message: InboxMessage, answer: str, db: sqlite3.Connection) -> None:
        bodies = [
            {"msgtype": "markdown", "markdown": {"content": piece}}
            for piece in split_message(answer, RESPONSE_LIMIT)
        ]
        outbox.enqueue(
            message.bot_id,
            "response_url",
            message.route.response_url or "",
            bodies[:1],
            inbox_id=message.id,
            db=db,
        )  # response_url takes one message: longer answers are cut at the limit

    def to_long_connection(message: InboxMessage, answer: str, db: sqlite3.Connection) -> None:
        route = message.route
        if route.stream_id:
            body = _stream_reply(route.stream_id, answer, True)
        else:
            body = {"msgtype": "markdown", "markdown": {"content": answer}}
        item = {"cmd": "aibot_respond_msg", "headers": {"req_id": route.req_id}, "body": body}
        outbox.enqueue(message.bot_id, "longconn", message.bot_id, [item], db=db)

    return {"response_url": to_response_url, "longconn": to_long_connection}


def _stream_reply(sid: str, content: str, finished: bool) -> dict[str, Any]:
    # feedback.id lets the user rate the reply; WeCom sends it back in a feedback_event
    stream = {"id": sid, "finish": finished, "content": content, "feedback": {"id": sid}}
    return {"msgtype": "stream", "stream": stream}


def aibot_routes(channel: AIBotChannel) -> APIRouter:
    router = callback_router("aibot", channel.crypto, lambda: channel.clock())

    @router.post("/wecom/aibot/{bot_id}")
    async def receive(
        bot_id: str, request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
    ) -> Response:
        crypto = channel.crypto(bot_id)
        raw = await read_body("aibot", crypto, bot_id, request, channel.clock(), timestamp)
        if isinstance(raw, Response):
            return raw
        assert crypto is not None  # read_body refused a bot without the binding
        try:
            encrypted = json.loads(raw)["encrypt"]
            if not isinstance(encrypted, str):
                raise TypeError
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: nested
            return refused("aibot", 400, bot_id, "body is not JSON with an 'encrypt' string")
        try:
            plain = crypto.open(msg_signature, timestamp, nonce, encrypted)
        except CryptoError as exc:
            return crypto_failure("aibot", bot_id, exc)
        try:
            payload = json.loads(plain)
        except (ValueError, RecursionError):
            return refused("aibot", 400, bot_id, "decrypted message is not JSON")
        problem = malformed(payload)
        if problem is not None:
            return refused("aibot", 400, bot_id, f"decrypted message is not WeCom's: {problem}")
        try:
            reply = await channel.intake.run(channel.handle, bot_id, payload)
        except (UnknownBot, SpecError) as exc:
            return refused("aibot", 404, bot_id, f"bot cannot answer: {exc}")
        except KeyError as exc:
            return refused("aibot", 400, bot_id, f"message lacks {exc}")
        if reply is None:
            return Response(status_code=200)
        sealed = crypto.seal(json.dumps(reply, ensure_ascii=False), timestamp, nonce)
        return JSONResponse(sealed)

    return router
