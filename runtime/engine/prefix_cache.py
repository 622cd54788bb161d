"""Evaluated prompt prefixes, kept in memory so a turn need not evaluate them again.

A saved prefix is llama.cpp's state of one sequence (its KV cache) after
evaluating a bot's pinned messages, or a whole conversation after a reply. Least
recently used states go first once the byte budget is spent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


def common_prefix(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> int:
    """How many leading tokens `a` and `b` share: a binary search over slice comparisons,
    which run in C, instead of a Python loop over thousands of tokens."""
    a, b = tuple(a), tuple(b)
    low, high = 0, min(len(a), len(b))
    if a[:high] == b[:high]:
        return high
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


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

    def best_match(self, tokens: list[int]) -> tuple[SavedPrefix | None, int]:
        """The saved state sharing the longest common prefix with `tokens`, and its length:
        a bot's pinned prefix, or better, the same conversation after its last reply (a
        reply may tokenise a little differently when sent back: the shared part counts)."""
        wanted = tuple(tokens)
        with self._lock:
            best, shared = None, 0
            for key, entry in self._entries.items():
                if len(key) <= shared:
                    continue
                n = common_prefix(key, wanted)
                if n > shared:
                    best, shared = entry, n
            if best is not None:
                self._entries.move_to_end(best.tokens)
            return best, shared

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
