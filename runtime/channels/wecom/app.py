"""The self-built app (自建应用) callback: XML in, `message/send` out.

WeCom gives up after 5 seconds and retries, so the answer is an empty 200 as soon
as the message is journaled; the reply follows through the outbox, with an
access token that is cached and fetched again when WeCom says it expired.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import Any

import requests
from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime.channels.adapter import Adapter, Parts
from runtime.channels.intake import Intake
from runtime.channels.wecom.callback import callback_router, read_encrypted_xml, refused
from runtime.dialogue import Dialogue, UnknownBot
from runtime.inbox import Inbound, Inbox, InboxMessage, ReplyRoute
from runtime.outbox import Outbox, Sender
from runtime.responder import Deliver, Responder
from runtime.spec import SpecError
from runtime.wecom.bindings import Bindings
from runtime.wecom.config import api_base
from runtime.wecom.crypto import WeComCrypto
from runtime.wecom.split import TEXT_LIMIT, split_message
from runtime.wecom.webhook import SendResult, classify

log = logging.getLogger(__name__)
EXPIRED = {40014, 42001, 42007, 42009}


class AppTokens:
    """Access tokens per app, cached until they expire or WeCom says they did."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, corp_id: str, secret: str, *, fresh: bool = False) -> str:
        with self._lock:
            cached = self._tokens.get((corp_id, secret))
            if cached and not fresh and cached[1] > time.time():
                return cached[0]
            answer = requests.get(
                f"{api_base()}/cgi-bin/gettoken",
                params={"corpid": corp_id, "corpsecret": secret},
                timeout=10,
            ).json()
            if answer.get("errcode", 0) != 0:
                raise PermissionError(
                    f"gettoken errcode {answer.get('errcode')}: {answer.get('errmsg')}"
                )
            expires = time.time() + int(answer.get("expires_in", 7200)) - 300
            token: str = answer["access_token"]  # from WeCom's JSON
            self._tokens[(corp_id, secret)] = (token, expires)
            return token


def send_app_message(
    bindings: Bindings, tokens: AppTokens, bot_id: str, body: dict[str, Any]
) -> SendResult:
    binding = bindings.get(bot_id, "app")
    if binding is None:
        return SendResult(False, error="no app binding")
    for fresh in (False, True):  # a second try with a new token if the cached one expired
        try:
            token = tokens.get(binding["corp_id"], binding["secret"], fresh=fresh)
            response = requests.post(
                f"{api_base()}/cgi-bin/message/send",
                params={"access_token": token},
                json=body,
                timeout=10,
            )
        except PermissionError as exc:
            return SendResult(False, broken=True, error=str(exc))
        except requests.RequestException as exc:
            return SendResult(False, retry=True, error=f"network: {type(exc).__name__}")
        try:
            code = response.json().get("errcode", 0)
        except ValueError:
            code = None
        if code not in EXPIRED:
            return classify(response)
    return SendResult(False, retry=True, error="access token keeps expiring")


class AppChannel(Adapter):
    name = "app"

    def __init__(
        self,
        bindings: Bindings,
        dialogue: Dialogue,
        inbox: Inbox,
        responder: Responder,
        intake: Intake,
    ):
        self.bindings = bindings
        self.dialogue = dialogue
        self.inbox = inbox
        self.responder = responder
        self.intake = intake
        self.clock = time.time  # callbacks' timestamps are checked against it
        self.tokens = AppTokens()  # for message/send

    @classmethod
    def build(cls, parts: Parts) -> AppChannel:
        return cls(parts.bindings, parts.dialogue, parts.inbox, parts.responder, parts.intake)

    @staticmethod
    def deliverers(outbox: Outbox, bindings: Bindings, dialogue: Dialogue) -> dict[str, Deliver]:
        return app_deliverers(outbox, bindings)

    def routes(self) -> list[APIRouter]:
        return [app_routes(self)]

    def senders(self) -> dict[str, Sender]:
        def send(channel: str, target: str, body: dict[str, Any], bot_id: str) -> SendResult:
            return send_app_message(self.bindings, self.tokens, bot_id, body)

        return {"app": send}

    def crypto(self, bot_id: str) -> WeComCrypto | None:
        binding = self.bindings.get(bot_id, "app")
        if binding is None:
            return None
        return WeComCrypto(binding["token"], binding["aes_key"], binding["corp_id"])

    def handle(self, bot_id: str, message: dict[str, str]) -> None:
        self.dialogue.spec(bot_id)  # an unknown or broken bot is refused before journaling
        kind = message.get("MsgType")
        user = message.get("FromUserName", "")
        if kind == "event":
            self.inbox.record_event(bot_id, message.get("Event", "event"), user, message)
            return
        if kind != "text" or not message.get("Content", "").strip():
            return
        msgid = message.get("MsgId") or f"{user}:{message.get('CreateTime', '')}"
        inbound = Inbound(
            channel="app",
            bot_id=bot_id,
            msgid=msgid,
            conversation=user,
            speaker=user,
            text=message["Content"].strip(),
            route=ReplyRoute("app"),
        )
        inbox_id, first = self.inbox.accept(inbound)
        if first:
            self.responder.submit(inbox_id)


def app_deliverers(outbox: Outbox, bindings: Bindings) -> dict[str, Deliver]:
    """How a self-built app's answers leave, for the responder: message/send to the writer."""

    def to_app(message: InboxMessage, answer: str, db: sqlite3.Connection) -> None:
        binding = bindings.get(message.bot_id, "app") or {}
        agent = int(binding.get("agent_id") or 0)
        bodies = [
            {"touser": message.speaker, "msgtype": "text", "agentid": agent, "text": {"content": p}}
            for p in split_message(answer, TEXT_LIMIT)
        ]
        target = f"app:{message.speaker}"
        outbox.enqueue(message.bot_id, "app", target, bodies, inbox_id=message.id, db=db)

    return {"app": to_app}


def app_routes(channel: AppChannel) -> APIRouter:
    router = callback_router("app", channel.crypto, lambda: channel.clock())

    @router.post("/wecom/app/{bot_id}")
    async def receive(
        bot_id: str, request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
    ) -> Response:
        message = await read_encrypted_xml(
            "app",
            channel.crypto(bot_id),
            bot_id,
            request,
            channel.clock(),
            msg_signature,
            timestamp,
            nonce,
        )
        if isinstance(message, Response):
            return message
        try:
            await channel.intake.run(channel.handle, bot_id, message)
        except (UnknownBot, SpecError) as exc:
            return refused("app", 404, bot_id, f"bot cannot answer: {exc}")
        return Response(status_code=200)  # at once; the reply goes through message/send

    return router
