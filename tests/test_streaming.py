"""The studio's stream: batched for the browser, in order, nothing lost, errors passed on."""

from __future__ import annotations

import time

import pytest

from studio.streaming import drain


def slow_pieces(n: int, delay: float):
    for i in range(n):
        time.sleep(delay)
        yield f"{i},"


def test_everything_arrives_in_order_in_fewer_batches() -> None:
    batches = list(drain(slow_pieces(50, 0.002), interval=0.02))
    assert "".join(batches) == "".join(f"{i}," for i in range(50))
    assert 1 < len(batches) < 50  # streamed, but not one update per token


def test_an_error_in_generation_reaches_the_reader() -> None:
    def failing():
        yield "partial"
        raise RuntimeError("model crashed")

    received = []
    with pytest.raises(RuntimeError, match="model crashed"):
        for chunk in drain(failing(), interval=0.01):
            received.append(chunk)
    assert received == ["partial"]


def test_generation_does_not_wait_for_a_slow_reader() -> None:
    started = time.monotonic()
    produced_at: list[float] = []

    def fast():
        for i in range(20):
            produced_at.append(time.monotonic())
            yield str(i)

    for _ in drain(fast(), interval=0.01):
        time.sleep(0.05)  # a slow browser
    assert produced_at[-1] - started < 0.05  # all produced before the reader caught up
