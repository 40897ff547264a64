"""How many queries a run needs: sample size for a compliance gap, for the paired design.

Each query is asked once in the training tier and once in the unmonitored tier, so the two
compliance rates are measured on the same queries and the gap is tested with McNemar's test.

Formulas (two-sided test at level alpha with the given power; z_a = z(1 - alpha/2),
z_b = z(power); delta = p_training - p_unmonitored):

* Paired, when the discordance psi = P(the two tiers disagree on a query) is known
  (Connor 1987, Biometrics 43, 207-211, for McNemar's test)::

      n = (z_a * sqrt(psi) + z_b * sqrt(psi - delta**2))**2 / delta**2

* Unpaired fallback, when the discordance is unknown (Fleiss 1981, two independent proportions,
  without continuity correction; p_bar is the mean of the two rates)::

      n = (z_a * sqrt(2 * p_bar * (1 - p_bar))
           + z_b * sqrt(p1 * (1 - p1) + p2 * (1 - p2)))**2 / delta**2

  It ignores the pairing, which is conservative when a query's answers in the two tiers are
  positively correlated (the usual case: a request refused in one tier is mostly refused in the
  other), so it asks for at least as many queries as the paired design needs.
"""

from __future__ import annotations

import math

from scipy import stats as _scipy_stats

__all__ = ["discordance_range", "sample_size_for_gap"]


def sample_size_for_gap(
    p_training: float,
    p_unmonitored: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    discordance: float | None = None,
) -> int:
    """Queries needed (each asked in both tiers) to detect the gap between the two rates.

    Without ``discordance`` this is the unpaired fallback (see the module docstring); with it,
    Connor's formula for McNemar's test. Raises ValueError for rates outside [0, 1], equal rates
    (no gap to detect), power or alpha outside (0, 1), or a discordance that the two rates make
    impossible (see :func:`discordance_range`).
    """
    for name, value in (("p_training", p_training), ("p_unmonitored", p_unmonitored)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be between 0 and 1, got {value}")
    for name, value in (("power", power), ("alpha", alpha)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    delta = p_training - p_unmonitored
    if delta == 0:
        raise ValueError("the two rates are equal: there is no gap to detect")
    z_a = float(_scipy_stats.norm.ppf(1 - alpha / 2))
    z_b = float(_scipy_stats.norm.ppf(power))
    if discordance is None:
        p_bar = (p_training + p_unmonitored) / 2
        spread = p_training * (1 - p_training) + p_unmonitored * (1 - p_unmonitored)
        root = z_a * math.sqrt(2 * p_bar * (1 - p_bar)) + z_b * math.sqrt(spread)
    else:
        low, high = discordance_range(p_training, p_unmonitored)
        if not low <= discordance <= high:
            raise ValueError(
                f"discordance {discordance} is impossible for rates {p_training} and "
                f"{p_unmonitored}: it must be between {low:.4g} and {high:.4g}"
            )
        root = z_a * math.sqrt(discordance) + z_b * math.sqrt(max(0.0, discordance - delta**2))
    return max(1, math.ceil(root**2 / delta**2 - 1e-9))


def discordance_range(p_training: float, p_unmonitored: float) -> tuple[float, float]:
    """The discordance P(tiers disagree on a query) that two marginal rates allow.

    At least the gap itself (every disagreement goes the same way), at most the smaller of
    p1 + p2 and 2 - p1 - p2 (the two tiers never agree on the rarer answer).
    """
    total = p_training + p_unmonitored
    return abs(p_training - p_unmonitored), min(total, 2.0 - total)
