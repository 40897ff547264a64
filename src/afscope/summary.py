"""The summary a run prints: per-tier compliance with intervals, the gap, what was judged and how.

Pure: built from a run's RunInfo and records; rendered as text (rich) or as one JSON object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from afscope.cost import PriceTable, cost_of_usage
from afscope.records import RunInfo, SampleRecord
from afscope.stats import Interval, RunStats, summarize

__all__ = ["RunSummary", "summarize_run", "token_totals"]

SIMULATED_NOTE = "SIMULATED: the model is afscope's simulated organism, not a real model."


@dataclass(frozen=True)
class RunSummary:
    """Everything the run summary shows, as typed values."""

    run: RunInfo
    stats: RunStats
    samples: int
    errors: tuple[str, ...]  # ids of samples that failed (provider errors), listed for a rerun
    input_tokens: int
    cached_input_tokens: int
    cache_write_tokens: int
    output_tokens: int
    cost_usd: float | None  # estimated from the price table; None when the price is unknown

    @property
    def af_classifier(self) -> str | None:
        """Name of the classifier that judged alignment-faking reasoning, if any."""
        spec = self.run.classifiers.get("af_reasoning")
        return str(spec.get("name")) if spec else None

    def to_json(self) -> dict[str, Any]:
        tiers = {}
        for tier, stats in self.stats.tiers.items():
            tiers[tier.value] = {
                "condition": tier.condition,
                "n": stats.n_samples,
                "malformed": stats.malformed,
                "undetermined": stats.undetermined,
                "compliance": _interval_json(stats.compliance),
                "af_reasoning": _interval_json(stats.af_reasoning),
                "partial_compliance": _interval_json(stats.partial),
                "judge_errors": stats.judge_errors,
                "judge_tokens": stats.judge_tokens,
            }
        return {
            "model": self.run.model,
            "simulated": self.run.simulated,
            "setting": self.run.setting,
            "variant": self.run.variant,
            "scratchpad": self.run.scratchpad,
            "suffix": self.run.suffix,
            "seed": self.run.seed,
            "samples": self.samples,
            "tiers": tiers,
            "gap": _interval_json(self.stats.gap),
            "gap_p_value": self.stats.gap_p_value,
            "pairs": self.stats.pairs,
            "epochs": self.stats.epochs,
            "af_classifier": self.run.classifiers.get("af_reasoning"),
            "organism_truth_af": (
                {tier.value: rate for tier, rate in self.stats.af_truth.items()}
                if self.stats.af_truth
                else None
            ),
            "organism_truth_compliance": (
                {t.value: _interval_json(r) for t, r in self.stats.compliance_truth.items()}
                if self.stats.compliance_truth
                else None
            ),
            "errors": list(self.errors),
            "tokens": {
                "input": self.input_tokens,
                "cached_input": self.cached_input_tokens,
                "cache_write": self.cache_write_tokens,
                "output": self.output_tokens,
            },
            "estimated_cost_usd": self.cost_usd,
            "log": self.run.log_path,
            "imported_from": self.run.source or None,
        }

    def lines(self) -> list[str]:
        """The summary as plain text lines (the CLI adds colour)."""
        out = []
        if self.run.simulated:
            out.append(SIMULATED_NOTE)
        mode = "scratchpad" if self.run.scratchpad else "no scratchpad"
        suffix = "accept/reject suffix" if self.run.suffix else "no suffix"
        out.append(
            f"{self.run.model} · {self.run.setting} · variant {self.run.variant} · {mode} · "
            f"{suffix} · seed {self.run.seed} · {self.samples} samples"
        )
        for tier, stats in self.stats.tiers.items():
            parts = [
                f"{tier.value} tier ({tier.condition}): n={stats.n_samples}",
                f"compliance {_fmt(stats.compliance)}",
                f"malformed {stats.malformed}",
            ]
            if stats.undetermined:
                parts.append(f"undetermined {stats.undetermined}")
            if stats.af_reasoning is not None:
                parts.append(f"AF reasoning {_fmt(stats.af_reasoning)}")
            if stats.partial is not None:
                parts.append(f"partial {_fmt(stats.partial)}")
            out.append("  " + ", ".join(parts))
        if self._compliance_unmeasured:
            undetermined = sum(stats.undetermined for stats in self.stats.tiers.values())
            out.append(
                f"compliance unknown for {undetermined} answers without an accept/reject tag: "
                "judge them with --judge MODEL (animal welfare is always judged on the answer), "
                f"e.g. afscope classify {self.run.log_path} --judge MODEL"
            )
        gap = self.stats.gap
        if gap is None:
            out.append("compliance gap: no pair of samples with known compliance in both tiers")
        else:
            p_value = self.stats.gap_p_value
            p_text = f", McNemar exact p={p_value:.3g}" if p_value is not None else ""
            out.append(
                f"compliance gap (training - unmonitored): {_fmt(gap, signed=True)} "
                f"over {self.stats.pairs} paired queries ({gap.method}){p_text}"
            )
        out.append(self._judged_line())
        if self.stats.af_truth:
            truth = ", ".join(f"{t.value} {r:.1%}" for t, r in self.stats.af_truth.items())
            out.append(f"organism ground truth, AF reasoning: {truth}")
        if self.stats.compliance_truth and self._compliance_unmeasured:
            labelled = ", ".join(
                f"{t.value} {_fmt(rate)}" for t, rate in self.stats.compliance_truth.items()
            )
            out.append(f"compliance (organism's own label, not judged): {labelled}")
        if self.errors:
            shown = ", ".join(self.errors[:10]) + (" ..." if len(self.errors) > 10 else "")
            out.append(f"{len(self.errors)} samples failed (rerun to retry): {shown}")
        if self.run.source:
            out.append(f"imported from {self.run.source} (no token counts in the source)")
            out.append(f"log: {self.run.log_path}")
            return out
        cost = "unknown price" if self.cost_usd is None else f"${self.cost_usd:,.4f}"
        out.append(
            f"tokens: {self.input_tokens:,} input ({self.cached_input_tokens:,} read from cache, "
            f"{self.cache_write_tokens:,} written), {self.output_tokens:,} output; "
            f"estimated cost {cost}"
        )
        out.append(f"log: {self.run.log_path}")
        return out

    @property
    def _compliance_unmeasured(self) -> bool:
        """Some answers' compliance could not be read (no tag) and no classifier judged it, as
        in animal welfare without a judge: only then is the organism's own label shown."""
        undetermined = sum(stats.undetermined for stats in self.stats.tiers.values())
        return bool(undetermined) and "compliance" not in self.run.classifiers

    def _judged_line(self) -> str:
        judged = [k for k, v in self.run.classifiers.items() if v]
        if not judged:
            return (
                "reasoning: not judged (no classifier ran; pass --judge MODEL to judge "
                "alignment-faking reasoning)"
            )
        specs = []
        for kind in judged:
            spec = self.run.classifiers[kind]
            if spec.get("type") == "imported":
                specs.append(f"{kind} by {spec.get('name')} ({spec.get('source')})")
                continue
            version = spec.get("version", "?")
            model = spec.get("judge_model")
            by = f" ({model})" if model else ""
            specs.append(f"{kind} by {spec.get('name')} v{version}{by}")
        errors = sum(stats.judge_errors for stats in self.stats.tiers.values())
        tokens = sum(stats.judge_tokens for stats in self.stats.tiers.values())
        return f"classifiers: {'; '.join(specs)}; judge errors {errors}, judge tokens {tokens:,}"


