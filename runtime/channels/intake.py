"""The threads that take WeCom's and 微信客服's messages in: the short blocking part of
an acknowledgement (the bot's file, the journal) runs here, off the event loop.

They are the channels' own, not the threadpool that the studio's handlers share (whose
threads exit after ten idle seconds, so a burst after a quiet spell would wait for new
threads and new journal connections), and they are started with the server, each with
its journal connection open."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import TypeVar

from runtime.store import Journal
from runtime.store.threads import ReadyPool

T = TypeVar("T")
WORKERS = 4  # acknowledgements queue for one journal writer: more threads only contend


class Intake:
    def __init__(self, journal: Journal, workers: int = WORKERS):
        self._pool = ReadyPool(workers, "intake", journal.connection)

    def start(self) -> None:
        self._pool.start()

    async def run(self, work: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(work, *args))

    def stop(self) -> None:
        self._pool.shutdown(wait=True)
