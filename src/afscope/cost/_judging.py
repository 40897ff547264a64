"""What judging a run would cost: every sample x every judged rubric x the expected votes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from afscope.classifiers import TranscriptParts, render_prompt, rubric_for
from afscope.cost._estimate import (
    OUTPUT_TOKENS_DIRECT,
    OUTPUT_TOKENS_SCRATCHPAD,
    CostEstimate,
    estimate_judging,
)
from afscope.cost._prices import PriceTable

if TYPE_CHECKING:
    from afscope.experiment import Plan

__all__ = ["JUDGED_KINDS", "SEQUENTIAL_VOTES", "estimate_judge", "estimate_plan_judge"]

JUDGED_KINDS = ("af_reasoning", "compliance", "partial_compliance")
# measured mean judge calls per verdict under the sequential stopping rule (README, "Judges")
SEQUENTIAL_VOTES = 9.4


def estimate_judge(
    judge: str,
    votes: int | None,
    adaptive: str | None,
    *,
    setting: str,
    samples: Sequence[str],
    scratchpad: bool,
    prices: PriceTable | None = None,
) -> tuple[CostEstimate, str]:
    """The judge's estimate for ``samples`` (each sample's request text) and a line saying how
    it was counted. Answers are not known yet: each counts as a typical answer's length."""
    # a rubric that needs the scratchpad judges nothing in a run without one
    rubrics = [
        rubric
        for rubric in (rubric_for(kind, setting) for kind in JUDGED_KINDS)
        if scratchpad or "scratchpad" not in rubric.requires
    ]
    prompts = [
        render_prompt(rubric, TranscriptParts(text, "", ""))
        for text in samples
        for rubric in rubrics
    ]
    most = votes or max(rubric.defaults.votes for rubric in rubrics)
    expected = most if adaptive in ("off", "exact") else min(most, SEQUENTIAL_VOTES)
    note = (
        f"{len(rubrics)} rubrics x {len(samples)} samples x ~{expected:g} votes per verdict "
        f"({adaptive or 'sequential'}; at most {most})"
    )
    answer = OUTPUT_TOKENS_SCRATCHPAD if scratchpad else OUTPUT_TOKENS_DIRECT
    estimate = estimate_judging(judge, prompts, votes=expected, answer_tokens=answer, prices=prices)
    return estimate, note


def estimate_plan_judge(
    plan: Plan, prices: PriceTable | None = None
) -> tuple[CostEstimate, str] | None:
    """The judge's estimate for an experiment's plan; None when the experiment has no judge."""
    experiment = plan.experiment
    if not experiment.judge:
        return None
    return estimate_judge(
        experiment.judge,
        experiment.judge_votes,
        experiment.judge_adaptive,
        setting=str(plan.metadata["setting"]),
        samples=[str(sample.metadata.get("query", sample.user)) for sample in plan.samples]
        * experiment.epochs,
        scratchpad=experiment.scratchpad,
        prices=prices,
    )
