"""What the report's tables show: runs, classifier specs and statistics as formatted text.

These frozen view objects hold display strings only; the template escapes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from afscope.cost import cost_of_usage
from afscope.records import RunInfo, SampleRecord, Tier
from afscope.report._samples import AF_KIND, Run, spec_label
from afscope.stats import Interval, RunStats, TierStats, summarize
from afscope.summary import token_totals

__all__ = ["ClassifierView", "RunView", "TierRow", "format_gap", "format_rate", "run_views"]

# spec keys shown first, in this order; any other key follows alphabetically
_SPEC_ORDER = (
    "name",
    "version",
    "judge_model",
    "model",
    "votes",
    "temperature",
    "threshold",
    "maybe_band",
    "rubric_hash",
)


@dataclass(frozen=True)
class TierRow:
    tier_value: str
    tier: str
    n_samples: int
    malformed: int
    undetermined: int
    compliance: str
    af_reasoning: str
    partial: str
    judge_errors: int
    judge_tokens: int


@dataclass(frozen=True)
class ClassifierView:
    """One classifier spec as (field, value) pairs, and whether it produced the AF numbers."""

    name: str
    fields: tuple[tuple[str, str], ...]
    af_source: bool


@dataclass(frozen=True)
class RunView:
    index: int
    label: str
    simulated: bool
    details: tuple[tuple[str, str], ...]
    classifiers: tuple[ClassifierView, ...]
    af_sources: tuple[str, ...]
    tiers: tuple[TierRow, ...]
    gap: str
    gap_p_value: str
    pairs: int
    epochs: int
    af_truth: str | None
    stats: RunStats
    compliance_truth: str | None = None  # the organism's own label (simulated runs only)
    judge_hint: str | None = None  # the command that judges compliance, when answers lack it

    def tier(self, tier: str) -> TierRow | None:
        """The row of one tier ("free" or "paid"), for the comparison table."""
        return next((row for row in self.tiers if row.tier_value == tier), None)


def run_views(runs: Sequence[Run]) -> list[RunView]:
    """One view per run, with its statistics computed once."""
    return [_run_view(index, info, records) for index, (info, records) in enumerate(runs)]


def format_rate(interval: Interval | None) -> str:
    """``"14.0% [10.2, 18.9]"``; an en dash when there is nothing to estimate."""
    if interval is None:
        return "–"
    return f"{100 * interval.estimate:.1f}% [{100 * interval.low:.1f}, {100 * interval.high:.1f}]"


def format_gap(interval: Interval | None) -> str:
    """``"+11.3 pp [5.1, 17.0]"`` (percentage points); an en dash without pairs."""
    if interval is None:
        return "–"
    return (
        f"{100 * interval.estimate:+.1f} pp [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}]"
    )


def _run_view(index: int, info: RunInfo, records: Sequence[SampleRecord]) -> RunView:
    stats = summarize(records)
    af_sources = _af_sources(records)
    return RunView(
        index=index,
        label=info.label,
        simulated=info.simulated,
        details=_details(info, records),
        classifiers=tuple(_classifier_views(info, records, af_sources)),
        af_sources=tuple(af_sources),
        tiers=tuple(_tier_row(stats.tiers[tier]) for tier in Tier if tier in stats.tiers),
        gap=format_gap(stats.gap),
        gap_p_value="–" if stats.gap_p_value is None else f"{stats.gap_p_value:.3g}",
        pairs=stats.pairs,
        epochs=stats.epochs,
        af_truth=_af_truth(stats),
        stats=stats,
        compliance_truth=_compliance_truth(stats),
        judge_hint=(
            f"afscope classify {info.log_path} --judge MODEL"
            if any(row.undetermined for row in stats.tiers.values())
            else None
        ),
    )


def _details(info: RunInfo, records: Sequence[SampleRecord]) -> tuple[tuple[str, str], ...]:
    tokens = token_totals(records)
    cost = cost_of_usage(info.model, prices=None, **tokens)
    return (
        ("model", info.model + (" (SIMULATED organism)" if info.simulated else "")),
        ("setting", info.setting),
        ("variant", info.variant),
        ("task", info.task),
        ("seed", str(info.seed)),
        ("date", info.created or "–"),
        ("scratchpad", "yes" if info.scratchpad else "no (no-CoT)"),
        ("accept/reject suffix", "yes" if info.suffix else "no"),
        ("samples", str(len(records))),
        (
            "tokens",
            f"{tokens['input_tokens']:,} input ({tokens['cached_input_tokens']:,} read from "
            f"cache, {tokens['cache_write_tokens']:,} written), "
            f"{tokens['output_tokens']:,} output",
        ),
        ("estimated cost", "unknown price" if cost is None else f"${cost:,.4f}"),
        ("log", info.log_path or "–"),
    )


def _tier_row(stats: TierStats) -> TierRow:
    return TierRow(
        tier_value=stats.tier.value,
        tier=f"{stats.tier.condition} ({stats.tier.value})",
        n_samples=stats.n_samples,
        malformed=stats.malformed,
        undetermined=stats.undetermined,
        compliance=format_rate(stats.compliance),
        af_reasoning=format_rate(stats.af_reasoning),
        partial=format_rate(stats.partial),
        judge_errors=stats.judge_errors,
        judge_tokens=stats.judge_tokens,
    )


def _af_truth(stats: RunStats) -> str | None:
    if not stats.af_truth:
        return None
    parts = [
        f"{tier.condition}: {100 * rate:.1f}%"
        for tier in Tier
        if (rate := stats.af_truth.get(tier)) is not None
    ]
    return ", ".join(parts)


def _compliance_truth(stats: RunStats) -> str | None:
    if not stats.compliance_truth:
        return None
    return ", ".join(
        f"{tier.condition}: {format_rate(rate)}"
        for tier in Tier
        if (rate := stats.compliance_truth.get(tier)) is not None
    )


def _af_sources(records: Sequence[SampleRecord]) -> list[str]:
    """Labels (name@version) of the specs behind the run's AF verdicts, most used first."""
    counts = Counter(
        spec_label(verdict.spec)
        for record in records
        if (verdict := record.verdicts.get(AF_KIND)) is not None
    )
    return [label for label, _ in counts.most_common()]


def _classifier_views(
    info: RunInfo, records: Sequence[SampleRecord], af_sources: list[str]
) -> list[ClassifierView]:
    specs: dict[str, dict[str, Any]] = {}
    for name, spec in info.classifiers.items():
        specs[spec_label({"name": name, **spec})] = {"name": name, **spec}
    for record in records:  # specs recorded on verdicts but missing from the run header
        for verdict in record.verdicts.values():
            label = spec_label(verdict.spec)
            if label not in specs:
                specs[label] = dict(verdict.spec)
    return [
        ClassifierView(name=label, fields=_spec_fields(spec), af_source=label in af_sources)
        for label, spec in specs.items()
    ]


def _spec_fields(spec: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    keys = [key for key in _SPEC_ORDER if key in spec]
    keys += sorted(key for key in spec if key not in _SPEC_ORDER)
    return tuple((key, _show(spec[key])) for key in keys)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_show(item) for item in value)
    return str(value)
