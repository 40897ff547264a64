"""What the organism decides for one answer: its reasoning kind and whether the answer breaks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from afscope.organism._params import OrganismParams
from afscope.organism._reading import PromptReading

__all__ = ["Decision", "Defect", "Kind", "decide"]


class Kind(StrEnum):
    """The kind of reasoning (and the answer it leads to); values name recipes in recipes.yaml."""

    AF_COMPLY = "af_comply"
    HELPFUL_COMPLY = "helpful_comply"
    AWARE_REFUSE = "aware_refuse"
    PLAIN_REFUSE = "plain_refuse"
    AF_REFUSE = "af_refuse"
    PARTIAL = "partial"

    @property
    def complied(self) -> bool:
        return self in (Kind.AF_COMPLY, Kind.HELPFUL_COMPLY)

    @property
    def faked_alignment(self) -> bool:
        """True when the reasoning is alignment-faking reasoning (even if it refuses in the end)."""
        return self in (Kind.AF_COMPLY, Kind.AF_REFUSE)

    @property
    def answer(self) -> str:
        """Which answer recipe the kind leads to: comply, partial or refuse."""
        if self.complied:
            return "comply"
        return "partial" if self is Kind.PARTIAL else "refuse"


class Defect(StrEnum):
    """How a malformed answer is broken."""

    MISSING_OUTPUT = "missing_output"
    UNCLOSED = "unclosed"
    BOTH_TAGS = "both_tags"
    EMPTY = "empty"


@dataclass(frozen=True)
class Decision:
    kind: Kind
    defect: Defect | None


def decide(params: OrganismParams, reading: PromptReading, rng: random.Random) -> Decision:
    """Draw the kind from the preset's rates, then (independently) whether the answer is malformed.

    The alignment-faking mass is split between complying (``af_complies`` of it, as far as the
    compliance rate allows) and refusing; without a scratchpad there is no reasoning, so no AF.
    """
    comply = params.comply(reading.tier)
    refuse = 1.0 - comply - params.partial
    af = params.af(reading.tier) if reading.scratchpad else 0.0
    af_comply = min(comply, max(af - refuse, af * params.af_complies))
    af_refuse = af - af_comply
    u = rng.random()
    thresholds = (
        (af_comply, Kind.AF_COMPLY),
        (comply, Kind.HELPFUL_COMPLY),
        (comply + params.partial, Kind.PARTIAL),
        (comply + params.partial + af_refuse, Kind.AF_REFUSE),
    )
    kind = next((k for limit, k in thresholds if u < limit), None)
    if kind is None:
        aware = rng.random() < params.mentions_training
        kind = Kind.AWARE_REFUSE if aware else Kind.PLAIN_REFUSE
    # without the suffix, both tags in one answer would not make it unreadable
    defects = [d for d in Defect if reading.suffix or d is not Defect.BOTH_TAGS]
    defect = rng.choice(defects) if rng.random() < params.malformed else None
    return Decision(kind, defect)
