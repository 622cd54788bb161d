"""How one reply picks its tokens (its settings and sampler chain) and what it measured."""

from __future__ import annotations

import ctypes
from collections import deque
from dataclasses import dataclass
from typing import Any

import llama_cpp as L

PENALTY_LAST_N = 64  # the reply's last tokens that are penalised, as llama.cpp's default


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.9
    repeat_penalty: float = 1.1
    seed: int | None = None
    grammar: str | None = None  # GBNF: constrains the output (used by lead extraction)


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens whose evaluation was kept or restored
    evaluated_tokens: int = 0  # prompt tokens evaluated for this reply
    prefix_restored: bool = False
    generated_tokens: int = 0
    time_to_first_token: float | None = None
    total_seconds: float = 0.0
    stopped_by: str = ""  # "end", "max_tokens", "context", "repeat" (runtime/engine/repetition.py)

    @property
    def tokens_per_second(self) -> float:
        decode_time = self.total_seconds - (self.time_to_first_token or 0)
        return (self.generated_tokens - 1) / decode_time if decode_time > 0 else 0.0


class RepeatPenalty:
    """The repetition penalty of llama.cpp's `penalties` sampler (repeat only, the last
    PENALTY_LAST_N tokens written), applied to the reply's row of logits before its
    sampler chain runs: the same arithmetic on the same tokens, in float32. llama.cpp's
    sampler looks each of the vocabulary's tokens up in a hash map for every token
    written (a tenth of the decode loop's time with 8 replies on 2 cores; its header
    warns against using it on the full vocabulary); this touches only the few it changes."""

    def __init__(self, penalty: float):
        self.penalty = ctypes.c_float(penalty).value  # as the C sampler holds it
        self.recent: deque[int] = deque(maxlen=PENALTY_LAST_N)

    def apply(self, logits: Any) -> None:
        """`logits`: the row's floats (llama_get_logits_ith), changed in place."""
        penalty = self.penalty
        for token in set(self.recent):
            logit = logits[token]
            # multiplied when negative: dividing would make a repeated token more likely
            logits[token] = logit * penalty if logit <= 0 else logit / penalty

    def accept(self, token: int) -> None:
        self.recent.append(token)


class ReplySampler:
    """One reply's sampling: its repetition penalty on the row of logits, then its C
    chain. Free it with `free` (the chain lives in llama.cpp)."""

    def __init__(self, vocab: Any, sampling: Sampling):
        self.chain = sampler_chain(vocab, sampling)
        penalised = sampling.repeat_penalty != 1.0
        self.penalty = RepeatPenalty(sampling.repeat_penalty) if penalised else None

    def sample(self, ctx: Any, row: int) -> int:
        """The next token from the logits of `row` in the last decoded batch."""
        if self.penalty is not None:
            self.penalty.apply(L.llama_get_logits_ith(ctx, row))
        token = int(L.llama_sampler_sample(self.chain, ctx, row))
        if self.penalty is not None:
            self.penalty.accept(token)
        return token

    def free(self) -> None:
        if self.chain is not None:
            L.llama_sampler_free(self.chain)
            self.chain = None


def sampler_chain(vocab: Any, sampling: Sampling) -> Any:
    """One reply's sampler chain, run in C: its grammar, top-k/top-p and temperature
    (greedy at 0), and its own seed; the repetition penalty is RepeatPenalty's, applied
    to the logits before the chain. Free it with llama_sampler_free."""
    chain = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
    if sampling.grammar:
        grammar = L.llama_sampler_init_grammar(vocab, sampling.grammar.encode(), b"root")
        if not grammar:
            L.llama_sampler_free(chain)
            raise ValueError("invalid grammar")
        L.llama_sampler_chain_add(chain, grammar)
    if sampling.temperature <= 0:
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_greedy())
    else:
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_k(40))
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_p(sampling.top_p, 1))
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_temp(sampling.temperature))
        seed = sampling.seed if sampling.seed is not None else 0xFFFFFFFF  # random
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_dist(seed))
    return chain
