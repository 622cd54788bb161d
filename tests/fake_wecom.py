"""A fake WeCom on 127.0.0.1 that follows shared/wecom/PROTOCOL.md: the one fake in our tests.

Group push webhooks (key check, byte limits, 20 messages per minute per key, the
documented errcodes), AI-bot response URLs (markdown only, 20480 bytes), and a
client side that encrypts, signs and delivers AI-bot callbacks to our server, the
way WeCom does. Its clock can be set, so a test of pacing need not wait minutes.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect

from runtime.wecom.crypto import WeComCrypto

LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
PER_MINUTE = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class FakeWeCom:
    keys: set[str] = field(default_factory=set)
    now: float | None = None  # None: real time
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key -> bodies
    rejected: list[tuple[str, int]] = field(default_factory=list)  # (key, errcode)
    responses: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # response_url token
    fail_next: list[int] = field(default_factory=list)  # errcodes to answer next, whatever comes
    apps: dict[str, str] = field(default_factory=dict)  # corpid -> corpsecret
    tokens_issued: list[str] = field(default_factory=list)
    app_messages: list[dict[str, Any]] = field(default_factory=list)
    longconn_bots: dict[str, str] = field(default_factory=dict)  # bot_id -> secret
    ws_frames: list[dict[str, Any]] = field(default_factory=list)  # frames bots sent us
    subscribes: int = 0
    _sockets: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # bot_id -> (ws, loop)
    _sent_at: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def clock(self) -> float:
        return time.time() if self.now is None else self.now

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/cgi-bin/webhook/send")
        async def send(request: Request, key: str = ""):
            raw = await request.body()  # before the lock: awaiting under it would block the loop
            with self._lock:
                if self.fail_next:
                    code = self.fail_next.pop(0)
                    self.rejected.append((key, code))
                    return {"errcode": code, "errmsg": "injected"}
                if key not in self.keys:
                    self.rejected.append((key, 93000))
                    return {"errcode": 93000, "errmsg": "invalid webhook url"}
                try:
                    body = json.loads(raw)
                except ValueError:
                    return {"errcode": 40001, "errmsg": "invalid json"}
                kind = body.get("msgtype")
                if kind not in LIMITS:
                    return {"errcode": 40008, "errmsg": "invalid message type"}
                content = (body.get(kind) or {}).get("content", "")
                if not content:
                    return {"errcode": 44004, "errmsg": "empty content"}
                if len(content.encode()) > LIMITS[kind]:
                    self.rejected.append((key, 40058))
                    return {"errcode": 40058, "errmsg": "content exceed max length"}
                now = self.clock()
                recent = [t for t in self._sent_at.get(key, []) if t > now - 60]
                if len(recent) >= PER_MINUTE:
                    self.rejected.append((key, 45009))
                    return {"errcode": 45009, "errmsg": "api freq out of limit"}
                self._sent_at[key] = [*recent, now]
                self.received.setdefault(key, []).append(body)
                return {"errcode": 0, "errmsg": "ok"}

        @app.websocket("/")
        async def long_connection(ws: WebSocket):
            import asyncio

            await ws.accept()
            try:
                hello = json.loads(await ws.receive_text())
                body = hello.get("body") or {}
                req_id = (hello.get("headers") or {}).get("req_id")
                ok = hello.get("cmd") == "aibot_subscribe" and (
                    self.longconn_bots.get(body.get("bot_id")) == body.get("secret")
                )
                ack = {"headers": {"req_id": req_id}, "errcode": 0 if ok else 40001}
                ack["errmsg"] = "ok" if ok else "invalid secret"
                await ws.send_text(json.dumps(ack))
                if not ok:
                    await ws.close()
                    return
                self.subscribes += 1
                self._sockets[body["bot_id"]] = (ws, asyncio.get_running_loop())
                while True:
                    data = json.loads(await ws.receive_text())
                    self.ws_frames.append(data)
                    req_id = (data.get("headers") or {}).get("req_id")
                    await ws.send_text(json.dumps({"headers": {"req_id": req_id}, "errcode": 0}))
            except WebSocketDisconnect:
                pass

        @app.get("/cgi-bin/gettoken")
        async def gettoken(corpid: str = "", corpsecret: str = ""):
            if self.apps.get(corpid) != corpsecret:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = uuid.uuid4().hex
            self.tokens_issued.append(token)
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

        @app.post("/cgi-bin/message/send")
        async def message_send(request: Request, access_token: str = ""):
            if not self.tokens_issued or access_token != self.tokens_issued[-1]:
                return {"errcode": 42001, "errmsg": "access_token expired"}
            body = json.loads(await request.body())
            content = (body.get("text") or {}).get("content", "")
            if body.get("msgtype") != "text" or not content:
                return {"errcode": 44004, "errmsg": "empty content"}
            if len(content.encode()) > 2048:
                return {"errcode": 40058, "errmsg": "content exceed max length"}
            self.app_messages.append(body)
            return {"errcode": 0, "errmsg": "ok"}

        @app.post("/aibot/response/{token}")
        async def respond(token: str, request: Request):
            body = json.loads(await request.body())
            if body.get("msgtype") != "markdown":
                return {"errcode": 40008, "errmsg": "invalid message type"}
            if len(body["markdown"]["content"].encode()) > 20480:
                return {"errcode": 40058, "errmsg": "content exceed max length"}
            with self._lock:
                self.responses.setdefault(token, []).append(body)
            return {"errcode": 0, "errmsg": "ok"}

        return app

    def push_callback(self, bot_id: str, body: dict[str, Any], req_id: str) -> None:
        """WeCom sending a message to a connected bot."""
        text = json.dumps(
            {"cmd": "aibot_msg_callback", "headers": {"req_id": req_id}, "body": body}
        )
        self.push_frame(bot_id, text)

    def push_frame(self, bot_id: str, text: str) -> None:
        """Any text frame on a bot's connection, as is (for malformed ones)."""
        import asyncio

        ws, loop = self._sockets[bot_id]
        asyncio.run_coroutine_threadsafe(ws.send_text(text), loop).result(timeout=10)

    def drop(self, bot_id: str) -> None:
        """The network dropping a bot's connection."""
        import asyncio

        ws, loop = self._sockets.pop(bot_id)
        asyncio.run_coroutine_threadsafe(ws.close(), loop).result(timeout=10)

    def expire_tokens(self) -> None:
        self.tokens_issued.append("expired-" + uuid.uuid4().hex)  # no client holds this one

    def texts(self, key: str) -> list[str]:
        return [b[b["msgtype"]]["content"] for b in self.received.get(key, [])]


