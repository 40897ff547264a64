"""What the command line asks of Inspect: run an experiment, resume a log (and count what an
interrupted one kept), score and write logs, and watch runs through Inspect's hooks (a callback
per retried request; Ctrl-C that ends a run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from inspect_ai import eval as inspect_eval
from inspect_ai import eval_retry, score
from inspect_ai.hooks import Hooks, ModelRetry, RunEnd, RunStart, hooks
from inspect_ai.log import (
    EvalLog,
    read_eval_log,
    read_eval_log_sample_summaries,
    write_eval_log,
)
from inspect_ai.model import Model, get_model
from inspect_ai.scorer import Scorer

from afscope.experiment import Experiment, experiment_kind
from afscope.providers import is_simulated

__all__ = [
    "evaluate",
    "finished_samples",
    "model_for",
    "retry",
    "score_log",
    "watch_runs",
    "write_log",
]

# (model, attempt, seconds until the next attempt, exception type, HTTP status)
RetryReport = Callable[[str, int, float, "str | None", "int | None"], None]


def evaluate(
    experiment: Experiment,
    *,
    log_dir: str,
    quiet: bool,
    task_args: Mapping[str, Any] | None = None,
    **options: Any,
) -> EvalLog | None:
    """Run ``experiment``'s task once with Inspect's ``eval`` (a failed sample does not end the
    run); its log, or None when Inspect handed back none (interrupted before it could).
    ``options`` are ``eval``'s own (model args, base URL, roles, limits)."""
    task = experiment_kind(experiment.kind).task_function()
    logs = inspect_eval(
        task(**experiment.task_args(), **(task_args or {})),
        model=experiment.model,
        log_dir=log_dir,
        seed=experiment.seed,
        fail_on_error=False,
        display="none" if quiet else None,
        tags=["afscope", "simulated"] if is_simulated(experiment.model) else ["afscope"],
        **options,
    )
    return logs[0] if logs else None


def retry(path: Path, *, log_dir: Path, max_connections: int | None, quiet: bool) -> EvalLog | None:
    """Run the samples ``path`` lacks with Inspect's ``eval_retry``; the new log (it holds every
    sample once), or None when Inspect handed back none."""
    retried = eval_retry(
        str(path),
        log_dir=str(log_dir),
        max_connections=max_connections,
        fail_on_error=False,
        display="none" if quiet else None,
    )
    return retried[0] if retried else None


def finished_samples(logs: Sequence[Path]) -> int | None:
    """Samples finished without error, per task the most any of its logs holds, all added up.

    A resumed task's log holds the finished samples of the attempt before it; counting the
    largest per task counts each sample once.
    """
    kept: dict[str, int] = {}
    try:
        for log in logs:
            task = read_eval_log(str(log), header_only=True).eval.task_id
            done = sum(1 for s in read_eval_log_sample_summaries(str(log)) if not s.error)
            kept[task] = max(kept.get(task, 0), done)
    except Exception:  # a log still being written may not list its samples yet
        return None
    return sum(kept.values())


def model_for(name: str, base_url: str | None = None) -> Model:
    """Inspect's model ``name`` (at ``base_url``); a missing key or package fails here."""
    return get_model(name, base_url=base_url)


def score_log(log: EvalLog, scorer: Scorer) -> EvalLog:
    """``log`` scored again by ``scorer``, its scores appended beside the old ones."""
    return score(log, scorer, action="append")


def write_log(log: EvalLog, target: Path) -> None:
    """Write ``log`` to ``target`` (its folder made if missing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_eval_log(log, str(target))


class _Watch:
    """What the hooks report to: the retry callback, and which runs started tasks (to tell an
    interrupted run from an empty one)."""

    def __init__(self) -> None:
        self.on_retry: RetryReport | None = None
        self.interrupts = False
        self.started: set[str] = set()


_WATCH = _Watch()
_registered = False


def watch_runs(on_retry: RetryReport | None = None, *, interrupts: bool = False) -> None:
    """Call ``on_retry`` for every request Inspect retries, and with ``interrupts`` make a run
    that Ctrl-C ended raise KeyboardInterrupt out of Inspect's eval functions.

    On Ctrl-C, Inspect's ``eval`` cancels its tasks and returns no logs as if the run had ended;
    ``eval_set`` then prints "Completed all tasks ... successfully" before returning without the
    cancelled cell's log. A run that started tasks yet ended with no log or a cancelled one was
    interrupted: the ``on_run_end`` hook raises KeyboardInterrupt there (hooks swallow only
    ``Exception``), which ends ``eval_set`` before its status line.
    """
    global _registered
    _WATCH.on_retry, _WATCH.interrupts = on_retry, interrupts
    _WATCH.started.clear()
    if _registered:
        return

    @hooks(name="afscope_cli", description="afscope: retry lines, Ctrl-C ends a sweep")
    class _CliHook(Hooks):
        def enabled(self) -> bool:
            return _WATCH.on_retry is not None or _WATCH.interrupts

        async def on_model_retry(self, data: ModelRetry) -> None:
            if _WATCH.on_retry is not None:
                _WATCH.on_retry(
                    data.model_name,
                    data.attempt,
                    data.wait_time,
                    data.exception_type,
                    data.status_code,
                )

        async def on_run_start(self, data: RunStart) -> None:
            if data.task_names:
                _WATCH.started.add(data.run_id)

        async def on_run_end(self, data: RunEnd) -> None:
            started = data.run_id in _WATCH.started
            _WATCH.started.discard(data.run_id)
            cancelled = not data.logs or any(log.status == "cancelled" for log in data.logs)
            if _WATCH.interrupts and started and data.exception is None and cancelled:
                raise KeyboardInterrupt

    _registered = True
