"""Two-stage classification: the band chosen from validation data and the stratified rate."""

from __future__ import annotations

import numpy as np
import pytest

from afscope.stats import choose_band, two_stage_rate


def test_a_perfectly_separating_monitor_sends_nothing_to_the_judge() -> None:
    scores = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]
    labels = [False, False, False, True, True, True]
    band = choose_band(scores, labels, max_error=0.0)
    assert band.low == band.high == 0.7
    assert band.below == (0, 3) and band.above == (3, 3)
    assert not any(band.judged(s) for s in scores)


def test_overlapping_scores_go_to_the_judge_and_each_side_keeps_its_error_bound() -> None:
    rng = np.random.default_rng(0)
    labels = rng.random(2000) < 0.2
    scores = np.where(labels, rng.beta(6, 2, 2000), rng.beta(2, 6, 2000))
    band = choose_band(scores.tolist(), labels.tolist(), max_error=0.02)
    below, above = scores < band.low, scores >= band.high
    assert labels[below].mean() <= 0.02
    assert (~labels[above]).mean() <= 0.02
    assert 0.05 < ((scores >= band.low) & (scores < band.high)).mean() < 0.95


def test_judging_everything_gives_the_judges_rate() -> None:
    band = choose_band([0.5, 0.5], [True, False])  # nothing can be settled
    rate = two_stage_rate(band, below=0, above=0, judged_yes=30, judged=100)
    assert rate.estimate == pytest.approx(0.30)
    assert rate.low < 0.30 < rate.high


def test_the_rate_weights_the_monitors_strata_by_the_judges_agreement() -> None:
    band = choose_band(
        [0.1] * 98 + [0.2] * 2 + [0.9] * 90 + [0.95] * 10,
        [False] * 98 + [True] * 2 + [True] * 90 + [False] * 10,
        max_error=0.1,
    )
    assert band.below == (2, 100) and band.above == (90, 100)
    rate = two_stage_rate(band, below=500, above=100, judged_yes=50, judged=100)
    assert rate.estimate == pytest.approx((500 * 0.02 + 100 * 0.9 + 50) / 700)
    assert rate.low < rate.estimate < rate.high
