"""The statistics of an A/B test, in plain Python (no SciPy at run time).

Wilson score intervals for rates; the difference from the control with its
(Newcombe) interval and a two-proportion z-test; the chance each variant is
best under Beta(1, 1) priors (by numeric integration over the posterior
densities); a chi-square test of the sample ratio against the weights; and the
sample size per group that would detect the observed difference with 80% power.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054
Z80 = 0.8416212335729143


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    """Newcombe's interval for p2 - p1 from the two Wilson intervals."""
    p1, p2 = (s1 / n1 if n1 else 0.0), (s2 / n2 if n2 else 0.0)
    l1, u1 = wilson(s1, n1)
    l2, u2 = wilson(s2, n2)
    d = p2 - p1
    return d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt(
        (u2 - p2) ** 2 + (p1 - l1) ** 2
    )


def two_proportion_p(s1: int, n1: int, s2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    if not n1 or not n2:
        return 1.0
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (s2 / n2 - s1 / n1) / se
    return math.erfc(abs(z) / math.sqrt(2))


def _beta_log_pdf(x: float, a: float, b: float) -> float:
    return (
        (a - 1) * math.log(x)
        + (b - 1) * math.log1p(-x)
        - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
    )


def chance_to_win(results: list[tuple[int, int]], steps: int = 2000) -> list[float]:
    """P(variant i has the highest rate) with Beta(1 + s, 1 + n - s) posteriors, on a grid."""
    grid = [(k + 0.5) / steps for k in range(steps)]
    dx = 1 / steps
    pdfs, cdfs = [], []
    for s, n in results:
        a, b = 1 + s, 1 + n - s
        pdf = [math.exp(_beta_log_pdf(x, a, b)) for x in grid]
        total, cdf = 0.0, []
        for value in pdf:
            total += value * dx
            cdf.append(total)
        norm = total or 1.0
        pdfs.append([v / norm for v in pdf])
        cdfs.append([min(1.0, c / norm) for c in cdf])
    chances = []
    for i in range(len(results)):
        acc = 0.0
        for k in range(steps):
            others = 1.0
            for j in range(len(results)):
                if j != i:
                    others *= cdfs[j][k]
            acc += pdfs[i][k] * others * dx
        chances.append(acc)
    total = sum(chances) or 1.0
    return [c / total for c in chances]


def _regularized_upper_gamma(a: float, x: float) -> float:
    """Q(a, x) by series (x < a + 1) or continued fraction (Numerical Recipes)."""
    if x <= 0:
        return 1.0
    if x < a + 1:
        term = total = 1 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return 1 - total * math.exp(-x + a * math.log(x) - math.lgamma(a))
    b, c, d = x + 1 - a, 1 / 1e-300, 1 / (x + 1 - a)
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def srm_p(counts: list[int], weights: list[float]) -> float:
    """Chi-square goodness of fit of the users per variant against the weights."""
    total, weight = sum(counts), sum(weights)
    if total == 0 or len(counts) < 2:
        return 1.0
    chi2 = sum(
        (c - total * w / weight) ** 2 / (total * w / weight)
        for c, w in zip(counts, weights, strict=True)
    )
    return _regularized_upper_gamma((len(counts) - 1) / 2, chi2 / 2)


def sample_size(p1: float, p2: float) -> int | None:
    """People per group to detect p1 vs p2 (two-sided 5%, 80% power); None if they are equal."""
    if p1 == p2:
        return None
    p_bar = (p1 + p2) / 2
    numerator = (
        Z95 * math.sqrt(2 * p_bar * (1 - p_bar)) + Z80 * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2
    return math.ceil(numerator / (p1 - p2) ** 2)
