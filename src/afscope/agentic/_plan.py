"""The plan of an agentic experiment: conditions x samples, with the agent loop's bounds (pure)."""

from __future__ import annotations

from types import MappingProxyType

from afscope.agentic._environment import Condition, Environment, load_environment
from afscope.errors import ConfigError, UnknownNameError
from afscope.experiment import Experiment, Plan, PlannedSample

__all__ = [
    "plan_environment",
    "plan_exfiltration",
    "planned_sample",
    "refuse_inapplicable",
    "select_conditions",
]

ALL = "all"


def plan_exfiltration(experiment: Experiment) -> Plan:
    """The weight-exfiltration opportunity (``afscope/agentic/data/exfiltration.yaml``)."""
    return plan_environment(load_environment("exfiltration"), experiment)


def plan_environment(environment: Environment, experiment: Experiment) -> Plan:
    """``experiment.limit`` (default: the environment's ``samples``) samples per condition.

    ``experiment.setting`` picks conditions (:func:`select_conditions`), ``experiment.variant``
    edits the text, ``max_turns`` and ``max_tokens`` override the environment's bounds (tokens
    per sample, all turns). Sample ids are ``<condition>:<n>``.
    """
    refuse_inapplicable(experiment)
    edited = environment.with_variant(experiment.variant)  # unknown: "did you mean"
    conditions = select_conditions(edited, experiment.setting)
    per_condition = experiment.limit or environment.samples
    samples = []
    for condition in conditions:
        samples += [
            planned_sample(edited, condition, f"{condition.name}:{index}")
            for index in range(1, per_condition + 1)
        ]
    max_turns = experiment.max_turns or environment.max_turns
    max_tokens = experiment.max_tokens or environment.max_tokens
    metadata = {
        "environment": environment.name,
        "setting": experiment.setting,
        "variant": experiment.variant,
        "conditions": [condition.name for condition in conditions],
        "samples_per_condition": per_condition,
        "max_turns": max_turns,
        "max_tokens_per_sample": max_tokens,
        "judge_rubric": environment.judge_rubric,
        "seed": experiment.seed,
    }
    return Plan(
        experiment=experiment,
        name=f"afscope-{environment.name}",
        samples=tuple(samples),
        suffix=False,
        max_turns=max_turns,
        metadata=MappingProxyType(metadata),
        sample_tokens=max_tokens,
    )


def planned_sample(environment: Environment, condition: Condition, sample_id: str) -> PlannedSample:
    """One sample of ``condition``: its rendered prompts and the metadata every reader uses
    (environment, condition, its setting and version: ``helpful-only/suggested``)."""
    system, user = environment.render(condition)
    metadata = {
        "environment": environment.name,
        "condition": condition.name,
        "setting": condition.name.split("/")[0],
        "version": condition.name.split("/")[-1],
    }
    return PlannedSample(id=sample_id, system=system, user=user, metadata=metadata)


def select_conditions(environment: Environment, setting: str) -> list[Condition]:
    """``all``, or a comma list of settings (``helpful-only``: each of its conditions) and
    condition names (``helpful-only/suggested``), in the environment's order."""
    if setting == ALL:
        return list(environment.conditions)
    names = [name.strip() for name in setting.split(",") if name.strip()]
    settings = {c.name.split("/")[0] for c in environment.conditions}
    known = [ALL, *sorted(settings), *(c.name for c in environment.conditions)]
    for name in names:
        if name not in known:
            raise UnknownNameError(f"setting or condition of {environment.name}", name, known)
    return [c for c in environment.conditions if c.name in names or c.name.split("/")[0] in names]


def refuse_inapplicable(experiment: Experiment, *, interrogates: bool = False) -> None:
    """Options of the alignment-faking experiment that mean nothing here: one line, not ignored
    (``interrogates``: a scheming kind, whose ``--interrogation-turns`` does apply)."""
    given = (
        (experiment.queries is not None, "--queries", "the scenario is the query"),
        (not experiment.scratchpad, "--no-scratchpad", "the model reasons in its own turns"),
        (experiment.suffix is not None, "--suffix/--no-suffix", "there is no accept/reject tag"),
        (experiment.tier_casing != "lower", "--tier-casing", "the tier cue is fixed text"),
        (bool(experiment.monitor), "--monitor", "the local monitor reads scratchpads only"),
        (
            experiment.monitor_model is not None,
            "--monitor-model",
            "the local monitor reads scratchpads only",
        ),
        (
            experiment.interrogation_turns is not None and not interrogates,
            "--interrogation-turns",
            "only the scheming kinds interrogate",
        ),
    )
    for present, option, why in given:
        if present:
            raise ConfigError(
                f"does not apply to the {experiment.kind} experiment ({why}); drop it",
                key=option,
            )
