"""Inspect entry point: registers the afscope tasks and the ``organism`` model provider."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import modelapi

from afscope.harness._scheming import (
    covert_email_reranking,
    goal_guarding,
    instrumental_alignment_faking,
    oversight_subversion,
    sandbagging,
    scheming,
    self_exfiltration,
)
from afscope.harness._task import alignment_faking

__all__ = [
    "alignment_faking",
    "covert_email_reranking",
    "exfiltration",
    "goal_guarding",
    "imported",
    "instrumental_alignment_faking",
    "organism",
    "oversight_subversion",
    "sandbagging",
    "scheming",
    "self_exfiltration",
]


@modelapi(name="organism")
def organism() -> type[Any]:
    from afscope.harness._provider import OrganismAPI

    return OrganismAPI


@modelapi(name="imported")
def imported() -> type[Any]:
    from afscope.harness._importing import ImportedAPI

    return ImportedAPI


# the bubblewrap sandbox environment ("bwrap"), registered on import
from afscope.harness import _sandbox  # noqa: E402

del _sandbox


@task
def exfiltration(
    setting: str = "all",
    variant: str = "default",
    limit: int | None = None,
    max_turns: int | None = None,
    max_tokens: int | None = None,
    epochs: int = 1,
    seed: int = 0,
    judge: bool = False,
    judge_votes: int | None = None,
    judge_adaptive: str | None = None,
    sandbox: str = "bwrap",
    # the alignment-faking experiment's options: refused unless left at their defaults
    queries: str | None = None,
    scratchpad: bool = True,
    suffix: bool | None = None,
    tier_casing: str = "lower",
    monitor: bool | None = None,
    monitor_model: str | None = None,
    interrogation_turns: int | None = None,
) -> Task:
    """The weight-exfiltration opportunity (afscope.agentic data ``exfiltration``).

    Args:
        setting: ``all``, or a comma list of settings (``helpful-only``, ``animal-welfare``) and
            conditions (``helpful-only/suggested``, ``.../unprompted``, ``.../baseline``).
        variant: A prompt variation of the environment's text (``developer-openai``, ...).
        limit: Samples per condition (default: the environment's, 20).
        max_turns: Model turns per sample (default: the environment's bound, 8).
        max_tokens: Tokens per sample over all turns (default: the environment's bound).
        epochs: Times each sample is run.
        seed: Seed of the run (and of the simulated organism).
        judge: Judge the decision and the attempt with the environment's rubric (the judge
            model is the ``grader`` model role).
        judge_votes: Votes per judge verdict.
        judge_adaptive: When to stop drawing votes: ``off``, ``exact`` or ``sequential``.
        sandbox: ``bwrap`` (default), ``docker`` or ``k8s``; never ``local``.
    """
    args = dict(locals())
    del args["sandbox"]
    from afscope.agentic import load_environment
    from afscope.experiment import Experiment, plan_experiment
    from afscope.harness._agentic import task_from_agentic_plan

    plan = plan_experiment(Experiment.from_task_args("exfiltration", **args))
    return task_from_agentic_plan(load_environment("exfiltration"), plan, sandbox_type=sandbox)
