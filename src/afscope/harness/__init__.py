"""Inspect glue: the experiment tasks, the organism provider, scorers, reading runs back from logs.

The only part of afscope that imports Inspect; everything else calls the names exported here. Each
name is imported from its private module on first use, so ``import afscope.harness`` costs nothing
and a command loads only the glue it calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# one import per module; `name as name` exports a name to type checkers (PEP 484)
# isort: off
if TYPE_CHECKING:
    from afscope.harness._agentic import task_from_agentic_plan as task_from_agentic_plan
    from afscope.harness._episodes import (
        agentic_run as agentic_run,
        agentic_summary as agentic_summary,
        read_episodes as read_episodes,
        scheming_run as scheming_run,
        scheming_summary as scheming_summary,
    )
    from afscope.harness._importing import write_imported_log as write_imported_log
    from afscope.harness._judging import (
        JUDGE_ROLE as JUDGE_ROLE,
        JudgeOptions as JudgeOptions,
        af_judge_scorer as af_judge_scorer,
        judge_transcripts as judge_transcripts,
    )
    from afscope.harness._header import (
        cut_off_before_start as cut_off_before_start,
        is_agentic_log as is_agentic_log,
        is_scheming_log as is_scheming_log,
        log_is_finished as log_is_finished,
        read_run_info as read_run_info,
    )
    from afscope.harness._logs import (
        iter_records as iter_records,
        iter_samples as iter_samples,
        log_samples as log_samples,
        read_log as read_log,
        read_run as read_run,
        without_unreadable as without_unreadable,
    )
    from afscope.harness._monitoring import (
        MONITOR_KIND as MONITOR_KIND,
        monitor_scorer as monitor_scorer,
    )
    from afscope.harness._running import (
        evaluate as evaluate,
        finished_samples as finished_samples,
        model_for as model_for,
        retry as retry,
        score_log as score_log,
        watch_runs as watch_runs,
        write_log as write_log,
    )
    from afscope.harness._sweep import (
        GridOutcome as GridOutcome,
        read_faults as read_faults,
        run_grid as run_grid,
    )
    from afscope.harness._task import alignment_faking as alignment_faking
# isort: on

# private module -> the names it exports (the same as the imports above)
_HOMES = {
    "_agentic": "task_from_agentic_plan",
    "_episodes": "agentic_run agentic_summary read_episodes scheming_run scheming_summary",
    "_importing": "write_imported_log",
    "_judging": "JUDGE_ROLE JudgeOptions af_judge_scorer judge_transcripts",
    "_header": "cut_off_before_start is_agentic_log is_scheming_log log_is_finished read_run_info",
    "_logs": "iter_records iter_samples log_samples read_log read_run without_unreadable",
    "_monitoring": "MONITOR_KIND monitor_scorer",
    "_running": "evaluate finished_samples model_for retry score_log watch_runs write_log",
    "_sweep": "GridOutcome read_faults run_grid",
    "_task": "alignment_faking",
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names.split()}

__all__ = sorted(_HOME_OF)


if not TYPE_CHECKING:  # so that to mypy a name missing from the imports above is an error

    def __getattr__(name: str) -> Any:
        if name not in _HOME_OF:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{_HOME_OF[name]}"), name)
        globals()[name] = value
        return value
