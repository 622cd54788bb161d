"""Asking a bot over HTTP and streaming the answer back: the durable path for callers
that wait on the line (the OpenAI-compatible API, the web chat page).

The question is journaled in the inbox like any channel's message; the responder
answers it on a worker thread, so the A/B variant, lead capture, blocked words, rate
limits and events are those of every channel; the answer's growth is read off the
stream board and handed to the caller as it comes. A caller that hangs up leaves the
answer to finish and be recorded; asking again with the same `msgid` gets that answer
instead of a second one."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from runtime.inbox import Inbound, Inbox, ReplyRoute
from runtime.responder import Responder, StreamBoard

ASKED = "asked"  # the reply mode: the caller reads the answer off the stream board
DB_SECONDS = 0.6  # before the first words, the journal is read this often (answered before?)


@dataclass(frozen=True)
class Question:
    channel: str  # api | web
    bot_id: str
    person: str  # who asks (A/B assignment, leads, rate limits): "api:…", "web:…"
    text: str
    history: list[dict[str, str]] | None = None  # what came before, the caller's; None: ours
    settings: dict[str, Any] | None = None  # max_tokens, temperature: already checked
    note: str = ""  # the caller's own instructions, where the bot allows them
    msgid: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Piece:
    delta: str  # what is new since the last piece
    text: str  # the answer so far
    finished: bool = False
    usage: dict[str, int] | None = None  # with the last piece: prompt and completion tokens


@dataclass(frozen=True)
class Asked:
    """A question in the inbox: its id, and the stream its answer grows on when it was
    new (None: the same msgid was asked before, and its answer is read from the inbox)."""

    inbox_id: int
    stream_id: str | None


class Asking:
    def __init__(self, inbox: Inbox, responder: Responder, streams: StreamBoard):
        self.inbox, self.responder, self.streams = inbox, responder, streams

    @contextlib.contextmanager
    def on_the_way(self) -> Iterator[None]:
        """A caller's request being read, checked and journaled: a reply on its way to
        a model from the moment it came in (runtime/engine/arrivals.py), so that a burst
        of callers starts in one decode step."""
        self.responder.arrivals.expect()
        try:
            yield
        finally:
            self.responder.arrivals.unexpect()  # the responder expects it from here

    def ask(self, question: Question) -> Asked:
        """Journal the question and have it answered. Blocking (SQLite): call it off
        the event loop."""
        route = ReplyRoute(
            mode=ASKED,
            stream_id=f"ask-{question.channel}-{uuid.uuid4().hex}",
            history=question.history,
            settings=question.settings,
            note=question.note,
        )
        inbound = Inbound(
            question.channel,
            question.bot_id,
            question.msgid,
            question.person,
            question.person,
            question.text,
            route,
        )
        inbox_id, new = self.inbox.accept(inbound)
        if new:
            self.responder.submit(inbox_id)
        return Asked(inbox_id, route.stream_id if new else None)

    async def pieces(self, asked: Asked, timeout: float = 600) -> AsyncIterator[Piece]:
        """The answer as it grows, then a last piece with `finished` and the usage."""
        inbox_id, stream, message = asked.inbox_id, asked.stream_id, None
        if stream is None:  # asked before: where does its answer stand?
            message = await asyncio.to_thread(self.inbox.get, inbox_id)
            if message is None:
                return
            stream = message.route.stream_id or ""
        sent, deadline = "", time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            state = self.streams.get(stream)
            if state is None and message is not None and message.state != "received":
                # answered already (asked again, or answered without streaming)
                yield Piece(message.answer or "", message.answer or "", True)
                return
            if state is not None:
                text, finished = state
                # the end may replace what streamed (a blocked word: the bot's own reply)
                delta = text[len(sent) :] if text.startswith(sent) else ""
                if delta:
                    sent += delta
                    yield Piece(delta, sent)
                if finished:
                    yield Piece("", text, True, self.streams.usage(stream))
                    self.streams.forget(stream)
                    return
            await self.streams.changed(stream, state, min(left, DB_SECONDS))
            if state is None and self.streams.get(stream) is None:  # not streaming yet
                message = await asyncio.to_thread(self.inbox.get, inbox_id) or message
