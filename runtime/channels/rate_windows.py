"""Sliding windows for the public doors' rate limits: the web chat's messages per browser
and per address, the API's requests per key. In memory, so a restart forgets them (which
errs on the caller's side)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 60.0  # seconds


class Windows:
    """Sliding windows in memory: at most `limit` hits per key in any `seconds`. Safe from
    the event loop and the thread pool alike."""

    KEYS = 50_000  # keys kept before the idle ones are dropped

    def __init__(
        self, limit: int, seconds: float = WINDOW, clock: Callable[[], float] = time.monotonic
    ):
        self.limit, self.seconds, self.clock = limit, seconds, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, limit: int | None = None, seconds: float | None = None) -> int | None:
        """None when one more hit of `key` is within the limit, else the seconds until one
        would be. `limit` and `seconds`: this key's own, where keys differ (API keys)."""
        limit = self.limit if limit is None else limit
        seconds = self.seconds if seconds is None else seconds
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            while hits and hits[0] <= now - seconds:
                hits.popleft()
            if hits is None or len(hits) < limit:
                return None
            return max(1, math.ceil(hits[0] + seconds - now))

    def take(self, key: str, limit: int | None = None, seconds: float | None = None) -> int | None:
        """`wait`, and the hit counted when it is within the limit."""
        wait = self.wait(key, limit, seconds)
        if wait is None:
            self.add(key)
        return wait

    def add(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._hits.setdefault(key, deque()).append(now)
            if len(self._hits) > self.KEYS:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:  # `seconds`: the longest window in use
        idle = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.seconds]
        for key in idle:
            del self._hits[key]
