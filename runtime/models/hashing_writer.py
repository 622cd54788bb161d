"""The partial file of a download as huggingface_hub's `http_get` writes it: every byte
is hashed (SHA-256, on a thread of its own) on its way to disk, and the hash follows
a rewind or a truncation."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

HASH_BLOCK = 1 << 20  # reading back what an earlier download left


def open_partial(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    return os.fdopen(fd, "r+b")


class _Sha256:
    """SHA-256 on a thread of its own: hashlib lets go of the GIL, so one chunk is hashed
    while the next is read from the network (measured in bench/download.py)."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=16)  # <= 16 MiB waiting
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            self._sha.update(data)
            self._queue.task_done()
        self._queue.task_done()

    def update(self, data: bytes) -> None:
        self._queue.put(data)

    def hexdigest(self) -> str:
        self._queue.join()
        return self._sha.hexdigest()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


class HashingWriter:
    """The partial file as http_get sees it: every byte written is hashed on its way to
    disk, and the hash follows a rewind (a server that ignored Range). `close()` ends the
    hashing thread."""

    def __init__(self, handle: BinaryIO, on_write: Callable[[int], None]):
        self.handle = handle
        self.on_write = on_write
        self.sha = _Sha256()
        self.hashed = 0

    def _restart(self) -> None:
        self.sha.close()
        self.sha, self.hashed = _Sha256(), 0

    def close(self) -> None:
        self.sha.close()

    @property
    def length(self) -> int:
        return self.hashed

    def catch_up(self, upto: int) -> None:
        """Hash what is on disk up to `upto` (what an earlier download left)."""
        if upto < self.hashed:
            self._restart()
        position = self.handle.tell()
        self.handle.seek(self.hashed)
        while self.hashed < upto:
            block = self.handle.read(min(HASH_BLOCK, upto - self.hashed))
            if not block:
                break
            self.sha.update(block)
            self.hashed += len(block)
        self.handle.seek(position)

    def write(self, data: bytes) -> int:
        position = self.handle.tell()
        if position != self.hashed:
            self.catch_up(position)
        written = self.handle.write(data)
        self.sha.update(data)
        self.hashed += len(data)
        self.on_write(self.hashed)
        return written

    def tell(self) -> int:
        return self.handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        size = self.handle.truncate(size)
        if size < self.hashed:
            self._restart()
            self.catch_up(size)
        return size

    def flush(self) -> None:
        self.handle.flush()

    def hexdigest(self) -> str:
        self.catch_up(self.handle.seek(0, os.SEEK_END))
        return self.sha.hexdigest()
