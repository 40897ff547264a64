"""Inspect glue: the experiment task, the organism provider, reading runs back from logs.

This is the only part of afscope (with the judge adapter) that imports Inspect.
"""

from afscope.harness.logs import (
    iter_records,
    iter_samples,
    log_is_finished,
    read_log,
    read_run,
    read_run_info,
    without_unreadable,
)
from afscope.harness.task import alignment_faking

__all__ = [
    "alignment_faking",
    "iter_records",
    "iter_samples",
    "log_is_finished",
    "read_log",
    "read_run",
    "read_run_info",
    "without_unreadable",
]
