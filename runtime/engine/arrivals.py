"""Replies on their way to a model: a customer's message being made ready (the journal,
the bot file, the prompt) by a thread that will then ask the model for its reply.

A model that wakes from idle waits for them, briefly, before its first decode step: a
burst of customers (a campaign's first wave) then starts in one step instead of one
customer in the first and the rest in the next. On a busy CPU the first step, shared
with the server making the others ready, took three times its quiet length, and all
but one customer waited for it. A customer who comes alone has nobody on the way and
does not wait at all.
"""

from __future__ import annotations

import threading

SETTLE_SECONDS = 0.04  # the most a waking model waits for replies on their way


class Arrivals:
    """Counted from the moment a message is known (`expect`: a caller's request as it
    comes in, a journaled message handed to the responder), carried by the thread that
    makes it ready (`claim`), until that thread asks a model or gives up (`arrived`).
    One per process: the model pool's."""

    def __init__(self) -> None:
        self._expected = 0  # handed over, not yet taken up by a thread
        self._carrying: set[int] = set()  # threads making one ready
        self._changed = threading.Condition()

    def expect(self) -> None:
        with self._changed:
            self._expected += 1

    def unexpect(self) -> None:
        """One `expect` that will not be claimed: it was handed on (and expected again
        there), or it was refused."""
        with self._changed:
            self._expected = max(0, self._expected - 1)
            self._changed.notify_all()

    def claim(self) -> None:
        """On the thread that makes the expected message ready."""
        with self._changed:
            self._expected = max(0, self._expected - 1)
            self._carrying.add(threading.get_ident())

    def arrived(self) -> None:
        """This thread asked a model, or has nothing to ask: no longer on the way.
        Harmless from a thread that carries nothing."""
        with self._changed:
            if threading.get_ident() in self._carrying:
                self._carrying.discard(threading.get_ident())
                self._changed.notify_all()

    @property
    def on_the_way(self) -> int:
        with self._changed:
            return self._expected + len(self._carrying)

    def settle(self, timeout: float | None = None) -> None:
        """Wait until nothing is on the way, or `timeout` seconds (SETTLE_SECONDS)."""
        timeout = SETTLE_SECONDS if timeout is None else timeout
        with self._changed:
            self._changed.wait_for(lambda: not self._expected and not self._carrying, timeout)
