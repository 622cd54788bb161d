"""Safety in use: blocked words on the way in and out, and a per-person rate limit.

Blocked words are matched without regard to case or full-width/half-width forms, so
"ＶＸ" is caught by "vx". The rate limit counts the person's messages in the durable
inbox, so it holds across restarts and needs no counters in memory.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator

from runtime.spec.model import BotSpec
from runtime.store.db import Journal


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class WordGuard:
    def __init__(self, words: list[str]):
        self.words = [w for w in (_fold(w) for w in words) if w]
        # Text is handed out this many characters late, so that a blocked word is seen
        # whole before any part of it reaches the customer.
        self.hold = max((len(w) for w in self.words), default=1) - 1

    def hit(self, text: str) -> str | None:
        folded = _fold(text)
        return next((w for w in self.words if w in folded), None)

    def screen(self, pieces: Iterator[str]) -> Iterator[str]:
        """Pass text through, held back by `hold` characters; stop at a blocked word.
        After the iteration, `self.blocked` says whether it stopped for one."""
        self.blocked = None
        shown, pending = "", ""
        for piece in pieces:
            pending += piece
            # `shown` held no blocked word, so a new one must end in `pending`: look only
            # at the tail it can start in (a reply is checked in linear time, not quadratic)
            self.blocked = self.hit(shown[-self.hold :] + pending if self.hold else pending)
            if self.blocked:
                return
            cut = len(pending) - self.hold
            if cut > 0:
                shown += pending[:cut]
                yield pending[:cut]
                pending = pending[cut:]
        if pending:
            yield pending


def over_rate_limit(
    journal: Journal, spec: BotSpec, speaker: str, now: float | None = None
) -> bool:
    """True when this message takes the person past `safety.rate_limit` (it is already
    in the inbox, so it counts)."""
    rate = spec.safety.rate()
    if rate is None or not speaker:
        return False
    count, seconds = rate
    since = (now or time.time()) - seconds
    received = (
        journal.connection()
        .execute(
            "SELECT COUNT(*) FROM inbox WHERE bot_id = ? AND speaker = ? AND received_at > ?",
            (spec.id, speaker, since),
        )
        .fetchone()[0]
    )
    return received > count
