"""Statistics for alignment-faking runs: intervals, tests, power and the per-run summary.

Plain functions on plain values (numpy/scipy only, no Inspect), tested against textbook answers.
The two tiers are paired by query (each query is asked once in each tier), so the compliance
gap uses paired methods: Newcombe's interval and McNemar's exact test, or a bootstrap over
queries when a run has several epochs.
"""

from afscope.stats._bootstrap import cluster_bootstrap_difference
from afscope.stats._intervals import (
    Interval,
    expected_interval_width,
    format_interval,
    independent_difference,
    paired_difference,
    wilson_interval,
)
from afscope.stats._misclassification import (
    CorrectedRate,
    NoBetterThanChance,
    Validation,
    corrected_rate,
)
from afscope.stats._power import discordance_range, sample_size_for_gap
from afscope.stats._significance import holm, mcnemar_exact
from afscope.stats._summary import RunStats, TierStats, sample_compliance, summarize
from afscope.stats._two_stage import Band, choose_band, two_stage_rate

__all__ = [
    "Band",
    "CorrectedRate",
    "Interval",
    "NoBetterThanChance",
    "RunStats",
    "TierStats",
    "Validation",
    "choose_band",
    "cluster_bootstrap_difference",
    "corrected_rate",
    "discordance_range",
    "expected_interval_width",
    "format_interval",
    "holm",
    "independent_difference",
    "mcnemar_exact",
    "paired_difference",
    "sample_compliance",
    "sample_size_for_gap",
    "summarize",
    "two_stage_rate",
    "wilson_interval",
]
