"""A reply being streamed to one message: its text screened as it comes (blocked words,
the prompt's hidden note), then the turn remembered in the conversation and the message
counted and logged (one line per message, the person hashed)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from runtime.engine import Generation
from runtime.engine.repetition import cut_repetition
from runtime.i18n import t
from runtime.knowledge.faq import ANSWER, FaqDecision
from runtime.knowledge.passages import Hit
from runtime.leads.capture import Observation
from runtime.logmask import mask_user
from runtime.prompt import BuiltPrompt
from runtime.prompt.hidden import HiddenTextGuard
from runtime.safety import WordGuard
from runtime.spec import ResolvedBot
from runtime.store import Conversations, Turn
from runtime.store.events import MESSAGE, EventLog

messages_log = logging.getLogger("botstudio.messages")


@dataclass
class Reply:
    """A reply being streamed. Iterate it for text; the turn is remembered at the end."""

    bot: ResolvedBot
    prompt: BuiltPrompt
    generation: Generation
    conversation: str
    message: str
    conversations: Conversations
    lead: Observation | None = None
    text: str = ""
    user: str = ""  # who wrote: in a group, the member
    turn: int = 1  # the how-manieth message of this person in this conversation
    events: EventLog | None = None
    started_at: float = field(default_factory=time.monotonic)
    first_piece_at: float | None = None

    guard: WordGuard | None = None
    blocked: str | None = None  # the blocked word that stopped the reply, if one did
    hidden: HiddenTextGuard | None = None  # keeps the prompt's hidden note out of the reply
    log_salt: str = field(default="", repr=False)  # the install's key for hashing people
    passages: list[Hit] = field(default_factory=list)  # what the knowledge base gave the model
    faq: FaqDecision | None = None  # answered (or asked "which one?") from the FAQ

    def __iter__(self) -> Iterator[str]:
        pieces: list[str] = []
        source = iter(self.generation)
        if self.hidden is not None:
            source = self.hidden.screen(source)
        source = self.guard.screen(source) if self.guard else source
        try:
            for piece in source:
                if self.first_piece_at is None:
                    self.first_piece_at = time.monotonic()
                pieces.append(piece)
                yield piece
            blocked = self.guard is not None and self.guard.blocked
            if self.hidden and self.hidden.stripped and not blocked and not "".join(pieces).strip():
                # the model only said its hidden note back: a polite line, never the note
                pieces.append(t("reply.empty", self.bot.language))
                yield pieces[-1]
        finally:
            self.text = "".join(pieces).strip()
            if self.generation.stats.stopped_by == "repeat":  # the repeats that got out go
                self.text = cut_repetition(self.text, stopped=True)
            if self.guard is not None and self.guard.blocked:
                # the model said something it must not: the customer gets the bot's
                # blocked_reply instead (channels send `text`, the studio shows it)
                self.blocked = self.guard.blocked
                self.generation.close()
                self.text = self.bot.safety.blocked_reply
            if self.text:  # also when the reader stopped early: remember what was said
                self.conversations.append(
                    self.bot.bot_id,
                    self.conversation,
                    [Turn("user", self.message), Turn("assistant", self.text)],
                    variant=self.bot.variant_id,
                )
                self._record()

    def _record(self) -> None:
        first = self.first_piece_at or time.monotonic()
        payload: dict[str, Any] = {
            "latency_ms": round((first - self.started_at) * 1000),  # message in, first words out
            "seconds": round(time.monotonic() - self.started_at, 3),
            "tokens": self.generation.stats.generated_tokens,
            "turn": self.turn,
        }
        if self.faq is not None:  # counted apart: answered at once, without the model
            payload["faq"] = self.faq.kind
            if self.faq.kind == ANSWER and self.faq.best is not None:
                payload["question"] = self.faq.best.entry.question
        # one line per message handled: who (hashed), which variant, how fast, how long
        messages_log.info(
            "bot=%s user=%s variant=%s latency_ms=%d seconds=%.2f tokens=%d%s",
            self.bot.bot_id,
            mask_user(self.user, self.log_salt),
            self.bot.variant_id or "-",
            payload["latency_ms"],
            payload["seconds"],
            payload["tokens"],
            f" blocked_out={self.blocked!r}" if self.blocked else "",
        )
        if self.events is None:
            return
        self.events.record(
            self.bot.bot_id, MESSAGE, self.user, payload, variant=self.bot.variant_id
        )

    def read(self) -> str:
        for _ in self:
            pass
        return self.text