class Served:
    """A FastAPI app on a free loopback port, in a thread."""

    def __init__(self, app: FastAPI):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class AIBotSender:
    """WeCom's side of an AI-bot callback: encrypt, sign, POST, decrypt the passive reply."""

    def __init__(self, callback_url: str, token: str, aes_key: str, response_base: str):
        self.url = callback_url
        self.crypto = WeComCrypto(token, aes_key, "")
        self.token = token
        self.response_base = response_base

    def message(
        self,
        text: str,
        *,
        user: str = "zhangsan",
        chat: str | None = None,
        msgid: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "msgid": msgid or uuid.uuid4().hex,
            "aibotid": "AIBOTID",
            "chattype": "group" if chat else "single",
            "from": {"userid": user},
            "response_url": f"{self.response_base}/aibot/response/{uuid.uuid4().hex}",
            "msgtype": "text",
            "text": {"content": text},
        }
        if chat:
            body["chatid"] = chat
        return body

    def signed(self, payload: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        from runtime.wecom.crypto import signature

        encrypted = self.crypto.encrypt(json.dumps(payload, ensure_ascii=False))
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        params = {
            "msg_signature": signature(self.token, timestamp, nonce, encrypted),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        return params, {"encrypt": encrypted}

    def post(self, payload: dict[str, Any], client: httpx.Client | None = None) -> httpx.Response:
        params, body = self.signed(payload)
        return (client or httpx).post(self.url, params=params, json=body, timeout=30)

    def reply_of(self, response: httpx.Response) -> dict[str, Any] | None:
        """The decrypted passive reply, after checking WeCom would accept its signature."""
        if not response.content:
            return None
        sealed = response.json()
        self.crypto.verify(
            sealed["msgsignature"], str(sealed["timestamp"]), sealed["nonce"], sealed["encrypt"]
        )
        return json.loads(self.crypto.decrypt(sealed["encrypt"]))
