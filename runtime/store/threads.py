"""Thread pools that are ready before their first task.

A pool's threads are otherwise made one by one as tasks arrive, and each opens its
own journal connection on first use: the first burst of customers after a start (or,
in anyio's shared pool, after ten quiet seconds, when its threads exit) pays for both
inside their acknowledgements. These pools start every thread up front and let each
run `on_start` (open its connection) once, before any task."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)
START_SECONDS = 10.0  # a thread that takes longer to start is left to start on its own


class ReadyPool(ThreadPoolExecutor):
    """A pool of `workers` threads that each run `on_start` once, before any task;
    `start` starts them all."""

    def __init__(self, workers: int, name: str, on_start: Callable[[], object]):
        def start() -> None:
            try:
                on_start()
            except Exception:  # the thread still works; its first task does what failed
                log.exception("%s thread could not get ready", name)

        super().__init__(max_workers=workers, thread_name_prefix=name, initializer=start)
        self.workers = workers

    def start(self) -> None:
        """Start every thread now: each takes one of `workers` tasks that wait for one
        another, so no thread can take two."""
        everyone = threading.Barrier(self.workers)

        def wait_for_the_others() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                everyone.wait(timeout=START_SECONDS)

        for started in [self.submit(wait_for_the_others) for _ in range(self.workers)]:
            started.result()
