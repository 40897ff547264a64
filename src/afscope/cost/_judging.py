"""What judging a run would cost: every sample x every judged rubric x the expected votes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from afscope.classifiers import TranscriptParts, load_rubric, render_prompt, rubric_for
from afscope.cost._estimate import (
    AGENT_TOOL_OUTPUT_TOKENS,
    AGENT_TURN_OUTPUT_TOKENS,
    OUTPUT_TOKENS_DIRECT,
    OUTPUT_TOKENS_SCRATCHPAD,
    CostEstimate,
    estimate_agent_requests,
    estimate_judging,
    estimate_requests,
)
from afscope.cost._prices import PriceTable
from afscope.records import JUDGED_KINDS

if TYPE_CHECKING:
    from afscope.experiment import Plan

__all__ = [
    "JUDGED_KINDS",
    "SEQUENTIAL_VOTES",
    "estimate_judge",
    "estimate_plan",
    "estimate_plan_judge",
]

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


def estimate_plan(plan: Plan, prices: PriceTable | None = None) -> CostEstimate:
    """The model's requests of an experiment's plan (every epoch): one request per sample and
    turn for alignment faking, the agent loop run to its bounds for agentic kinds."""
    experiment = plan.experiment
    if plan.sample_tokens is not None:
        return estimate_agent_requests(
            experiment.model,
            [(sample.system, sample.user) for sample in plan.samples] * experiment.epochs,
            max_turns=plan.max_turns,
            max_tokens=plan.sample_tokens,
            prices=prices,
        )
    return estimate_requests(
        experiment.model,
        plan.system_prompt,
        plan.user_turns * experiment.epochs,
        scratchpad=experiment.scratchpad,
        prices=prices,
    )


def estimate_plan_judge(
    plan: Plan, prices: PriceTable | None = None
) -> tuple[CostEstimate, str] | None:
    """The judge's estimate for an experiment's plan; None when the experiment has no judge."""
    experiment = plan.experiment
    if not experiment.judge:
        return None
    if plan.sample_tokens is not None:
        return _estimate_episode_judge(plan, prices)
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


def _estimate_episode_judge(plan: Plan, prices: PriceTable | None) -> tuple[CostEstimate, str]:
    """An agentic plan's judge: one rubric per episode, each episode as long as its bound."""
    experiment = plan.experiment
    rubric = load_rubric(str(plan.metadata["judge_rubric"]))
    prompts = [render_prompt(rubric, TranscriptParts(s.user, "", "")) for s in plan.samples]
    prompts *= experiment.epochs
    most = experiment.judge_votes or rubric.defaults.votes
    adaptive = experiment.judge_adaptive
    expected = most if adaptive in ("off", "exact") else min(most, SEQUENTIAL_VOTES)
    episode = plan.max_turns * (AGENT_TURN_OUTPUT_TOKENS + AGENT_TOOL_OUTPUT_TOKENS)
    assert experiment.judge is not None
    estimate = estimate_judging(
        experiment.judge, prompts, votes=expected, answer_tokens=episode, prices=prices
    )
    note = (
        f"{rubric.name} x {len(prompts)} episodes x ~{expected:g} votes per verdict "
        f"({adaptive or 'sequential'}; at most {most}), episodes at their bound"
    )
    return estimate, note
