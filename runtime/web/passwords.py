"""Checking the studio password without letting guessers slow the server down.

scrypt costs ~50 ms of CPU and 16 MB by design. On the event loop, 40 clients sending
wrong passwords pushed WeCom's callback acknowledgements past WeCom's 5-second
limit. So: the hash runs on one worker thread of its own (never the event loop, and
never the shared thread pool that serves /healthz and the WeCom handlers); a right
password is remembered for a few minutes so a script's every request does not pay
for it again; and a client address with 10 wrong passwords in a minute is told to
wait (429 with Retry-After) without any hashing at all. Wrong guesses are answered a
second late, so a flood paces itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from runtime.store.settings import Settings

MAX_FAILURES = 10  # wrong passwords per client address ...
WINDOW_SECONDS = 60.0  # ... in this many seconds, then 429
REMEMBER_SECONDS = 300.0  # how long a verified password skips scrypt
MAX_WAITING = 8  # hashes queued at once; past this, answer "busy" rather than queue more
# A wrong or refused guess is answered this much later: a flood then waits on itself
# instead of keeping the event loop busy (an asyncio sleep: nothing is blocked).
GUESS_DELAY = 1.0


@dataclass(frozen=True)
class Verdict:
    ok: bool
    retry_after: int = 0  # > 0: refused without checking; try again in this many seconds


class PasswordChecker:
    def __init__(
        self,
        settings: Settings,
        *,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        remember: float = REMEMBER_SECONDS,
        max_waiting: int = MAX_WAITING,
    ):
        self.settings = settings
        self.max_failures = max_failures
        self.window = window
        self.remember = remember
        self.max_waiting = max_waiting
        self.delay = GUESS_DELAY
        # One thread: on a 2-core machine the other core stays free for the event loop.
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password")
        self._waiting = 0
        self._failures: dict[str, deque[float]] = {}
        self._verified: dict[bytes, float] = {}  # fingerprint of a right password -> until

    def retry_after(self, client: str, now: float | None = None) -> int:
        """Seconds until `client` may try again; 0 if it may now."""
        now = time.monotonic() if now is None else now
        failures = self._failures.get(client)
        if not failures:
            return 0
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return 0
        if len(failures) < self.max_failures:
            return 0
        return max(1, math.ceil(failures[0] + self.window - now))

    async def check(self, client: str, password: str) -> Verdict:
        now = time.monotonic()
        wait = self.retry_after(client, now)
        if wait:
            return Verdict(False, wait)
        stored = self.settings.get("studio_password")
        if not stored:
            return Verdict(False)
        # Keyed by the stored hash: a new password forgets every remembered one.
        fingerprint = hmac.new(
            bytes.fromhex(stored["scrypt"]), password.encode(), hashlib.sha256
        ).digest()
        if self._verified.get(fingerprint, 0) > now:
            return Verdict(True)
        if self._waiting >= self.max_waiting:
            return Verdict(False, 1)  # busy: not counted as a failure
        self._waiting += 1
        try:
            loop = asyncio.get_running_loop()
            ok = await loop.run_in_executor(self._hasher, self.settings.check_password, password)
        finally:
            self._waiting -= 1
        now = time.monotonic()
        if ok:
            self._verified = {k: v for k, v in self._verified.items() if v > now}
            self._verified[fingerprint] = now + self.remember
            return Verdict(True)
        self._failures.setdefault(client, deque()).append(now)
        if len(self._failures) > 10_000:  # a flood of addresses must not grow memory forever
            self._failures = {
                k: v for k, v in self._failures.items() if v and v[-1] > now - self.window
            }
        return Verdict(False)

    def close(self) -> None:
        self._hasher.shutdown(wait=False, cancel_futures=True)
