"""Sweeps: a grid of models x settings x prompt variants, resumable, robust to provider faults.

Plain Python plans, checks and summaries; :func:`afscope.harness.run_grid` runs a plan on
Inspect's ``eval_set`` and :func:`afscope.harness.read_faults` reads a cell's faults back.

    plan = SweepPlan(models=("organism/opus-like",), variants=("default", "no-objective"))
    validate_plan(plan)                 # every name and key, before anything is sent
    outcome = afscope.harness.run_grid(plan, RetryPolicy(), "logs/sweep")
"""

from __future__ import annotations

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
    "rerun_command",
    "split_names",
    "table_rows",
    "validate_plan",
]
