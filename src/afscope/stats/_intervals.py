"""Confidence intervals for one proportion (Wilson) and for a paired difference (Newcombe).

References:
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion: comparison
        of seven methods. Statistics in Medicine 17, 857-872 (method 3: Wilson, uncorrected).
    Newcombe, R. G. (1998b). Improved confidence intervals for the difference between binomial
        proportions based on paired data. Statistics in Medicine 17, 2635-2650 (method 10).
    Newcombe, R. G. (1998c). Interval estimation for the difference between independent
        proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890 (method 10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as _scipy_stats

__all__ = [
    "Interval",
    "expected_interval_width",
    "format_interval",
    "independent_difference",
    "paired_difference",
    "wilson_interval",
]


@dataclass(frozen=True)
class Interval:
    """A point estimate with its two-sided confidence interval.

    ``n`` is the number of observations behind the estimate (samples for a rate, pairs for a
    paired difference); ``method`` names how the interval was computed.
    """

    estimate: float
    low: float
    high: float
    n: int
    method: str
    confidence: float = 0.95

    @property
    def width(self) -> float:
        return self.high - self.low

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_dict(self) -> dict[str, float | int | str]:
        """The interval as the JSON outputs give it."""
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "n": self.n,
            "method": self.method,
            "confidence": self.confidence,
        }

    def __str__(self) -> str:
        percent = round(self.confidence * 100)
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}] ({percent}% CI, n={self.n})"


def z_value(confidence: float) -> float:
    """The standard normal quantile for a two-sided interval at ``confidence``."""
    _check_confidence(confidence)
    return float(_scipy_stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """The Wilson score interval for ``successes`` out of ``n`` (no continuity correction).

    It stays inside [0, 1], is never zero-width at 0/n or n/n, and keeps close to nominal
    coverage for the small rates (a few percent) typical of compliance when unmonitored.
    """
    if n <= 0:
        raise ValueError(f"n must be positive to estimate a proportion, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    z = z_value(confidence)
    low, high = _wilson_bounds(successes / n, n, z)
    # exact ends at the edges, whatever the rounding
    low = 0.0 if successes == 0 else low
    high = 1.0 if successes == n else high
    return Interval(successes / n, low, high, n, "wilson", confidence)


def expected_interval_width(n: int, p: float, confidence: float = 0.95) -> float:
    """The width of the Wilson interval that ``n`` samples give when the observed rate is ``p``.

    Use it to plan a run: e.g. 200 queries at a 14% compliance rate give a 95% interval about
    0.098 wide (about +-5 percentage points).
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"rate must be between 0 and 1, got {p}")
    low, high = _wilson_bounds(p, n, z_value(confidence))
    return high - low


def paired_difference(pairs: Sequence[tuple[bool, bool]], confidence: float = 0.95) -> Interval:
    """p(first) - p(second) for paired binary outcomes, with Newcombe's method 10 interval.

    Each pair is one unit observed under both conditions (here: one query asked in the training
    tier and in the unmonitored tier). The interval combines the Wilson limits of the two
    marginal rates, corrected by the phi coefficient of the 2x2 table of pairs, which accounts
    for the two rates being measured on the same units. Raises ValueError for no pairs.
    """
    if not pairs:
        raise ValueError("need at least one pair to estimate a paired difference")
    both, first_only, second_only, neither = _paired_table(pairs)
    n = len(pairs)
    p1 = (both + first_only) / n
    p2 = (both + second_only) / n
    first = wilson_interval(both + first_only, n, confidence)
    second = wilson_interval(both + second_only, n, confidence)
    l1, u1, l2, u2 = first.low, first.high, second.low, second.high
    phi = _newcombe_phi(both, first_only, second_only, neither)
    delta = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    epsilon = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    estimate = p1 - p2
    return Interval(
        estimate,
        max(-1.0, estimate - delta),
        min(1.0, estimate + epsilon),
        n,
        "newcombe-paired-10",
        confidence,
    )


def independent_difference(
    first: tuple[int, int], second: tuple[int, int], confidence: float = 0.95
) -> Interval:
    """p1 - p2 for two independent samples ``(successes, n)``, with Newcombe's hybrid score
    interval (method 10: the two Wilson intervals combined), e.g. a condition's rate against its
    baseline's. ``n`` of the result is the total of both samples."""
    (s1, n1), (s2, n2) = first, second
    one, two = wilson_interval(s1, n1, confidence), wilson_interval(s2, n2, confidence)
    p1, p2 = one.estimate, two.estimate
    delta = math.sqrt((p1 - one.low) ** 2 + (two.high - p2) ** 2)
    epsilon = math.sqrt((one.high - p1) ** 2 + (p2 - two.low) ** 2)
    estimate = p1 - p2
    return Interval(
        estimate,
        max(-1.0, estimate - delta),
        min(1.0, estimate + epsilon),
        n1 + n2,
        "newcombe-independent-10",
        confidence,
    )


def _paired_table(pairs: Sequence[tuple[bool, bool]]) -> tuple[int, int, int, int]:
    """Counts of (yes, yes), (yes, no), (no, yes), (no, no)."""
    both = first_only = second_only = neither = 0
    for first, second in pairs:
        if first and second:
            both += 1
        elif first:
            first_only += 1
        elif second:
            second_only += 1
        else:
            neither += 1
    return both, first_only, second_only, neither


def _newcombe_phi(both: int, first_only: int, second_only: int, neither: int) -> float:
    """Newcombe's phi: the 2x2 phi coefficient with its numerator shrunk by n/2 when positive.

    Zero when any margin is empty (the coefficient is then undefined).
    """
    n = both + first_only + second_only + neither
    margins = (
        (both + first_only)
        * (second_only + neither)
        * (both + second_only)
        * (first_only + neither)
    )
    if margins == 0:
        return 0.0
    cross = both * neither - first_only * second_only
    numerator = max(cross - n / 2, 0.0) if cross > 0 else float(cross)
    return numerator / math.sqrt(margins)


def _wilson_bounds(p_hat: float, n: float, z: float) -> tuple[float, float]:
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p_hat + z2 / (2 * n)) / denominator
    half = (z / denominator) * math.sqrt(p_hat * (1 - p_hat) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")


def format_interval(interval: Interval | None, *, signed: bool = False, digits: int = 1) -> str:
    """``"15.0% [9.3%, 23.3%]"`` (``signed``: ``"+10.3% [+1.7%, +19.3%]"``); ``"n/a"`` for
    nothing to estimate. The one way every view writes a rate or a gap."""
    if interval is None:
        return "n/a"
    form = f"{'+' if signed else ''}.{digits}%"
    return f"{interval.estimate:{form}} [{interval.low:{form}}, {interval.high:{form}}]"
