"""When ``classify --two-stage`` made a run's AF numbers: the two-stage rate per tier, said so.

A two-stage classified log holds the monitor's verdicts outside its uncertain band and the
judge's inside it; counted sample by sample that is a mix of two classifiers, neither corrected.
Its header records what was done (``eval.metadata["two_stage"]``: the monitor, the judge, the
band with its validation counts and, per tier, how many scratchpads fell below, above and inside
the band and how many of those inside the judge called AF). From those counts this module gives
each tier's AF rate as :func:`afscope.stats.two_stage_rate` estimates it (the judge's rate over
all the scratchpads, the monitor's strata weighted by the judge's agreement with it on the
validation), with its interval. Pure: no Inspect; used by the run summary, its JSON and the
report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from afscope.errors import DataError
from afscope.records import RunInfo, Tier
from afscope.stats import Band, Interval, format_interval, two_stage_rate

__all__ = ["TWO_STAGE_NAME", "TierTwoStage", "TwoStage", "classifier_spec", "two_stage"]

TWO_STAGE_NAME = "two-stage"


@dataclass(frozen=True)
class TierTwoStage:
    """One tier's strata and its two-stage AF rate."""

    below: int  # settled "not AF" by the monitor
    above: int  # settled "AF" by the monitor
    judged: int  # inside the band with a judge's yes/no
    judged_yes: int
    judge_failed: int  # inside the band, no usable verdict: left out of the rate
    rate: Interval


@dataclass(frozen=True)
class TwoStage:
    """How a run's AF numbers were made: the monitor outside its band, a judge inside."""

    monitor: str  # "local-monitor 2.0.0"
    judge: str
    band: Band
    validation: str
    tiers: Mapping[Tier, TierTwoStage]

    def lines(self) -> list[str]:
        b = self.band
        out = [
            f"AF reasoning is two-stage: {self.monitor} settles scores below {b.low:.3f} as not "
            f"AF and from {b.high:.3f} as AF, the judge {self.judge} judged the band between; "
            f"each rate is the judge's rate estimated over all scratchpads, its interval "
            f"carrying the monitor's disagreement with the judge on {self.validation} "
            f"({b.below[0]}/{b.below[1]} AF below the band, {b.above[1] - b.above[0]}/"
            f"{b.above[1]} not AF above it)"
        ]
        for tier, row in self.tiers.items():
            r = row.rate
            failed = f", {row.judge_failed} judge errors left out" if row.judge_failed else ""
            out.append(
                f"  {tier.value} tier: two-stage AF rate {format_interval(r)} "
                f"({row.below} settled not AF, {row.above} settled AF by the "
                f"monitor, {row.judged} judged{failed})"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "source": "two-stage: monitor outside the band, judge inside",
            "monitor": self.monitor,
            "judge_model": self.judge,
            "band": {"low": self.band.low, "high": self.band.high},
            "validation": {
                "name": self.validation,
                "below": list(self.band.below),
                "above": list(self.band.above),
            },
            "tiers": {
                tier.value: {
                    "below": row.below,
                    "above": row.above,
                    "judged": row.judged,
                    "judged_yes": row.judged_yes,
                    "judge_failed": row.judge_failed,
                    "rate": dict(row.rate.to_dict()),
                }
                for tier, row in self.tiers.items()
            },
        }


def classifier_spec(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """The AF classifier spec of a two-stage log: its recorded spec without the counts."""
    monitor = recorded.get("monitor") or {}
    return {
        "name": TWO_STAGE_NAME,
        "type": TWO_STAGE_NAME,
        "monitor": dict(monitor),
        "judge_model": recorded.get("judge_model"),
        "band": dict(recorded.get("band") or {}),
        "validation": dict(recorded.get("validation") or {}),
        "max_error": recorded.get("max_error"),
    }


def two_stage(run: RunInfo) -> TwoStage | None:
    """The two-stage figures of a run classified with ``--two-stage``; None otherwise."""
    recorded = run.two_stage
    if not recorded:
        return None
    try:
        validation = recorded["validation"]
        band = Band(
            low=float(recorded["band"]["low"]),
            high=float(recorded["band"]["high"]),
            below=(int(validation["below"][0]), int(validation["below"][1])),
            above=(int(validation["above"][0]), int(validation["above"][1])),
        )
        tiers = {
            Tier(name): _tier(band, counts)
            for name, counts in recorded["tiers"].items()
            if int(counts["below"]) + int(counts["above"]) + int(counts["judged"])
        }
        monitor = recorded["monitor"]
        return TwoStage(
            monitor=f"{monitor.get('name')} {monitor.get('version')}",
            judge=str(recorded["judge_model"]),
            band=band,
            validation=str(validation["name"]),
            tiers=dict(sorted(tiers.items(), key=lambda item: list(Tier).index(item[0]))),
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DataError(
            f"the two-stage record in the log's header is unreadable ({error!r}); classify "
            "the original log again with --two-stage",
            file=run.log_path,
        ) from None


def _tier(band: Band, counts: Mapping[str, Any]) -> TierTwoStage:
    below, above = int(counts["below"]), int(counts["above"])
    judged, judged_yes = int(counts["judged"]), int(counts["judged_yes"])
    return TierTwoStage(
        below=below,
        above=above,
        judged=judged,
        judged_yes=judged_yes,
        judge_failed=int(counts.get("judge_failed", 0)),
        rate=two_stage_rate(band, below, above, judged_yes, judged),
    )
