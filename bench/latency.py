"""Latency figures the benchmarks print: p50, p99 and max in milliseconds."""

from __future__ import annotations

import statistics


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def summary(times: list[float], rounds: list[list[float]] | None = None) -> str:
    """One line; with `rounds`, each round's p99 after it."""
    if not times:
        return "(none)"
    line = (
        f"p50 {statistics.median(times) * 1000:6.1f} ms   p99 {p99(times) * 1000:6.1f} ms   "
        f"max {max(times) * 1000:6.1f} ms"
    )
    if rounds:
        line += "   (p99 by round: " + ", ".join(f"{p99(r) * 1000:.0f}" for r in rounds) + ")"
    return line
