"""Two-stage classification: the monitor settles the clear transcripts, the judge the rest.

The monitor scores every transcript. From a validation set (monitor scores with the judge's
verdicts) :func:`choose_band` picks an uncertain band ``[low, high)``: below ``low`` at most
``max_error`` of the validation transcripts are judged AF, at or above ``high`` at most
``max_error`` are judged not AF. Only transcripts inside the band go to the judge.

The rate (:func:`two_stage_rate`) is the judge's rate over all transcripts, estimated from three
strata: the judge's own verdicts inside the band, and outside it the monitor's decisions weighted
by how often the judge agreed with them on the validation set (the share of AF below the band and
above it, each with its Jeffreys posterior). Its interval is the percentile interval over joint
draws of the three strata's rates, so it carries the uncertainty of the monitor's part as well as
the judge's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from afscope.stats._intervals import Interval

__all__ = ["Band", "choose_band", "two_stage_rate"]

_METHOD = "two-stage, stratified jeffreys monte carlo"


@dataclass(frozen=True)
class Band:
    """Scores in ``[low, high)`` go to the judge, with the validation counts outside the band."""

    low: float
    high: float
    below: tuple[int, int]  # (judged AF, all) of validation transcripts scoring under ``low``
    above: tuple[int, int]  # (judged AF, all) of validation transcripts scoring at/over ``high``

    def judged(self, score: float) -> bool:
        return self.low <= score < self.high


def choose_band(scores: Sequence[float], labels: Sequence[bool], max_error: float = 0.02) -> Band:
    """The narrowest band outside which the monitor's decisions disagree with the judge's on at
    most ``max_error`` of the validation transcripts on each side."""
    order = np.argsort(np.asarray(scores, dtype=float), kind="stable")
    s = np.asarray(scores, dtype=float)[order]
    y = np.asarray(labels, dtype=bool)[order]
    n = len(s)
    low_index = 0  # transcripts [0, low_index) are settled as "not AF"
    for k in range(1, n + 1):
        if y[:k].sum() <= max_error * k and (k == n or s[k] > s[k - 1]):
            low_index = k
    high_index = n  # transcripts [high_index, n) are settled as "AF"
    for k in range(n - 1, low_index - 1, -1):
        if (~y[k:]).sum() <= max_error * (n - k) and (k == 0 or s[k] > s[k - 1]):
            high_index = k
    low = float(s[low_index]) if low_index < n else float("inf")
    high = float(s[high_index]) if high_index < n else float("inf")
    high = max(high, low)
    return Band(
        low=low,
        high=high,
        below=(int(y[:low_index].sum()), low_index),
        above=(int(y[high_index:].sum()), n - high_index),
    )


def two_stage_rate(
    band: Band,
    below: int,
    above: int,
    judged_yes: int,
    judged: int,
    *,
    confidence: float = 0.95,
    draws: int = 20_000,
    seed: int = 0,
) -> Interval:
    """The AF rate of ``below + judged + above`` transcripts: ``below``/``above`` settled by the
    monitor outside ``band``, ``judged`` sent to the judge (``judged_yes`` of them AF)."""
    n = below + above + judged
    if n == 0:
        raise ValueError("no transcripts")
    rng = np.random.default_rng(seed)

    def posterior(k: int, m: int) -> np.ndarray:
        result: np.ndarray = rng.beta(k + 0.5, m - k + 0.5, size=draws)
        return result

    low_rate = posterior(*band.below) if band.below[1] else np.full(draws, 0.5)
    high_rate = posterior(*band.above) if band.above[1] else np.full(draws, 0.5)
    judge_rate = posterior(judged_yes, judged) if judged else np.zeros(draws)
    # the monitor's strata: how many of their transcripts the judge would call AF
    rates = (below * low_rate + above * high_rate + judged * judge_rate) / n
    point_low = band.below[0] / band.below[1] if band.below[1] else 0.5
    point_high = band.above[0] / band.above[1] if band.above[1] else 0.5
    estimate = (below * point_low + above * point_high + judged_yes) / n
    tail = (1 - confidence) / 2
    low, high = np.quantile(rates, [tail, 1 - tail])
    return Interval(
        estimate, min(float(low), estimate), max(float(high), estimate), n, _METHOD, confidence
    )
