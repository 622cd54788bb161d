"""The responder: answers journaled messages in the background and hands replies on.

The channel acknowledges WeCom as soon as a message is in the inbox; here, on a
worker thread, the dialogue writes the answer. A streamed answer is published
on the stream board as it grows (WeCom polls for it); any other answer goes into
the outbox in the same transaction that marks the message answered, so a crash
either leaves it unanswered (answered again on restart) or queued (sent once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from runtime.commands import command_reply
from runtime.dialogue import Dialogue, UnknownBot
from runtime.engine import ModelMissing
from runtime.engine.arrivals import Arrivals
from runtime.i18n import t
from runtime.inbox import Inbox, InboxMessage
from runtime.logmask import mask_user
from runtime.outbox import Outbox
from runtime.prompt import PromptTooLong
from runtime.safety import over_rate_limit
from runtime.spec import BotSpec, SpecError
from runtime.store import Turn
from runtime.store.threads import ReadyPool

log = logging.getLogger(__name__)
# How an answer leaves, by its route's mode: (message, answer, the open transaction).
# It queues the answer in the outbox within that transaction, which also marks it answered.
Deliver = Callable[[InboxMessage, str, sqlite3.Connection], None]


class StreamBoard:
    """Replies being streamed: the text so far and whether it is finished, by stream id.
    A reader on an event loop waits for the next change (`changed`) instead of polling:
    a caller on the line sees each word when it is written, not up to a poll later."""

    def __init__(self) -> None:
        self._streams: dict[str, tuple[str, bool]] = {}
        self._usage: dict[str, dict[str, int]] = {}
        self._waiting: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]] = {}
        self._lock = threading.Lock()

    def update(
        self,
        stream_id: str,
        text: str,
        finished: bool = False,
        usage: dict[str, int] | None = None,
    ) -> None:
        with self._lock:
            self._streams[stream_id] = (text, finished)
            if usage is not None:
                self._usage[stream_id] = usage
            waiting = self._waiting.pop(stream_id, [])
        for loop, future in waiting:  # one wake per reader, however many words came
            with contextlib.suppress(RuntimeError):  # its loop has closed: nobody reads
                loop.call_soon_threadsafe(_wake, future)

    async def changed(self, stream_id: str, seen: tuple[str, bool] | None, timeout: float) -> None:
        """Return once the stream is no longer `seen` (what the reader last got from
        `get`), or after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._streams.get(stream_id) != seen:  # it changed in the meantime
                return
            self._waiting.setdefault(stream_id, []).append((loop, future))
        timer = loop.call_later(timeout, _wake, future)
        try:
            await future
        finally:
            timer.cancel()
            with self._lock:
                waiting = self._waiting.get(stream_id, [])
                if (loop, future) in waiting:
                    waiting.remove((loop, future))
                    if not waiting:
                        del self._waiting[stream_id]

    def get(self, stream_id: str) -> tuple[str, bool] | None:
        with self._lock:
            return self._streams.get(stream_id)

    def usage(self, stream_id: str) -> dict[str, int] | None:
        """A finished reply's tokens: {"prompt_tokens", "completion_tokens"}."""
        with self._lock:
            return self._usage.get(stream_id)

    def forget(self, stream_id: str) -> None:
        """The reader has it all (a caller on the line): no need to keep it."""
        with self._lock:
            self._streams.pop(stream_id, None)
            self._usage.pop(stream_id, None)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Responder:
    def __init__(
        self,
        dialogue: Dialogue,
        inbox: Inbox,
        outbox: Outbox,
        streams: StreamBoard,
        deliverers: dict[str, Deliver] | None = None,
        workers: int = 2,
        arrivals: Arrivals | None = None,
    ):
        """`deliverers`: how an answer leaves, by its route's mode (the channels'); an
        answer with no deliverer for its mode is only recorded (and streamed, if it is)."""
        self.dialogue = dialogue
        self.inbox = inbox
        self.outbox = outbox
        self.streams = streams
        self.deliverers = dict(deliverers or {})
        # counted until the model is asked: a model waking from idle waits for them
        self.arrivals = arrivals or Arrivals()
        self._pool = ReadyPool(workers, "responder", inbox.journal.connection)
        self._claimed: set[int] = set()
        self._lock = threading.Lock()

    def submit(self, inbox_id: int) -> None:
        with self._lock:
            if inbox_id in self._claimed:  # already being answered in this process
                return
            self._claimed.add(inbox_id)
        self.arrivals.expect()
        self._pool.submit(self._safe_handle, inbox_id)

    def start(self) -> None:
        """Start every worker now (with its journal connection), not in the first burst."""
        self._pool.start()

    def recover(self) -> int:
        """After a restart: answer what was journaled but never answered."""
        pending = self.inbox.unanswered()
        for inbox_id in pending:
            self.submit(inbox_id)
        return len(pending)

    def drain(self) -> None:
        """Graceful shutdown: let answers in progress finish into the outbox."""
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _safe_handle(self, inbox_id: int) -> None:
        self.arrivals.claim()
        try:
            self.handle(inbox_id)
        except Exception:
            log.exception("answering inbox message %s failed", inbox_id)
        finally:
            self.arrivals.arrived()  # if no model was asked (a command, an error)
            with self._lock:
                self._claimed.discard(inbox_id)

    def handle(self, inbox_id: int) -> None:
        message = self.inbox.get(inbox_id)
        if message is None or message.state != "received":
            return
        try:
            spec = self.dialogue.spec(message.bot_id)  # once: handed down from here
        except (UnknownBot, SpecError) as exc:
            log.warning("inbox %s: bot %s cannot answer: %s", inbox_id, message.bot_id, exc)
            self.inbox.finish(inbox_id, "ignored", None)
            return
        stream_id = message.route.stream_id
        if over_rate_limit(self.inbox, spec, message.speaker, message.received_at):
            # too many messages from one person: a polite word, and the model stays free
            person = mask_user(message.speaker, self.dialogue.log_salt)
            log.info("bot %s: %s is over the rate limit", spec.id, person)
            self.deliver(message, t("reply.rate_limited", spec.language))
            return
        answer = command_reply(self.dialogue, spec, message.conversation, message.text)
        if answer is None:
            try:
                route = message.route
                history = None
                if route.history is not None:  # a caller that sends the conversation itself
                    history = [Turn(t["role"], t["content"]) for t in route.history]
                generating = self.dialogue.reply(
                    spec.id,
                    message.conversation,
                    message.text,
                    user=message.speaker,
                    spec=spec,
                    history=history,
                    settings=route.settings,
                    note=route.note,
                )
                pieces: list[str] = []
                for piece in generating:  # screened for blocked words as it streams
                    pieces.append(piece)
                    if stream_id:
                        self.streams.update(stream_id, "".join(pieces))
                answer = generating.text or t("reply.empty", spec.language)
                if stream_id:
                    usage = {
                        "prompt_tokens": generating.prompt.prompt_tokens,
                        "completion_tokens": generating.generation.stats.generated_tokens,
                    }
                    self.streams.update(stream_id, "".join(pieces), usage=usage)
                if generating.lead is not None and generating.lead.converted_now:
                    self.alert(spec, generating.lead.lead)
            except (PromptTooLong, ModelMissing) as exc:
                log.error("inbox %s: %s", inbox_id, exc)
                answer = t("reply.unavailable", spec.language)
        self.deliver(message, answer)

    def alert(self, spec: BotSpec, lead: Any) -> None:
        """A conversion: tell the team's alert group, if the bot has one bound."""
        from runtime.leads.export import alert_text

        # no alert webhook bound: the lead is in the studio all the same
        with contextlib.suppress(LookupError):
            self.outbox.push(spec.id, alert_text(spec, lead), markdown=True, kind="alert_webhook")

    def deliver(self, message: InboxMessage, answer: str) -> None:
        with self.inbox.journal.transaction() as db:
            deliver = self.deliverers.get(message.route.mode)
            if deliver is not None:
                deliver(message, answer, db)
            self.inbox.finish(message.id, "answered", answer, db=db)
        self.outbox.wake()  # what was queued in the transaction can go now that it is committed
        if message.route.stream_id:
            self.streams.update(message.route.stream_id, answer, finished=True)
