"""Streaming a reply to the browser without slowing the model down.

If the UI pulled the reply one token at a time, llama.cpp would wait while Gradio
serialises and sends each update. Instead the reply is generated at full speed
on a worker thread, and the UI takes whatever has arrived every `interval`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator

_DONE = object()


def drain(pieces: Iterable[str], interval: float = 0.05) -> Iterator[str]:
    """Yield the text that `pieces` produced since the last yield, at most every `interval`."""
    arrived: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            for piece in pieces:
                arrived.put(piece)
        except BaseException as exc:  # handed to the reader, raised there
            arrived.put(exc)
        finally:
            arrived.put(_DONE)

    threading.Thread(target=work, name="reply-stream", daemon=True).start()
    finished, first = False, True
    while not finished:
        batch = [arrived.get()]  # wait for the next piece
        # the first token goes out at once: time to first token is what people feel
        deadline = time.monotonic() + (0 if first else interval)
        first = False
        while batch[-1] is not _DONE and not isinstance(batch[-1], BaseException):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(arrived.get(timeout=remaining))
            except queue.Empty:
                break
        text = "".join(p for p in batch if isinstance(p, str))
        if text:
            yield text
        last = batch[-1]
        if isinstance(last, BaseException):
            raise last
        finished = last is _DONE
