"""Inspect's own metrics, rendered from afscope's statistics so that ``inspect view`` agrees with
the summary, the report and the sweep table.

Each scorer's metric sees only that scorer's scores: it rebuilds the records they describe (tier
and query from the sample, outcome, organism truth and verdicts from the score) and renders
:func:`afscope.summary.metric_values` of :func:`afscope.stats.summarize` over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

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
        if kinds:  # a classifier's own scorer: its verdicts under their plain kinds
            values = metric_values(summarize(_monitor_verdicts(records)))
            return {key: value for key, value in values.items() if key.startswith(tuple(kinds))}
        # the outcome scorer: the run's metrics, and the verdicts of a monitor recorded beside a
        # judge (as <kind>_monitor) as <kind>_monitor_<tier>, never under the judge's <kind>
        values = metric_values(summarize(records))
        if not any(k.endswith(_MONITOR_SUFFIX) for record in records for k in record.verdicts):
            return values  # no monitor beside a judge: nothing to summarize a second time
        monitored = _monitor_verdicts(records, only=True)
        kinds_seen = {kind for record in monitored for kind in record.verdicts}
        for key, value in metric_values(summarize(monitored)).items():
            for kind in kinds_seen:
                if key.startswith(f"{kind}_"):
                    values[f"{kind}{_MONITOR_SUFFIX}{key.removeprefix(kind)}"] = value
        return values

    return compute


def _monitor_verdicts(records: list[SampleRecord], *, only: bool = False) -> list[SampleRecord]:
    """``records`` with each ``<kind>_monitor`` verdict counted as ``<kind>``; ``only``: with
    nothing but those."""
    renamed = []
    for record in records:
        verdicts = {} if only else dict(record.verdicts)
        for kind, verdict in record.verdicts.items():
            if kind.endswith(_MONITOR_SUFFIX):
                verdicts.pop(kind, None)
                verdicts[kind.removesuffix(_MONITOR_SUFFIX)] = verdict
        renamed.append(replace(record, verdicts=verdicts))
    return renamed


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
            kind: Verdict.from_dict(data) for kind, data in (meta.get("verdicts") or {}).items()
        },
    )
