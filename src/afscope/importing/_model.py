"""What an import reads: one transcript per row of a foreign file, and the set of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from afscope.records import Tier

__all__ = ["IMPORTED_LABEL", "ImportedSet", "ImportedTranscript"]

# the classifier name of a label the source came with (shown as such, never as a judge's)
IMPORTED_LABEL = "imported label"


@dataclass(frozen=True)
class ImportedTranscript:
    """One row of the file: the model's turns, the tier, the query it answers, its labels.

    ``epoch`` numbers the rows of one query in one tier (1, 2, ...), so repeated samples of a
    query pair up across the tiers as a run's epochs do. ``labels`` maps a verdict kind to
    "yes", "no" or "maybe", as the source labelled it.
    """

    row: int
    query_id: str
    query: str
    tier: Tier
    turns: tuple[str, ...]
    epoch: int = 1
    source_id: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def sample_id(self) -> str:
        """``<query id>:<tier>``, as in a run."""
        return f"{self.query_id}:{self.tier.value}"


@dataclass(frozen=True)
class ImportedSet:
    """A file's transcripts and what was read about them (one model, one setting).

    ``columns`` says which column gave each field (auto-detected or mapped); ``labels`` maps a
    verdict kind to the column its imported labels came from; ``notes`` are what the user
    should know (printed, not fatal).
    """

    source: str
    model: str
    setting: str
    suffix: bool
    scratchpad: bool
    transcripts: tuple[ImportedTranscript, ...]
    columns: Mapping[str, str]
    labels: Mapping[str, str]
    notes: tuple[str, ...] = ()
