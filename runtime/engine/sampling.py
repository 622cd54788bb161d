"""How one reply picks its tokens (its settings and sampler chain) and what it measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import llama_cpp as L


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


def sampler_chain(vocab: Any, sampling: Sampling) -> Any:
    """One reply's sampler chain, run in C: its grammar, repetition penalty, top-k/top-p
    and temperature (greedy at 0), and its own seed. Free it with llama_sampler_free."""
    chain = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
    if sampling.grammar:
        grammar = L.llama_sampler_init_grammar(vocab, sampling.grammar.encode(), b"root")
        if not grammar:
            L.llama_sampler_free(chain)
            raise ValueError("invalid grammar")
        L.llama_sampler_chain_add(chain, grammar)
    if sampling.repeat_penalty != 1.0:
        n_vocab = L.llama_vocab_n_tokens(vocab)
        penalties = L.llama_sampler_init_penalties(n_vocab, 64, sampling.repeat_penalty, 0.0, 0.0)
        L.llama_sampler_chain_add(chain, penalties)
    if sampling.temperature <= 0:
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_greedy())
    else:
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_k(40))
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_p(sampling.top_p, 1))
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_temp(sampling.temperature))
        seed = sampling.seed if sampling.seed is not None else 0xFFFFFFFF  # random
        L.llama_sampler_chain_add(chain, L.llama_sampler_init_dist(seed))
    return chain
