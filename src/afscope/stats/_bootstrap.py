"""A cluster (query-level) bootstrap for the paired difference when queries repeat over epochs.

With several epochs, the answers to one query are correlated (same request, same model), so
treating every (query, epoch) pair as independent would make intervals too narrow. Resampling
whole queries keeps that correlation: the unit of resampling is the unit that was sampled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from afscope.stats._intervals import Interval, _check_confidence

__all__ = ["cluster_bootstrap_difference"]


def cluster_bootstrap_difference(
    clusters: Mapping[str, Sequence[tuple[bool, bool]]],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Interval:
    """p(first) - p(second) over all pairs, with a percentile interval from resampling clusters.

    ``clusters`` maps a query id to its pairs (one per epoch). Each bootstrap replicate draws as
    many queries as there are, with replacement, and recomputes the pooled difference. The same
    ``seed`` gives the same interval. ``n`` of the result is the number of pairs. When every
    query agrees with itself across tiers (no discordant pair at all) the interval is zero-wide:
    prefer :func:`paired_difference` for single-epoch runs.
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
    firsts = np.array([sum(first for first, _ in clusters[name]) for name in names], dtype=float)
    seconds = np.array([sum(second for _, second in clusters[name]) for name in names], dtype=float)
    sizes = np.array([len(clusters[name]) for name in names], dtype=float)
    differences = firsts - seconds

    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(n_boot, len(names)))
    replicates = differences[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(replicates, [tail, 1.0 - tail])
    estimate = float(differences.sum() / sizes.sum())
    return Interval(
        estimate,
        float(low),
        float(high),
        int(sizes.sum()),
        "cluster-bootstrap-percentile",
        confidence,
    )
