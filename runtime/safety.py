"""Safety in use: blocked words on the way in and out, and a per-person rate limit.

Blocked words are matched without regard to case or full-width/half-width forms, so
"ＶＸ" is caught by "vx". The rate limit counts the person's messages in the durable
inbox, so it holds across restarts and needs no counters in memory.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from runtime.inbox import Inbox
from runtime.spec.model import BotSpec


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


def over_rate_limit(inbox: Inbox, spec: BotSpec, speaker: str, received_at: float) -> bool:
    """True when the message received at `received_at` takes the person past
    `safety.rate_limit`: it is already in the inbox, so it counts, and so do the person's
    messages in the window before it; the ones after it do not (a burst answered late
    must not make its first messages over the limit)."""
    rate = spec.safety.rate()
    if rate is None or not speaker:
        return False
    count, seconds = rate
    return inbox.count_since(spec.id, speaker, received_at - seconds, received_at) > count
