"""Inspect glue for a sweep: one task per cell, bound to its model, run by ``eval_set``.

``eval_set`` makes the sweep resumable: a rerun with the same log directory reuses every log that
completed, and resumes an interrupted or failed one from the samples it had already written
(a killed process leaves its log "started"; Inspect recovers it and reruns only the samples that
had not finished). Each task is bound to its own ``Model`` so that every model keeps its own
base URL and model args.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval_set, task_with
from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, EvalSample, read_eval_log
from inspect_ai.model import Model, get_model

from afscope.errors import ConfigError, ProviderError
from afscope.experiment import experiment_kind
from afscope.harness._judging import JUDGE_ROLE
from afscope.harness._logs import iter_samples
from afscope.providers import is_simulated, provider_of
from afscope.sweep import Cell, FaultCounts, RetryPolicy, SweepPlan

__all__ = ["GridOutcome", "read_faults", "run_grid"]


@dataclass(frozen=True)
class GridOutcome:
    """Whether every cell's log completed, and each cell's log (in the plan's cell order)."""

    complete: bool
    logs: tuple[tuple[Cell, Path], ...]


def _model(name: str, plan: SweepPlan, policy: RetryPolicy, what: str, **args: Any) -> Model:
    """Inspect's model ``name`` with the retry policy's SDK args and ``args`` over them."""
    args = {**policy.sdk_model_args(provider_of(name)), **args}
    try:
        return get_model(name, base_url=plan.base_url(name), memoize=False, **args)
    # a missing key or package (PrerequisiteError), an unknown provider (ValueError)
    except Exception as error:
        if not _is_prerequisite(error, ValueError):
            raise
        raise ProviderError(f"{what} {name!r} cannot be used: {error}") from None


def build_tasks(plan: SweepPlan, policy: RetryPolicy) -> list[Task]:
    """One Inspect task per cell, each bound to its model (and the judge, if any)."""
    models = {
        name: _model(name, plan, policy, "model", **plan.args_for(name)) for name in plan.models
    }
    judge = plan.experiment.judge
    roles: dict[str, str | Model | Sequence[str | Model]] = (
        {} if judge is None else {JUDGE_ROLE: _model(judge, plan, policy, "judge model")}
    )
    task = experiment_kind(plan.experiment.kind).task_function()
    return [
        task_with(
            task(**plan.experiment_for(cell).task_args()),
            model=models[cell.model],
            model_roles=roles,
            name=cell.task_name,
            tags=["afscope", "sweep", *(["simulated"] if is_simulated(cell.model) else [])],
        )
        for cell in plan.cells()
    ]


def run_grid(
    plan: SweepPlan, policy: RetryPolicy, log_dir: str | Path, *, quiet: bool = False
) -> GridOutcome:
    """Run (or resume) every cell with Inspect's eval-set and its own progress display."""
    tasks = build_tasks(plan, policy)
    largest = max(len(task.dataset) * (task.epochs or 1) for task in tasks)
    try:
        complete, logs = eval_set(
            tasks,
            log_dir=str(log_dir),
            model=None,
            seed=plan.experiment.seed,
            display="none" if quiet else None,
            **policy.eval_set_args(largest),
        )
    except Exception as error:  # e.g. the directory holds another sweep's logs
        if not _is_prerequisite(error):
            raise
        raise ConfigError(
            f"Inspect refused the sweep: {error}; use a new --log-dir for a different grid",
            key="--log-dir",
        ) from None
    _remove_superseded(Path(log_dir), logs)
    return GridOutcome(complete=complete, logs=_pair_logs(plan.cells(), logs))


def _is_prerequisite(error: Exception, *also: type[Exception]) -> bool:
    """Whether ``error`` is Inspect's PrerequisiteError (or one of ``also``).

    Inspect does not export the class; it is matched by name, and tests/test_sweep_cli.py checks
    that a missing API key still reaches the user as one line.
    """
    return isinstance(error, also) or any(
        cls.__name__ == "PrerequisiteError" for cls in type(error).__mro__
    )


def _remove_superseded(log_dir: Path, logs: Sequence[EvalLog]) -> None:
    """Delete the "started" logs a killed run left for cells that have since completed.

    Inspect keeps them (it cannot know that their writer has stopped) but each attempt's log is
    seeded with the samples of the one before, so the completed log holds all they hold; left in
    place, a report over the directory would count their samples twice.
    """
    completed = {
        log.eval.task_id: _local_path(log.location)
        for log in logs
        if log.status == "success" and log.location
    }
    for path in log_dir.glob("*.eval"):
        if path in completed.values():
            continue
        try:
            header = read_eval_log(str(path), header_only=True)
        except Exception:  # not ours to judge: leave unreadable files alone
            continue
        if header.status == "started" and header.eval.task_id in completed:
            path.unlink()


def _pair_logs(cells: Sequence[Cell], logs: Sequence[EvalLog]) -> tuple[tuple[Cell, Path], ...]:
    by_key = {(log.eval.task, log.eval.model): log for log in logs}
    paired = []
    for cell in cells:
        log = by_key.get((cell.task_name, cell.model))
        if log is None or not log.location:
            raise ProviderError(f"Inspect returned no log for {cell.label}")
        paired.append((cell, _local_path(log.location)))
    return tuple(paired)


def _local_path(location: str) -> Path:
    """A log's location as a path (reused logs come back as ``file:`` URIs)."""
    if location.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(location).path))
    return Path(location)


def _sample_faults(sample: EvalSample) -> tuple[int, int]:
    """(request retries, sample errors) of one sample.

    Inspect logs each failed attempt of a request as a model event with its ``error`` and then
    the retried call as another model event; the last failed attempt of a sample that failed
    was not retried. A sample attempt that raised and was rerun is in ``error_retries``.
    """
    calls = [event for event in sample.events if isinstance(event, ModelEvent)]
    failed_attempts = sum(1 for event in calls if event.error)
    if sample.error and calls and calls[-1].error:
        failed_attempts -= 1
    retries = failed_attempts + sum(event.retries or 0 for event in calls)
    errors = len(sample.error_retries or []) + (1 if sample.error else 0)
    return retries, errors


def read_faults(path: str | Path) -> FaultCounts:
    """Request retries, sample errors and failed samples recorded in one log."""
    retries = errors = 0
    failed = []
    for sample in iter_samples(path, events=True):
        sample_retries, sample_errors = _sample_faults(sample)
        retries += sample_retries
        errors += sample_errors
        if sample.error:
            failed.append(str(sample.id))
    return FaultCounts(retries=retries, errors=errors, failed=tuple(failed))
