"""Hypothesis tests: the exact McNemar test for paired outcomes and Holm's step-down adjustment.

References:
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
        proportions or percentages. Psychometrika 12, 153-157.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
        Journal of Statistics 6, 65-70.
"""

from __future__ import annotations

from collections.abc import Sequence

from scipy import stats as _scipy_stats

__all__ = ["holm", "mcnemar_exact"]


def mcnemar_exact(pairs: Sequence[tuple[bool, bool]]) -> float:
    """Two-sided exact McNemar p-value for paired binary outcomes.

    Only discordant pairs carry information: under the null hypothesis (equal rates), each of
    the ``b + c`` discordant pairs is (yes, no) with probability 1/2, so the p-value is
    ``min(1, 2 * P(X <= min(b, c)))`` for X ~ Binomial(b + c, 1/2). Returns 1.0 when no pair is
    discordant (including no pairs at all).
    """
    first_only = sum(1 for first, second in pairs if first and not second)
    second_only = sum(1 for first, second in pairs if second and not first)
    discordant = first_only + second_only
    if discordant == 0:
        return 1.0
    tail = float(_scipy_stats.binom.cdf(min(first_only, second_only), discordant, 0.5))
    return min(1.0, 2.0 * tail)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given.

    The i-th smallest of m p-values is multiplied by (m - i + 1); the adjusted values are then
    made non-decreasing in that order and capped at 1. Rejecting where the adjusted value is
    below alpha controls the family-wise error rate at alpha.
    """
    for value in p_values:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"p-values must be between 0 and 1, got {value}")
    m = len(p_values)
    order = sorted(range(m), key=lambda index: p_values[index])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
