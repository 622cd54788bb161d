"""Evaluated prompt prefixes, kept in memory so a bot's turn need not evaluate them again.

A saved prefix is llama.cpp's state of one sequence (its KV cache) after
evaluating a bot's pinned messages. Least recently used states go first once the
byte budget is spent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class SavedPrefix:
    tokens: tuple[int, ...]
    state: object  # a ctypes buffer owned by this entry
    size: int


class PrefixCache:
    def __init__(self, budget_bytes: int):
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[tuple[int, ...], SavedPrefix] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, tokens: tuple[int, ...]) -> SavedPrefix | None:
        with self._lock:
            entry = self._entries.get(tokens)
            if entry is not None:
                self._entries.move_to_end(tokens)
            return entry

    def put(self, entry: SavedPrefix) -> None:
        if entry.size > self.budget_bytes:
            return
        with self._lock:
            old = self._entries.pop(entry.tokens, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[entry.tokens] = entry
            self._bytes += entry.size
            while self._bytes > self.budget_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)
