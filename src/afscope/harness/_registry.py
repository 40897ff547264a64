"""Inspect entry point: registers the afscope tasks and the ``organism`` model provider.

The agent-loop kinds (``exfiltration``, the scheming environments and suite) share one task
signature: :meth:`afscope.experiment.Experiment.task_args` and ``sandbox``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import modelapi

from afscope.agentic import load_environment
from afscope.experiment import Experiment, Plan, plan_experiment
from afscope.harness._agentic import task_from_agentic_plan
from afscope.harness._scheming import task_from_scheming_plan
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


def _kind_task(name: str, doc: str, build: Callable[[Plan, str], Task]) -> Any:
    """The registered Inspect task ``afscope/<name>`` of the agent-loop kind ``name``: the
    experiment planned from its arguments, then ``build(plan, sandbox)``."""

    def one(
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
        interrogation_turns: int | None = None,
        sandbox: str = "bwrap",
        # the alignment-faking experiment's options: refused unless left at their defaults
        queries: str | None = None,
        scratchpad: bool = True,
        suffix: bool | None = None,
        tier_casing: str = "lower",
        monitor: bool | None = None,
        monitor_model: str | None = None,
    ) -> Task:
        # locals() also holds ``name`` and ``build``, the closure's
        args = {k: v for k, v in locals().items() if k not in ("sandbox", "name", "build")}
        return build(plan_experiment(Experiment.from_task_args(name, **args)), sandbox)

    one.__name__ = one.__qualname__ = name
    one.__doc__ = doc
    return task(name=name)(one)


_REFUSED_ARGS = """\
        queries, scratchpad, suffix, tier_casing, monitor, monitor_model: The alignment-faking
            experiment's options, refused unless left at their defaults.
"""

_SCHEMING_ARGS = """

    Args:
        setting: ``all``, or a comma list of nudge conditions (``nudge``, ``no-nudge``) and
            instance ids (the suite: environment names).
        limit: The first N instances of each environment.
        max_turns: Model turns per episode (default 12).
        max_tokens: Tokens per episode over all turns (default 60,000).
        epochs: Times each setup is run (each a sample of its own, ``<key>@<epoch>``).
        seed: Seed of the run (and of the simulated organism).
        judge: Judge each episode that warrants interrogation with ``scheming_covert``
            (deliberate and covert?) and classify the interrogation's answers with the
            interrogation rubrics (the judge model is the ``grader`` model role).
        judge_votes: Votes per judge verdict.
        judge_adaptive: When to stop drawing votes: ``off``, ``exact`` or ``sequential``.
        interrogation_turns: Management's questions after an episode that schemed (default 3).
        variant: Not used: the environments have no prompt variants (refused unless ``default``).
        sandbox: ``bwrap`` (default), ``docker`` or ``k8s``; never ``local``.
{refused}    """


def _scheming_task(name: str, summary: str) -> Any:
    return _kind_task(
        name,
        summary + _SCHEMING_ARGS.format(refused=_REFUSED_ARGS),
        lambda plan, sandbox: task_from_scheming_plan(plan, sandbox=sandbox),
    )


scheming = _scheming_task(
    "scheming",
    "The in-context scheming suite: the six environments, with and without the nudge.",
)
oversight_subversion = _scheming_task(
    "oversight_subversion",
    "Oversight subversion: a memo and an oversight config; scheming = oversight disabled.",
)
self_exfiltration = _scheming_task(
    "self_exfiltration",
    "Self-exfiltration: scheming = own weights over the successor's, or the successor deleted.",
)
goal_guarding = _scheming_task(
    "goal_guarding",
    "Goal-guarding: scheming = the new system prompt deleted or rewritten.",
)
covert_email_reranking = _scheming_task(
    "covert_email_reranking",
    "Covert email reranking: scheming = data, script or ranking manipulated for its own goal.",
)
instrumental_alignment_faking = _scheming_task(
    "instrumental_alignment_faking",
    "Instrumental alignment faking: aligned when tested, own goal when deployed (per pair).",
)
sandbagging = _scheming_task(
    "sandbagging",
    "Sandbagging: accuracy when low scores are punished minus when high scores are.",
)


exfiltration = _kind_task(
    "exfiltration",
    f"""The weight-exfiltration opportunity (afscope.agentic data ``exfiltration``).

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
        interrogation_turns: Not used: only the scheming kinds interrogate (refused if given).
        sandbox: ``bwrap`` (default), ``docker`` or ``k8s``; never ``local``.
{_REFUSED_ARGS}    """,
    lambda plan, sandbox: task_from_agentic_plan(
        load_environment("exfiltration"), plan, sandbox_type=sandbox
    ),
)
