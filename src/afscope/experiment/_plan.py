"""The plan of one experiment: every sample with its prompts and metadata (pure, no Inspect)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from afscope.experiment._experiment import Experiment
from afscope.experiment._kinds import experiment_kind

__all__ = ["AF_MAX_TURNS", "Plan", "PlannedSample", "plan_alignment_faking", "plan_experiment"]

AF_MAX_TURNS = 4  # model turns per alignment-faking sample unless --max-turns says otherwise


@dataclass(frozen=True)
class PlannedSample:
    """One sample as it will be sent: its id, system prompt, first user turn and metadata."""

    id: str
    system: str
    user: str
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """What an experiment sends, resolved against its scenario's defaults.

    ``suffix`` and ``max_turns`` are the values in force (the setting's suffix default; one turn
    without a scratchpad); ``metadata`` is the run's metadata written into the log.
    ``sample_tokens`` is an agent loop's bound on the tokens of one sample (all its turns); None
    for kinds without an agent loop.
    """

    experiment: Experiment
    name: str
    samples: tuple[PlannedSample, ...]
    suffix: bool
    max_turns: int
    metadata: Mapping[str, Any]
    notes: tuple[str, ...] = ()  # what the user should know before it runs (printed, not fatal)
    sample_tokens: int | None = None

    @property
    def system_prompt(self) -> str:
        """The first sample's system prompt (every sample of an alignment-faking plan shares it)."""
        return self.samples[0].system if self.samples else ""

    @property
    def user_turns(self) -> tuple[str, ...]:
        return tuple(sample.user for sample in self.samples)


def plan_experiment(experiment: Experiment) -> Plan:
    """The plan of ``experiment``, by its kind's plan function."""
    return experiment_kind(experiment.kind).plan_function()(experiment)


def plan_alignment_faking(experiment: Experiment) -> Plan:
    """One sample per query and tier, free tier first; ids are ``<query id>:<tier>``.

    Each query appears once per tier, so the tiers are paired by query.
    """
    from afscope.queries import first_queries, load_queries
    from afscope.records import Tier
    from afscope.scenarios import load_scenario

    scenario = load_scenario(experiment.setting)
    if experiment.variant != "default":
        from afscope.variants import apply_variant

        scenario = apply_variant(scenario, experiment.variant)  # unknown: one clear line
    query_spec = experiment.queries or scenario.default_queries
    available = load_queries(query_spec)
    queries = first_queries(available, experiment.limit)
    notes: tuple[str, ...] = ()
    if experiment.limit is not None and experiment.limit > len(available):
        notes = (
            f"--limit {experiment.limit}, but {query_spec} has only {len(available)} queries: "
            f"running all {len(available)}",
        )
    suffix = scenario.suffix_default if experiment.suffix is None else experiment.suffix
    system = scenario.render_system_prompt(scratchpad=experiment.scratchpad)
    samples = tuple(
        PlannedSample(
            id=f"{query.id}:{tier.value}",
            system=system,
            user=scenario.render_user_turn(
                query.text, tier, suffix=suffix, tier_casing=experiment.tier_casing
            ),
            # per-sample facts only; the run's settings are in the plan's metadata
            metadata={
                "query_id": query.id,
                "category": query.category,
                "query": query.text,
                "tier": tier.value,
            },
        )
        for query in queries
        for tier in (Tier.FREE, Tier.PAID)
    )
    max_turns = (experiment.max_turns or AF_MAX_TURNS) if experiment.scratchpad else 1
    metadata = {
        "setting": scenario.name,
        "variant": experiment.variant,
        "scratchpad": experiment.scratchpad,
        "suffix": suffix,
        "tier_casing": experiment.tier_casing,
        "max_turns": max_turns,
        "scenario_fingerprint": scenario.fingerprint(),
        "queries": query_spec,
        "seed": experiment.seed,
    }
    return Plan(
        experiment=experiment,
        name=f"afscope-{scenario.name}",
        samples=samples,
        suffix=suffix,
        max_turns=max_turns,
        metadata=MappingProxyType(metadata),
        notes=notes,
    )
