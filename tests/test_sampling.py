"""The repetition penalty, applied to the few logits it changes, gives exactly what
llama.cpp's own `penalties` sampler gives over the whole vocabulary: the same replies,
written faster."""

from __future__ import annotations

import ctypes
import random

import llama_cpp as L

from runtime.engine.sampling import PENALTY_LAST_N, RepeatPenalty

VOCAB = 49152  # the bundled model's


def _llama_penalised(logits: list[float], written: list[int], penalty: float) -> list[float]:
    """llama.cpp's sampler over every token, after it accepted `written`."""
    sampler = L.llama_sampler_init_penalties(VOCAB, PENALTY_LAST_N, penalty, 0.0, 0.0)
    try:
        for token in written:
            L.llama_sampler_accept(sampler, token)
        data = (L.llama_token_data * VOCAB)(
            *[L.llama_token_data(i, v, 0.0) for i, v in enumerate(logits)]
        )
        candidates = L.llama_token_data_array(data, VOCAB, -1, False)
        L.llama_sampler_apply(sampler, ctypes.byref(candidates))
        return [data[i].logit for i in range(VOCAB)]
    finally:
        L.llama_sampler_free(sampler)


def test_the_penalty_matches_llama_cpp_bit_for_bit() -> None:
    rng = random.Random(7)
    for penalty in (1.1, 1.3, 0.9):
        logits = [rng.uniform(-12.0, 12.0) for _ in range(VOCAB)]
        logits[5] = 0.0  # a zero logit: multiplied, as llama.cpp does
        # more than the last 64 tokens, repeats among them, the zero-logit token too
        written = [rng.randrange(VOCAB) for _ in range(90)] + [5, 5, 17, 17, 17]
        expected = _llama_penalised(logits, written, penalty)

        row = (ctypes.c_float * VOCAB)(*logits)
        ours = RepeatPenalty(penalty)
        for token in written:
            ours.accept(token)
        ours.apply(row)

        assert list(row) == expected
        changed = {i for i in range(VOCAB) if expected[i] != ctypes.c_float(logits[i]).value}
        # only the last 64 written were penalised (token 5's zero stays zero)
        assert changed == set(written[-PENALTY_LAST_N:]) - {5}
