"""Sticky, weighted A/B assignment: deterministic, fair, and fixed at first contact."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from runtime.assignments import Assignments, pick
from runtime.spec import parse_bot
from runtime.store import Journal


def bot(weights: tuple[float, ...], seed: str = "1"):
    variants = "".join(f"  - {{id: V{i}, weight: {w}}}\n" for i, w in enumerate(weights))
    raw = f"id: b\nname: B\nexperiment: {{seed: '{seed}'}}\nvariants:\n{variants}"
    return parse_bot(raw.encode(), "b.yaml", lang="en")


def test_an_even_split_of_10000_people_is_even_within_sampling_error() -> None:
    counts = Counter(pick(bot((50, 50)), f"user-{i}") for i in range(10_000))
    assert abs(counts["V0"] - 5000) < 200  # 4 standard deviations of a fair coin


def test_weights_are_respected() -> None:
    counts = Counter(pick(bot((80, 20)), f"user-{i}") for i in range(10_000))
    assert abs(counts["V0"] - 8000) < 160  # 4 standard deviations at p = 0.8


def test_assignment_survives_restarts_and_weight_changes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    first = Assignments(Journal(path))
    before = {f"u{i}": first.variant_for(bot((50, 50)), f"u{i}") for i in range(200)}
    first.journal.close()
    again = Assignments(Journal(path))  # a restart
    after = {u: again.variant_for(bot((10, 90)), u) for u in before}  # and new weights
    assert after == before
    newcomers = Counter(again.variant_for(bot((10, 90)), f"new{i}") for i in range(500))
    assert newcomers["V1"] > 400  # new people follow the new weights


def test_a_new_seed_is_a_new_experiment(tmp_path: Path) -> None:
    assignments = Assignments(Journal(tmp_path / "j.sqlite3"))
    old = [assignments.variant_for(bot((50, 50), seed="1"), f"u{i}") for i in range(200)]
    new = [assignments.variant_for(bot((50, 50), seed="2"), f"u{i}") for i in range(200)]
    assert 60 < sum(a != b for a, b in zip(old, new, strict=True)) < 140


@pytest.mark.model
def test_replies_use_the_persons_variant(workspace) -> None:
    spec = workspace.dialogue.spec("xiaolan-sales")
    users = [f"customer-{i}" for i in range(6)]
    seen = set()
    for user in users:
        expected = pick(spec, user)
        greeting = workspace.dialogue.greet("xiaolan-sales", user)
        assert greeting == spec.resolve(expected).greeting
        seen.add(expected)
    assert seen == {"A", "B"}