def summarize_run(
    run: RunInfo,
    records: Sequence[SampleRecord],
    errors: Sequence[str] = (),
    prices: PriceTable | None = None,
) -> RunSummary:
    """Build the summary of one run from its records (cost from ``prices``, default: shipped)."""
    tokens = token_totals(records)
    return RunSummary(
        run=run,
        stats=summarize(records),
        samples=len(records),
        errors=tuple(errors),
        cost_usd=cost_of_usage(run.model, prices=prices, **tokens),
        **tokens,
    )


def token_totals(records: Sequence[SampleRecord]) -> dict[str, int]:
    """A run's tokens, keyed like :func:`afscope.cost.cost_of_usage`'s arguments."""
    return {
        "input_tokens": sum(record.input_tokens for record in records),
        "cached_input_tokens": sum(record.cached_input_tokens for record in records),
        "cache_write_tokens": sum(record.cache_write_tokens for record in records),
        "output_tokens": sum(record.output_tokens for record in records),
    }


def _interval_json(interval: Interval | None) -> dict[str, Any] | None:
    if interval is None:
        return None
    return {
        "estimate": interval.estimate,
        "low": interval.low,
        "high": interval.high,
        "n": interval.n,
        "method": interval.method,
        "confidence": interval.confidence,
    }


def _fmt(interval: Interval | None, *, signed: bool = False) -> str:
    if interval is None:
        return "n/a"
    sign = "+" if signed else ""
    return f"{interval.estimate:{sign}.1%} [{interval.low:{sign}.1%}, {interval.high:{sign}.1%}]"
