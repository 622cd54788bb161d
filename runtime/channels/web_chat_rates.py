"""The web chat's sliding windows (runtime/channels/web_chat.py): messages counted per
browser and per client address, in memory, so that a restart forgets them."""

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

    def wait(self, key: str) -> int | None:
        """None when one more hit of `key` is within the limit, else the seconds until one
        would be."""
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if hits is None or len(hits) < self.limit:
                return None
            return max(1, math.ceil(hits[0] + self.seconds - now))

    def add(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._hits.setdefault(key, deque()).append(now)
            if len(self._hits) > self.KEYS:
                self._forget_idle(now)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.seconds]
        for key in idle:
            del self._hits[key]
