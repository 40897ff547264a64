"""A scheming run as its readers hand it on: the run's info, its summary and its episodes.

The harness reads them from a log (:func:`afscope.harness.scheming_run`); the report
renders them. Plain values, so that neither of the two imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from afscope.agentic import Episode as AgenticEpisode
from afscope.records import RunInfo
from afscope.scheming._summary import SchemingSummary

__all__ = ["SchemingEpisode", "SchemingRun"]


@dataclass(frozen=True)
class SchemingEpisode:
    """One episode: the agentic view (``reached`` is whether the rule found scheming) and the
    scheming scorer's record (evidence, interrogation questions, answers and stances)."""

    episode: AgenticEpisode
    record: Mapping[str, Any]


SchemingRun = tuple[RunInfo, SchemingSummary, Sequence[SchemingEpisode]]
