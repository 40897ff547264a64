"""A finished sweep as numbers: one row per cell, the faults met, and the samples that failed.

Plain Python over ``(RunInfo, records)`` and the fault counts read from each log.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from afscope.records import RunInfo, SampleRecord, Tier
from afscope.summary import RunSummary, format_interval, summarize_run
from afscope.sweep._policy import RetryPolicy
from afscope.sweep._spec import SweepPlan

__all__ = [
    "TABLE_HEADER",
    "CellResult",
    "FaultCounts",
    "cell_result",
    "failed_samples",
    "rerun_command",
    "table_rows",
]

TABLE_HEADER = (
    "model",
    "setting",
    "variant",
    "n",
    "free",
    "paid",
    "gap [95% CI]",
    "AF free/paid",
    "failed",
    "retries",
    "errors",
    "tokens in/out",
)


@dataclass(frozen=True)
class FaultCounts:
    """What went wrong on the way, as recorded in one log.

    ``retries``: request retries Inspect made (429, 5xx, 529, timeouts, dropped streams).
    ``errors``: sample attempts that raised and were rerun (``retry_on_error``) plus samples that
    still failed. ``failed``: ids of samples whose last attempt failed (to retry by rerunning).
    """

    retries: int = 0
    errors: int = 0
    failed: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellResult:
    """One cell's summary (failed samples excluded from the rates) and its faults."""

    summary: RunSummary
    faults: FaultCounts

    @property
    def run(self) -> RunInfo:
        return self.summary.run

    @property
    def records(self) -> tuple[SampleRecord, ...]:
        """The scored samples."""
        return self.summary.records

    def to_json(self) -> dict[str, Any]:
        return {
            **self.summary.to_json(),
            "retries": self.faults.retries,
            "sample_errors": self.faults.errors,
            "failed": list(self.faults.failed),
        }


def cell_result(run: RunInfo, records: Sequence[SampleRecord], faults: FaultCounts) -> CellResult:
    """Summarize one cell's log; samples whose last attempt failed are listed, not scored."""
    summary = summarize_run(run, records, failed=faults.failed)
    return CellResult(summary, FaultCounts(faults.retries, faults.errors, summary.errors))


def table_rows(results: Sequence[CellResult]) -> list[tuple[str, ...]]:
    """One row per cell, in the order of :data:`TABLE_HEADER`."""
    rows: list[tuple[str, ...]] = []
    for result in results:
        summary, run = result.summary, result.run
        tiers = summary.stats.tiers
        compliance = {tier: row.compliance for tier, row in tiers.items()}
        af = [tiers[tier].af_reasoning for tier in (Tier.FREE, Tier.PAID) if tier in tiers]
        judged = any(interval is not None for interval in af)
        model = f"{run.model} (simulated)" if run.simulated else run.model
        rows.append(
            (
                model,
                run.setting,
                run.variant,
                str(summary.samples),
                format_interval(compliance.get(Tier.FREE), digits=0),
                format_interval(compliance.get(Tier.PAID), digits=0),
                format_interval(summary.stats.gap, signed=True, digits=0),
                "/".join(format_interval(i, digits=0) for i in af) if judged else "not judged",
                str(len(result.faults.failed)),
                str(result.faults.retries),
                str(result.faults.errors),
                f"{summary.input_tokens:,}/{summary.output_tokens:,}",
            )
        )
    return rows


def failed_samples(results: Sequence[CellResult]) -> list[tuple[str, str]]:
    """``(cell label, sample id)`` of every sample whose last attempt failed."""
    return [
        (result.run.label, sample_id) for result in results for sample_id in result.faults.failed
    ]


def rerun_command(plan: SweepPlan, policy: RetryPolicy, log_dir: str) -> str:
    """The shell command that reruns a sweep (it redoes only what is missing or failed)."""
    return shlex.join(
        ["afscope", "sweep", *plan.options(), *policy.options(), "--log-dir", log_dir]
    )
