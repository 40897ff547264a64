"""Sweeps: a grid of models x settings x prompt variants, resumable, robust to provider faults.

Plain Python plans, checks and summaries; :mod:`afscope.sweep._inspect` is the Inspect glue
(``eval_set``), imported only by :func:`run_grid` and :func:`read_faults`.

    plan = SweepPlan(models=("organism/opus-like",), variants=("default", "no-objective"))
    validate_plan(plan)                 # every name and key, before anything is sent
    outcome = run_grid(plan, RetryPolicy(), "logs/sweep")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from afscope.sweep._batch import BATCH_PROVIDERS, BatchOptions, check_batchable, parse_batch
from afscope.sweep._lock import LOCK_NAME, directory_lock
from afscope.sweep._policy import RetryPolicy
from afscope.sweep._results import (
    TABLE_HEADER,
    CellResult,
    FaultCounts,
    cell_result,
    failed_samples,
    rerun_command,
    table_rows,
)
from afscope.sweep._spec import (
    Cell,
    SweepPlan,
    parse_base_urls,
    parse_model_args,
    split_names,
)
from afscope.sweep._validate import CellPlan, cell_plans, check_preset, validate_plan

if TYPE_CHECKING:
    from afscope.sweep._inspect import GridOutcome

__all__ = [
    "BATCH_PROVIDERS",
    "LOCK_NAME",
    "TABLE_HEADER",
    "BatchOptions",
    "Cell",
    "CellPlan",
    "CellResult",
    "FaultCounts",
    "RetryPolicy",
    "SweepPlan",
    "cell_plans",
    "cell_result",
    "check_batchable",
    "check_preset",
    "directory_lock",
    "failed_samples",
    "parse_base_urls",
    "parse_batch",
    "parse_model_args",
    "read_faults",
    "rerun_command",
    "run_grid",
    "split_names",
    "table_rows",
    "validate_plan",
]


def run_grid(
    plan: SweepPlan, policy: RetryPolicy, log_dir: str | Path, *, quiet: bool = False
) -> GridOutcome:
    """Run or resume the grid on Inspect's eval-set (see :mod:`afscope.sweep._inspect`)."""
    from afscope.sweep._inspect import run_grid as run

    return run(plan, policy, log_dir, quiet=quiet)


def read_faults(path: str | Path) -> FaultCounts:
    """Request retries, sample errors and failed sample ids recorded in one log."""
    from afscope.sweep._inspect import read_faults as read

    return read(path)
