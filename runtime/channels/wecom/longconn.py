"""The AI bot long connection: a WebSocket to WeCom, for machines without a public address.

One connection per bound bot, each on its own thread with its own asyncio loop.
Subscribe with the bot id and secret, ping every 30 s, reconnect with backoff
(forever: a desktop that slept all weekend must come back by itself). Messages
take the same path as callbacks (journal, dedup by msgid, also across
reconnects; responder; outbox), and replies go back as `aibot_respond_msg` with
the callback's req_id. A streamed reply is pushed as it grows.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from runtime.channels.adapter import Adapter, Parts
from runtime.wecom.bindings import Bindings
from runtime.wecom.config import ws_base
from runtime.wecom.messages import malformed
from runtime.wecom.webhook import SendResult

if TYPE_CHECKING:
    from runtime.outbox import Sender

log = logging.getLogger(__name__)
PING_SECONDS = 30.0
STREAM_PUSH_SECONDS = 0.4


def frame(cmd: str | None, body: dict[str, Any] | None = None, req_id: str | None = None) -> str:
    data: dict[str, Any] = {"headers": {"req_id": req_id or uuid.uuid4().hex}}
    if cmd:
        data["cmd"] = cmd
    if body is not None:
        data["body"] = body
    return json.dumps(data, ensure_ascii=False)


class LongConnection:
    def __init__(self, bot_id: str, bindings: Bindings, channel: Any, streams: Any):
        self.bot_id = bot_id
        self.bindings = bindings
        self.channel = channel  # the AIBotChannel: same handling as the callback
        self.streams = streams
        self.ping_seconds = PING_SECONDS
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ws: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name=f"longconn-{bot_id}", daemon=True)
        self._pushing: dict[str, tuple[str, str]] = {}  # stream id -> (req_id, last content sent)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._loop and self._ws is not None:
            asyncio.run_coroutine_threadsafe(self._ws.close(), self._loop)
        self._thread.join(timeout=10)

    def send(self, text: str) -> SendResult:
        """Send one frame from any thread (the outbox's): fails, to be retried, when offline."""
        if not self.connected.is_set() or self._loop is None:
            return SendResult(False, retry=True, error="long connection is not connected")
        try:
            asyncio.run_coroutine_threadsafe(self._ws.send(text), self._loop).result(timeout=10)
        except Exception as exc:
            return SendResult(False, retry=True, error=f"long connection: {type(exc).__name__}")
        return SendResult(True)

    # --- the connection's own thread --------------------------------------------

    def _main(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._run())

    async def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            binding = self.bindings.get(self.bot_id, "longconn")
            if binding is None:
                return
            try:
                async with connect(ws_base(), ping_interval=None, proxy=None) as ws:
                    self._ws = ws
                    if await self._subscribe(ws, binding):
                        delay = 1.0
                        await self._serve(ws)
            except (OSError, WebSocketException, TimeoutError) as exc:
                self.bindings.failed(self.bot_id, "longconn", f"connection: {type(exc).__name__}")
            finally:
                self.connected.clear()
                self._ws = None
            if not self._stop.is_set():
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def _subscribe(self, ws: Any, binding: dict[str, str]) -> bool:
        body = {"bot_id": binding["bot_id"], "secret": binding["secret"]}
        await ws.send(frame("aibot_subscribe", body))
        ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if ack.get("errcode", 0) != 0:
            reason = f"subscribe errcode {ack.get('errcode')}: {ack.get('errmsg', '')}"
            self.bindings.failed(self.bot_id, "longconn", reason, broken=True)
            await asyncio.sleep(30)  # a wrong secret will not fix itself quickly
            return False
        self.bindings.succeeded(self.bot_id, "longconn")
        self.connected.set()
        return True

    async def _serve(self, ws: Any) -> None:
        tasks = [asyncio.ensure_future(self._ping(ws)), asyncio.ensure_future(self._push(ws))]
        try:
            async for raw in ws:
                if self._stop.is_set():
                    break
                await self._on_frame(ws, raw)
        finally:
            for task in tasks:
                task.cancel()

    async def _ping(self, ws: Any) -> None:
        while True:
            await asyncio.sleep(self.ping_seconds)
            await ws.send(frame("ping"))

    async def _push(self, ws: Any) -> None:
        """Streamed replies: send the text so far whenever it grew."""
        while True:
            await asyncio.sleep(STREAM_PUSH_SECONDS)
            for sid, (req_id, sent) in list(self._pushing.items()):
                current = self.streams.get(sid)
                if current is None:
                    continue
                content, finished = current
                if finished:  # the final frame goes through the outbox, durably
                    self._pushing.pop(sid, None)
                elif content != sent:
                    body = {
                        "msgtype": "stream",
                        "stream": {"id": sid, "finish": False, "content": content},
                    }
                    await ws.send(frame("aibot_respond_msg", body, req_id))
                    self._pushing[sid] = (req_id, content)

    async def _on_frame(self, ws: Any, raw: str | bytes) -> None:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            log.warning("long connection %s: a frame that is not JSON", self.bot_id)
            return
        if not isinstance(data, dict):
            log.warning("long connection %s: a frame that is not a JSON object", self.bot_id)
            return
        cmd = data.get("cmd")
        req_id = (data.get("headers") or {}).get("req_id", "")
        body = data.get("body") or {}
        if cmd not in ("aibot_msg_callback", "aibot_event_callback") or not isinstance(body, dict):
            return  # acks of our pings and replies
        problem = malformed(body)
        if problem:  # the same checks as the HTTP callback's
            log.warning("long connection %s: a callback refused: %s", self.bot_id, problem)
            return
        try:
            reply = await self.channel.intake.run(
                self.channel.handle, self.bot_id, body, "longconn", req_id
            )
        except Exception:
            log.exception("long connection %s: a callback could not be handled", self.bot_id)
            return
        if reply is not None:
            await ws.send(frame("aibot_respond_msg", reply, req_id))
            stream = reply.get("stream") or {}
            if stream and not stream.get("finish"):
                self._pushing[stream["id"]] = (req_id, "")


class LongConnections(Adapter):
    """The long connections of the server: one for each bot bound to one, opened when the
    server starts or the binding changes. A reply goes out on its bot's connection."""

    name = "longconn"

    def __init__(self, bindings: Bindings, channel: Any, streams: Any):
        self.bindings = bindings
        self.channel = channel  # the AIBotChannel: the same handling as the callback
        self.streams = streams
        self.connections: dict[str, LongConnection] = {}

    @classmethod
    def build(cls, parts: Parts) -> LongConnections:
        return cls(parts.bindings, parts.built["aibot"], parts.streams)

    def senders(self) -> dict[str, Sender]:
        def send(channel: str, target: str, body: dict[str, Any], bot_id: str) -> SendResult:
            connection = self.connections.get(bot_id)
            if connection is None:
                return SendResult(False, retry=True, error="no long connection")
            return connection.send(json.dumps(body, ensure_ascii=False))

        return {"longconn": send}

    def start(self) -> None:
        for bot_id in self.bindings.bots_with("longconn"):
            self.connect(bot_id)

    def connect(self, bot_id: str) -> None:
        """Open (or reopen, after a new binding) a bot's long connection."""
        old = self.connections.pop(bot_id, None)
        if old is not None:
            old.stop()
        if self.bindings.get(bot_id, "longconn") is None:
            return
        connection = LongConnection(bot_id, self.bindings, self.channel, self.streams)
        self.connections[bot_id] = connection
        connection.start()

    def stop(self) -> None:
        for connection in self.connections.values():
            connection.stop()
