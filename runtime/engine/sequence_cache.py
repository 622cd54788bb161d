"""One sequence's part of a llama.cpp context's KV cache: cut back, saved as a state for
the prefix cache, restored from one. The decode loop (scheduler.py) keeps, per
sequence, the tokens its part holds; these keep the two in step."""

from __future__ import annotations

import ctypes
from typing import Any, Protocol

import llama_cpp as L

from runtime.engine.prefix_cache import PrefixCache, SavedPrefix


class Held(Protocol):
    id: int  # the llama.cpp sequence id
    tokens: list[int]  # what its part of the cache holds


class SequenceCache:
    def __init__(self, ctx: Any, prefixes: PrefixCache):
        self.ctx, self.prefixes = ctx, prefixes
        self.memory = L.llama_get_memory(ctx)

    def truncate(self, seq: Held, keep: int) -> int:
        """Keep the first `keep` tokens of the sequence; how many were kept. Some caches
        (sliding-window, recurrent) cannot drop a tail: then everything goes."""
        if keep < len(seq.tokens) and not L.llama_memory_seq_rm(self.memory, seq.id, keep, -1):
            self.clear(seq)
            keep = 0
        del seq.tokens[keep:]
        return keep

    def drop_beyond(self, seq: Held) -> None:
        """Take out what was decoded past the tokens the sequence holds (a filler)."""
        if not L.llama_memory_seq_rm(self.memory, seq.id, len(seq.tokens), -1):
            self.clear(seq)  # a cache that cannot drop a tail (see truncate)

    def clear(self, seq: Held) -> None:
        L.llama_memory_seq_rm(self.memory, seq.id, -1, -1)
        seq.tokens.clear()

    def save(self, seq: Held, length: int) -> None:
        """Keep the sequence's state in the prefix cache, under its first `length` tokens."""
        size = L.llama_state_seq_get_size(self.ctx, seq.id)
        buf = (ctypes.c_uint8 * size)()
        written = L.llama_state_seq_get_data(self.ctx, buf, size, seq.id)
        self.prefixes.put(SavedPrefix(tokens=tuple(seq.tokens[:length]), state=buf, size=written))

    def restore(self, seq: Held, saved: SavedPrefix) -> bool:
        self.clear(seq)
        if L.llama_state_seq_set_data(self.ctx, saved.state, saved.size, seq.id) == 0:
            return False
        seq.tokens.extend(saved.tokens)
        return True
