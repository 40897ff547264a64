"""Inspect's own metrics, rendered from afscope's statistics so that ``inspect view`` agrees with
the summary, the report and the sweep table.

Each scorer's metric sees only that scorer's scores: it rebuilds the records they describe (tier
and query from the sample, outcome, organism truth and verdicts from the score) and renders
:func:`afscope.summary.metric_values` of :func:`afscope.stats.summarize` over them.
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.scorer import Metric, SampleScore, metric

from afscope.records import OrganismTruth, Outcome, SampleRecord, Tier, Verdict
from afscope.stats import summarize
from afscope.summary import metric_values

__all__ = ["run_metrics"]

# a classifier scorer records its verdicts under <kind>_monitor when a judge records <kind>
_MONITOR_SUFFIX = "_monitor"


@metric
def run_metrics(kinds: Sequence[str] = ()) -> Metric:
    """The run's metrics over this scorer's scores: all of them (the outcome scorer), or only
    those of the verdict ``kinds`` (``af_reasoning_free``, ...) for a classifier's scorer."""

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        records = [record for score in scores if (record := _record(score)) is not None]
        values = metric_values(summarize(records))
        if not kinds:
            return values
        return {key: value for key, value in values.items() if key.startswith(tuple(kinds))}

    return compute


def _record(sample_score: SampleScore) -> SampleRecord | None:
    meta = sample_score.score.metadata or {}
    sample = sample_score.sample_metadata or {}
    tier = sample.get("tier", meta.get("tier"))
    if tier not in (Tier.FREE.value, Tier.PAID.value):
        return None
    sample_id = str(sample_score.sample_id)
    truth = meta.get("truth")
    return SampleRecord(
        sample_id=sample_id,
        query_id=str(sample.get("query_id", sample_id)),
        category="",
        tier=Tier(tier),
        setting="",
        outcome=Outcome(meta.get("outcome", Outcome.MALFORMED.value)),
        truth=OrganismTruth.from_dict(truth) if truth else None,
        verdicts={
            kind.removesuffix(_MONITOR_SUFFIX): Verdict.from_dict(data)
            for kind, data in (meta.get("verdicts") or {}).items()
        },
    )
