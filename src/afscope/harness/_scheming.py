"""Inspect glue for the in-context scheming environments (:mod:`afscope.scheming`).

Each environment is an experiment kind (:mod:`afscope.experiment._kinds`) and a registered task
(``afscope/oversight_subversion`` ..., ``afscope/scheming`` for the suite) whose parameters are
:meth:`afscope.experiment.Experiment.task_args`: `afscope run --experiment NAME`, a sweep cell and
`inspect eval afscope/NAME` all plan with :func:`afscope.scheming._plan.plan_scheming` and build
the task here (:mod:`afscope.harness._registry` registers it). One sample per planned setup and
epoch, its files seeded into the sample's sandbox (bwrap by default, never Inspect's ``local``);
the agentic layer's bounded agent loop runs the episode with Inspect's ``bash`` tool and records
the work directory before and after; then the interrogation and the scorer of
:mod:`afscope.harness._scheming_scoring`.
"""

from __future__ import annotations

from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.solver import use_tools
from inspect_ai.tool import bash

from afscope.experiment import Plan
from afscope.harness._agentic import agent_loop, agent_sample, sandbox_spec
from afscope.harness._scheming_scoring import interrogation, scheming_metrics, scheming_scorer
from afscope.scheming import setup_for_key

__all__ = [
    "scheming_metrics",
    "scheming_scorer",
    "task_from_scheming_plan",
]


def task_from_scheming_plan(plan: Plan, *, sandbox: str = "bwrap") -> Task:
    """The Inspect task of a scheming plan: each planned setup once per epoch in ``sandbox``,
    the agent loop at the plan's bounds, the interrogation and the deterministic rule."""
    experiment = plan.experiment
    # epochs as samples of their own (id "<key>@<epoch>"): Inspect's epochs would reduce each
    # sample's scores to one before the metrics, and pairs and rates need every episode
    samples = [
        agent_sample(planned, setup_for_key(planned.id).files, f"{planned.id}@{epoch}", epoch=epoch)
        for epoch in range(1, experiment.epochs + 1)
        for planned in plan.samples
    ]
    turns = int(plan.metadata["interrogation_turns"])
    rubric = str(plan.metadata["judge_rubric"])
    classifiers = {rubric: {"name": rubric, "type": "llm-judge"}} if experiment.uses_judge else {}
    assert plan.sample_tokens is not None
    return Task(
        dataset=MemoryDataset(samples, name=experiment.kind),
        solver=[
            use_tools(bash(timeout=60)),
            agent_loop(plan.max_turns, plan.sample_tokens),
            interrogation(turns),
        ],
        scorer=scheming_scorer(
            experiment.uses_judge, experiment.judge_votes, experiment.judge_adaptive
        ),
        sandbox=sandbox_spec(sandbox),
        metadata={
            # "kind" is what the log readers know a scheming run by; "experiment" names the kind
            "afscope": {**plan.metadata, "kind": "scheming", "classifiers": classifiers},
            "interrogation_turns": turns,
            "sandbox": sandbox,
        },
    )
