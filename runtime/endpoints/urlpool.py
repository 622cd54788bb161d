"""The base URLs of one endpoint as one pool.

Each request goes to the least busy URL that is not resting; among equally busy
ones, the same conversation goes to the same URL (rendezvous hashing), so that the
server that holds its prompt in cache gets its next turn. A URL that fails (refused,
timed out, 5xx, 429) rests, for longer each time it fails again, and is tried again
when its rest is over; while every URL rests, they are still tried, least rested
first, rather than failing a customer for certain.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REST_FIRST = 5.0  # seconds a URL rests after its first failure in a row
REST_MAX = 120.0  # ... doubling up to this


@dataclass
class UrlState:
    url: str
    in_flight: int = 0
    requests: int = 0
    failures: int = 0  # in a row
    rested_until: float = 0.0
    last_ok: float | None = None  # wall-clock times, for people
    last_error: str = ""
    last_error_at: float | None = None


class UrlPool:
    def __init__(self, urls: tuple[str, ...], clock: Callable[[], float] = time.monotonic):
        self.urls = urls
        self.clock = clock
        self._states = {url: UrlState(url) for url in urls}
        self._lock = threading.Lock()

    def state(self, url: str) -> UrlState:
        return self._states[url]

    def resting(self, state: UrlState, now: float | None = None) -> bool:
        return state.rested_until > (self.clock() if now is None else now)

    def order(self, affinity: str = "") -> list[UrlState]:
        """The URLs to try, best first."""
        with self._lock:
            return self._order(affinity)

    def _order(self, affinity: str) -> list[UrlState]:
        now = self.clock()
        states = list(self._states.values())
        ready = [s for s in states if not self.resting(s, now)]
        rested = [s for s in states if self.resting(s, now)]

        def rank(state: UrlState) -> bytes:  # stable per (conversation, URL)
            return hashlib.blake2b(f"{affinity}\0{state.url}".encode(), digest_size=8).digest()

        ready.sort(key=lambda s: (s.in_flight, rank(s)))
        rested.sort(key=lambda s: s.rested_until)
        return ready + rested

    def take(self, affinity: str = "", tried: tuple[str, ...] | list[str] = ()) -> UrlState | None:
        """The best URL not `tried` yet, counted in flight at once (so that requests
        starting together spread over the pool); None when every URL was tried."""
        with self._lock:
            for state in self._order(affinity):
                if state.url not in tried:
                    state.in_flight += 1
                    state.requests += 1
                    return state
        return None

    def acquire(self, state: UrlState) -> None:
        with self._lock:
            state.in_flight += 1
            state.requests += 1

    def release(self, state: UrlState) -> None:
        with self._lock:
            state.in_flight = max(0, state.in_flight - 1)

    def succeeded(self, state: UrlState) -> None:
        with self._lock:
            state.failures, state.rested_until, state.last_ok = 0, 0.0, time.time()

    def failed(self, state: UrlState, reason: str, *, rest: bool = True) -> None:
        """`rest`: the URL itself is at fault (down, overloaded), not the request."""
        with self._lock:
            state.last_error, state.last_error_at = reason, time.time()
            if rest:
                state.failures += 1
                pause = min(REST_MAX, REST_FIRST * 2 ** (state.failures - 1))
                state.rested_until = self.clock() + pause

    def snapshot(self) -> list[dict[str, Any]]:
        """Per URL: whether it is resting, in flight, served, and its last error."""
        with self._lock:
            now = self.clock()
            rows = []
            for s in self._states.values():
                resting = self.resting(s, now)
                if resting:
                    state = "resting"
                elif s.last_error_at and (s.last_ok is None or s.last_error_at > s.last_ok):
                    state = "error"
                else:
                    state = "ok" if s.last_ok else "unused"
                rows.append(
                    {
                        "url": s.url,
                        "state": state,
                        "healthy": not resting and state != "error",
                        "in_flight": s.in_flight,
                        "requests": s.requests,
                        "failures": s.failures,
                        "rest_seconds": round(max(0.0, s.rested_until - now), 1),
                        "last_ok": s.last_ok,
                        "last_error": s.last_error,
                        "last_error_at": s.last_error_at,
                    }
                )
            return rows
