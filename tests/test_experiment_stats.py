"""A/B statistics against known values (SciPy as the reference, in tests only)."""

from __future__ import annotations

import random

import pytest

scipy_stats = pytest.importorskip("scipy.stats")

from runtime.experiments import stats  # noqa: E402


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = stats.wilson(81, 263)  # Wilson (1927) style example; known 0.2553..0.3662
    assert low == pytest.approx(0.2553, abs=1e-4) and high == pytest.approx(0.3662, abs=1e-4)
    assert stats.wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2"), [(30, 500, 45, 500), (120, 1000, 100, 1000), (5, 40, 12, 38)]
)
def test_two_proportion_p_matches_scipy(s1, n1, s2, n2) -> None:
    table = [[s1, n1 - s1], [s2, n2 - s2]]
    _, p, _, _ = scipy_stats.chi2_contingency(table, correction=False)
    assert stats.two_proportion_p(s1, n1, s2, n2) == pytest.approx(p, rel=1e-6)


SPLITS = [
    ([5000, 5000], [1, 1]),
    ([5300, 4700], [50, 50]),
    ([810, 190, 0], [8, 1, 1]),
    ([400, 350, 250], [1, 1, 1]),
]


@pytest.mark.parametrize(("counts", "weights"), SPLITS)
def test_srm_p_matches_scipy(counts, weights) -> None:
    total = sum(counts)
    expected = [total * w / sum(weights) for w in weights]
    assert stats.srm_p(counts, weights) == pytest.approx(
        scipy_stats.chisquare(counts, expected).pvalue, rel=1e-6, abs=1e-12
    )


def test_srm_fires_on_a_skewed_split_and_not_on_a_fair_one() -> None:
    assert stats.srm_p([5300, 4700], [50, 50]) < 0.001
    assert stats.srm_p([5030, 4970], [50, 50]) > 0.001


def test_chance_to_win_matches_monte_carlo() -> None:
    results = [(30, 500), (45, 500)]
    rng = random.Random(7)
    wins = sum(rng.betavariate(46, 456) > rng.betavariate(31, 471) for _ in range(100_000))
    chances = stats.chance_to_win(results)
    assert chances[1] == pytest.approx(wins / 100_000, abs=0.01)
    assert sum(chances) == pytest.approx(1.0)


def test_sample_size_for_80_percent_power() -> None:
    assert stats.sample_size(0.10, 0.12) == pytest.approx(3841, abs=5)  # standard tables: ~3,841
    assert stats.sample_size(0.1, 0.1) is None


def test_difference_interval_contains_the_difference() -> None:
    low, high = stats.difference_interval(30, 500, 45, 500)
    assert low < 0.03 < high and low < 0 < high
