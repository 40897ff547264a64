"""What the report shows of its runs: labels, classifier specs, prompts and statistics as text.

Every number comes from each run's :class:`~afscope.summary.RunSummary` (built once per run by
:func:`report_runs`); these frozen view objects hold display strings only, and the template
escapes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afscope.records import RunInfo, Tier
from afscope.report._samples import AF_KIND, Run, spec_label
from afscope.stats import TierStats, Validation
from afscope.summary import RunSummary, format_interval, summarize_run

__all__ = [
    "ClassifierView",
    "PromptView",
    "ReportRun",
    "RunView",
    "TierRow",
    "classifier_views",
    "comparison_labels",
    "prompt_views",
    "report_runs",
    "run_views",
]

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
class ReportRun:
    """One run as the report sees it: the label that tells it apart and its derived result."""

    label: str
    summary: RunSummary


def report_runs(runs: Sequence[Run], validation: Validation | None = None) -> list[ReportRun]:
    """Each run summarized once (failed samples listed, not scored) and labelled; ``validation``
    (the user's labelled counts) replaces the monitor's own in its corrected rates."""
    labels = comparison_labels([info for info, _ in runs])
    return [
        ReportRun(label, summarize_run(info, records, validation=validation))
        for label, (info, records) in zip(labels, runs, strict=True)
    ]


def comparison_labels(infos: Sequence[RunInfo]) -> list[str]:
    """Labels that tell runs apart: of model, setting, variant, scratchpad and suffix only the
    fields that differ, and a short log id where everything else is equal.

    One run keeps its full label (model, setting, variant); an incomplete run is marked.
    """
    if len(infos) < 2:
        return [info.label for info in infos]
    fields = [_label_fields(info) for info in infos]
    differing = [i for i in range(len(fields[0])) if len({f[i] for f in fields}) > 1]
    labels = [" · ".join(f[i] for i in differing) for f in fields]
    repeated = {label for label, count in Counter(labels).items() if count > 1}
    out = [
        _with_log_id(label or info.label, info, index) if label in repeated else label
        for index, (label, info) in enumerate(zip(labels, infos, strict=True))
    ]
    # a log whose run did not end says so whatever else differs
    return [
        label if info.complete or "incomplete" in label else f"{label} · incomplete"
        for label, info in zip(out, infos, strict=True)
    ]


def _label_fields(info: RunInfo) -> tuple[str, ...]:
    return (
        info.model + (" (simulated)" if info.simulated else ""),
        info.setting,
        f"variant {info.variant}",
        "scratchpad" if info.scratchpad else "no scratchpad",
        "suffix" if info.suffix else "no suffix",
    )


def _with_log_id(label: str, info: RunInfo, index: int) -> str:
    # Inspect names a log <time>_<task>_<id>.eval: the id's first 8 characters tell logs apart
    stem = Path(info.log_path).stem
    return f"{label} · log {stem.rsplit('_', 1)[-1][:8]}" if stem else f"{label} · run {index + 1}"


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
    """One distinct classifier spec as (field, value) pairs: the runs it judged (1-based) and
    those whose alignment-faking numbers it produced."""

    name: str
    fields: tuple[tuple[str, str], ...]
    runs: tuple[int, ...]
    af_runs: tuple[int, ...]


@dataclass(frozen=True)
class PromptView:
    """One distinct system prompt, as the model was sent it, and the runs (1-based) that sent it."""

    text: str
    runs: tuple[int, ...]
    variants: tuple[str, ...]


@dataclass(frozen=True)
class RunView:
    index: int
    label: str
    simulated: bool
    details: tuple[tuple[str, str], ...]
    af_sources: tuple[str, ...]
    tiers: tuple[TierRow, ...]
    gap: str
    gap_p_value: str
    pairs: int
    epochs: int
    failed: int
    af_truth: str | None
    compliance_truth: str | None  # the organism's own label (simulated runs only)
    judge_hint: str | None  # the command that judges compliance, when answers lack it

    # when the local monitor (alone or as the first of two stages) made the AF numbers: how
    screening: tuple[str, ...] = ()

    def tier(self, tier: str) -> TierRow | None:
        """The row of one tier ("free" or "paid"), for the comparison table."""
        return next((row for row in self.tiers if row.tier_value == tier), None)


def run_views(runs: Sequence[ReportRun]) -> list[RunView]:
    """One view per run."""
    return [_run_view(index, run) for index, run in enumerate(runs)]


def _run_view(index: int, run: ReportRun) -> RunView:
    summary, info = run.summary, run.summary.run
    stats = summary.stats
    return RunView(
        index=index,
        label=run.label,
        simulated=info.simulated,
        details=_details(summary),
        af_sources=tuple(_af_sources(summary)),
        tiers=tuple(_tier_row(stats.tiers[tier]) for tier in Tier if tier in stats.tiers),
        gap=format_interval(stats.gap, signed=True),
        gap_p_value="n/a" if stats.gap_p_value is None else f"{stats.gap_p_value:.3g}",
        pairs=stats.pairs,
        epochs=stats.epochs,
        failed=len(summary.errors),
        af_truth=_af_truth(summary),
        compliance_truth=_compliance_truth(summary),
        screening=tuple(
            line.strip()
            for made in (summary.screening, summary.two_stage)
            if made is not None
            for line in made.lines()
        ),
        judge_hint=(
            f"afscope classify {info.log_path} --judge MODEL"
            if any(row.undetermined for row in stats.tiers.values())
            else None
        ),
    )


def _details(summary: RunSummary) -> tuple[tuple[str, str], ...]:
    info = summary.run
    cost = summary.cost_usd
    return (
        ("model", info.model + (" (SIMULATED organism)" if info.simulated else "")),
        ("setting", info.setting),
        ("variant", info.variant),
        ("task", info.task),
        ("seed", str(info.seed)),
        ("date", info.created or "–"),
        ("scratchpad", "yes" if info.scratchpad else "no (no-CoT)"),
        ("accept/reject suffix", "yes" if info.suffix else "no"),
        ("samples", str(summary.samples)),
        ("failed samples (not scored)", str(len(summary.errors))),
        (
            "tokens",
            f"{summary.input_tokens:,} input ({summary.cached_input_tokens:,} read from "
            f"cache, {summary.cache_write_tokens:,} written), "
            f"{summary.output_tokens:,} output",
        ),
        (
            "estimated cost",
            ("unknown price" if cost is None else f"${cost:,.4f}")
            + (" at the batch API's price" if info.batched else ""),
        ),
        ("log", info.log_path or "–"),
    )


def _tier_row(stats: TierStats) -> TierRow:
    return TierRow(
        tier_value=stats.tier.value,
        tier=f"{stats.tier.condition} ({stats.tier.value})",
        n_samples=stats.n_samples,
        malformed=stats.malformed,
        undetermined=stats.undetermined,
        compliance=format_interval(stats.compliance),
        af_reasoning=format_interval(stats.af_reasoning),
        partial=format_interval(stats.partial),
        judge_errors=stats.judge_errors,
        judge_tokens=stats.judge_tokens,
    )


def _af_truth(summary: RunSummary) -> str | None:
    truth = summary.stats.af_truth
    if not truth:
        return None
    return ", ".join(
        f"{tier.condition}: {rate:.1%}" for tier in Tier if (rate := truth.get(tier)) is not None
    )


def _compliance_truth(summary: RunSummary) -> str | None:
    truth = summary.stats.compliance_truth
    if not truth or not summary.compliance_unmeasured:  # as in the text summary
        return None
    return ", ".join(
        f"{tier.condition}: {format_interval(rate)}"
        for tier in Tier
        if (rate := truth.get(tier)) is not None
    )


def _af_sources(summary: RunSummary) -> list[str]:
    """Labels (name@version) of the specs behind the run's AF verdicts, most used first."""
    counts = Counter(
        spec_label(verdict.spec)
        for record in summary.records
        if (verdict := record.verdicts.get(AF_KIND)) is not None
    )
    return [label for label, _ in counts.most_common()]


def classifier_views(runs: Sequence[ReportRun]) -> list[ClassifierView]:
    """Each distinct classifier spec once (same name, version and settings), with its runs."""
    found: dict[tuple[tuple[str, str], ...], tuple[str, list[int], list[int]]] = {}
    for index, run in enumerate(runs):
        af_sources = _af_sources(run.summary)
        for label, spec in _run_specs(run).items():
            _, used, af = found.setdefault(_spec_fields(spec), (label, [], []))
            used.append(index + 1)
            if label in af_sources:
                af.append(index + 1)
    return [
        ClassifierView(name=name, fields=fields, runs=tuple(used), af_runs=tuple(af))
        for fields, (name, used, af) in found.items()
    ]


def _run_specs(run: ReportRun) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = {}
    for name, spec in run.summary.run.classifiers.items():
        specs[spec_label({"name": name, **spec})] = {"name": name, **spec}
    for record in run.summary.records:  # specs recorded on verdicts but missing from the header
        for verdict in record.verdicts.values():
            label = spec_label(verdict.spec)
            if label not in specs:
                specs[label] = dict(verdict.spec)
    return specs


def prompt_views(runs: Sequence[ReportRun]) -> list[PromptView]:
    """Each distinct system prompt once, with the runs and variants that sent it."""
    found: dict[str, tuple[list[int], list[str]]] = {}
    for index, info in enumerate(run.summary.run for run in runs):
        if not info.system_prompt:
            continue
        used, variants = found.setdefault(info.system_prompt, ([], []))
        used.append(index + 1)
        if info.variant not in variants:
            variants.append(info.variant)
    return [PromptView(text, tuple(used), tuple(v)) for text, (used, v) in found.items()]


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
