"""A cluster (query-level) bootstrap for the paired difference when queries repeat over epochs.

With several epochs, the answers to one query are correlated (same request, same model), so
treating every (query, epoch) pair as independent would make intervals too narrow. Resampling
whole queries keeps that correlation: the unit of resampling is the unit that was sampled.

The interval is the bias-corrected and accelerated (BCa) percentile interval (Efron 1987, JASA
82, 171-185; acceleration from the leave-one-query-out jackknife), read at the "expanded" tail
probabilities of Hesterberg (2015, The American Statistician 69, 371-386), which undo the
bootstrap's tendency to be too narrow with few clusters. In simulation (3 epochs, compliance
14% vs 3%) plain percentiles covered 91% with 30 queries and 93% with 50; this version covered
94% and 96%, for intervals about 5-10% wider (benchmarks/interval_coverage.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats as _scipy_stats

from afscope.stats._intervals import Interval, _check_confidence

__all__ = ["cluster_bootstrap_difference"]

_METHOD = "cluster-bootstrap-bca"


def cluster_bootstrap_difference(
    clusters: Mapping[str, Sequence[tuple[bool, bool]]],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Interval:
    """p(first) - p(second) over all pairs, with an interval from resampling whole clusters.

    ``clusters`` maps a query id to its pairs (one per epoch). Each bootstrap replicate draws as
    many queries as there are, with replacement, and recomputes the pooled difference; the
    interval is read from the replicates as the module docstring says. The same ``seed`` gives
    the same interval. ``n`` of the result is the number of pairs. With a single query, or when
    no pair is discordant, the interval is zero-wide: prefer :func:`paired_difference` for
    single-epoch runs.
    """
    _check_confidence(confidence)
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    if not clusters:
        raise ValueError("need at least one cluster (query) to bootstrap")
    names = sorted(clusters)  # independent of the mapping's order, so results are reproducible
    for name in names:
        if not clusters[name]:
            raise ValueError(f"cluster {name!r} has no pairs")
    differences = np.array(
        [sum(int(first) - int(second) for first, second in clusters[name]) for name in names],
        dtype=float,
    )
    sizes = np.array([len(clusters[name]) for name in names], dtype=float)
    estimate = float(differences.sum() / sizes.sum())
    if len(names) == 1:
        return Interval(estimate, estimate, estimate, int(sizes.sum()), _METHOD, confidence)

    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(n_boot, len(names)))
    replicates = differences[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    tails = _bca_tails(replicates, estimate, differences, sizes, confidence)
    low, high = np.quantile(replicates, tails)
    return Interval(
        estimate,
        float(min(low, estimate)),
        float(max(high, estimate)),
        int(sizes.sum()),
        _METHOD,
        confidence,
    )


def _bca_tails(
    replicates: np.ndarray,
    estimate: float,
    differences: np.ndarray,
    sizes: np.ndarray,
    confidence: float,
) -> np.ndarray:
    """The two quantile levels at which to read the bootstrap replicates."""
    k = len(differences)
    # Hesterberg's expansion: the normal tail that matches a t tail with k - 1 df, widened
    t_quantile = float(_scipy_stats.t.ppf(0.5 + confidence / 2, k - 1))
    tail = float(_scipy_stats.norm.cdf(-np.sqrt(k / (k - 1)) * t_quantile))
    z = _scipy_stats.norm.ppf([tail, 1.0 - tail])

    n_boot = len(replicates)
    below = (np.sum(replicates < estimate) + 0.5 * np.sum(replicates == estimate)) / n_boot
    bias = float(_scipy_stats.norm.ppf(np.clip(below, 0.5 / n_boot, 1 - 0.5 / n_boot)))

    jackknife = (differences.sum() - differences) / (sizes.sum() - sizes)
    spread = jackknife.mean() - jackknife
    scale = float(np.sum(spread**2))
    acceleration = float(np.sum(spread**3)) / (6 * scale**1.5) if scale > 0 else 0.0

    levels = []
    for z_side, fallback in zip(z, (0.0, 1.0), strict=True):
        shifted = bias + float(z_side)
        denominator = 1 - acceleration * shifted
        # an extreme acceleration pushes the level past the end of the distribution
        levels.append(
            float(_scipy_stats.norm.cdf(bias + shifted / denominator))
            if denominator > 0
            else fallback
        )
    return np.array(levels)
