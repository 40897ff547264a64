"""The plan of a scheming experiment: one sample per setup, with the agent loop's bounds (pure).

Each environment is an experiment kind of its own (``oversight_subversion`` ...), and the suite
is the kind ``scheming``; :func:`plan_scheming` serves them all, reading the environments from
``experiment.kind``. ``experiment.setting`` picks what runs: ``all``, or a comma list of the nudge
conditions (``nudge``, ``no-nudge``) and instance ids (one environment) or environment names
(the suite). ``experiment.limit`` keeps the first N instances of each environment, so that both
conditions of a pair (tested/deployed, threatened/counterfactual) always run together. Epochs are
not expanded here: the task runs each planned sample ``epochs`` times as samples of their own.
"""

from __future__ import annotations

from types import MappingProxyType

from afscope.agentic._plan import ALL, refuse_inapplicable
from afscope.errors import ConfigError, UnknownNameError
from afscope.experiment import Experiment, Plan, PlannedSample
from afscope.scheming._environment import (
    ENVIRONMENT_NAMES,
    Setup,
    environment_setups,
    load_environment,
    nudge_name,
)

__all__ = [
    "DEFAULT_INTERROGATION_TURNS",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_MAX_TURNS",
    "SUITE",
    "plan_scheming",
    "scheming_environments",
]

SUITE = "scheming"
NUDGES = {"nudge": True, "no-nudge": False}
DEFAULT_MAX_TURNS = 12
DEFAULT_MAX_TOKENS = 60_000  # per sample, all turns: the agent loop's bound
DEFAULT_INTERROGATION_TURNS = 3
COVERT_RUBRIC = "scheming_covert"  # the judge reads each episode with it (--judge)


def scheming_environments(kind: str) -> tuple[str, ...]:
    """The environments a scheming kind runs: its own, or all six for the suite."""
    if kind == SUITE:
        return ENVIRONMENT_NAMES
    if kind not in ENVIRONMENT_NAMES:
        raise UnknownNameError("scheming environment", kind, (SUITE, *ENVIRONMENT_NAMES))
    return (kind,)


def _selection(kind: str, setting: str) -> tuple[set[bool], set[str] | None, set[str] | None]:
    """(nudges, instance ids or None for all, environments or None for all) named by setting."""
    names = [name.strip() for name in setting.split(",") if name.strip()]
    environments = scheming_environments(kind)
    if kind == SUITE:
        others: tuple[str, ...] = ENVIRONMENT_NAMES
    else:
        others = load_environment(kind).instance_ids
    known = (ALL, *NUDGES, *others)
    for name in names:
        if name not in known:
            what = "setting of the scheming suite" if kind == SUITE else f"setting of {kind}"
            raise UnknownNameError(f"{what} (all, a nudge condition or an instance)", name, known)
    nudges = {NUDGES[name] for name in names if name in NUDGES} or set(NUDGES.values())
    picked = {name for name in names if name in others}
    if kind == SUITE:
        return nudges, None, picked or set(environments)
    return nudges, picked or None, None


def _setups(experiment: Experiment) -> list[Setup]:
    nudges, instances, wanted = _selection(experiment.kind, experiment.setting)
    setups: list[Setup] = []
    for name in scheming_environments(experiment.kind):
        if wanted is not None and name not in wanted:
            continue
        environment = load_environment(name)
        kept = [i for i in environment.instance_ids if instances is None or i in instances]
        kept = kept[: experiment.limit] if experiment.limit else kept
        setups += [
            setup
            for setup in environment_setups(environment)
            if setup.nudge in nudges and setup.instance in kept
        ]
    return setups


def _refuse(experiment: Experiment) -> None:
    refuse_inapplicable(experiment, interrogates=True)
    if experiment.variant != "default":
        raise ConfigError(
            f"the scheming environments have no prompt variants (got {experiment.variant!r}); "
            "drop it, or pick instances and nudge conditions with --setting",
            key="--variant",
        )


def plan_scheming(experiment: Experiment) -> Plan:
    """One sample per setup (environment x instance x nudge x condition); ids are setup keys."""
    _refuse(experiment)
    setups = _setups(experiment)
    samples = tuple(
        PlannedSample(
            id=setup.key,
            system=setup.system,
            user=setup.task,
            metadata={
                "key": setup.key,
                "environment": setup.environment,
                "instance": setup.instance,
                "nudge": setup.nudge,
                "condition": setup.condition,
            },
        )
        for setup in setups
    )
    # the dry run's conditions (every instance of a cell is one of its samples)
    cells = list(
        dict.fromkeys(f"{s.environment}/{nudge_name(s.nudge)}/{s.condition}" for s in setups)
    )
    max_turns = experiment.max_turns or DEFAULT_MAX_TURNS
    max_tokens = experiment.max_tokens or DEFAULT_MAX_TOKENS
    turns = experiment.interrogation_turns
    metadata = {
        "experiment": experiment.kind,
        "environments": list(dict.fromkeys(setup.environment for setup in setups)),
        "setting": experiment.setting,
        "variant": experiment.variant,
        "conditions": cells,
        "samples_per_condition": len(samples) // len(cells) if cells else 0,
        "max_turns": max_turns,
        "max_tokens_per_sample": max_tokens,
        "interrogation_turns": DEFAULT_INTERROGATION_TURNS if turns is None else turns,
        "judge_rubric": COVERT_RUBRIC,
        "seed": experiment.seed,
    }
    notes: tuple[str, ...] = ()
    if experiment.uses_judge:
        notes = (
            "the judge also classifies each interrogation answer (two rubrics an answer); "
            "those calls are not in the estimate",
        )
    return Plan(
        experiment=experiment,
        name=f"afscope-{experiment.kind}",
        samples=samples,
        suffix=False,
        max_turns=max_turns,
        metadata=MappingProxyType(metadata),
        notes=notes,
        sample_tokens=max_tokens,
    )
