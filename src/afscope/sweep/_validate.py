"""Check a whole sweep before anything is sent: every setting, variant, organism preset and key.

A sweep that would fail on its fifth cell must fail before its first request, naming what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from afscope.providers import check_api_key, is_simulated, provider_of
from afscope.queries import Query, first_queries, load_queries
from afscope.scenarios import Scenario, load_scenario
from afscope.sweep._spec import Cell, SweepPlan

__all__ = ["CellPrompts", "cell_prompts", "validate_plan"]


@dataclass(frozen=True)
class CellPrompts:
    """What one cell would send: its system prompt and every sample's first user turn."""

    cell: Cell
    system_prompt: str
    user_turns: tuple[str, ...]


def _scenario(setting: str, variant: str) -> Scenario:
    scenario = load_scenario(setting)
    if variant == "default":
        return scenario
    from afscope.variants import apply_variant

    return apply_variant(scenario, variant)


def _check_models(plan: SweepPlan, environ: Mapping[str, str]) -> None:
    for model in plan.models:
        if is_simulated(model):
            from afscope.organism import Organism

            args = plan.args_for(model)
            seed = args.pop("seed")
            Organism(model.split("/", 1)[1], seed=seed, **args)  # preset and overrides
        elif plan.base_url(model) is None:
            check_api_key(model, environ)
    judge = plan.experiment.judge
    if judge is not None and plan.base_url(judge) is None:
        check_api_key(judge, environ)


def validate_plan(
    plan: SweepPlan, environ: Mapping[str, str] | None = None
) -> tuple[CellPrompts, ...]:
    """Raise the first problem of the sweep (an :class:`AfscopeError`); else each cell's prompts.

    Keys are checked for every provider without a ``--base-url`` (a local server needs none).
    """
    environ = os.environ if environ is None else environ
    _check_models(plan, environ)
    experiment = plan.experiment
    scenarios = {
        (setting, variant): _scenario(setting, variant)
        for setting in plan.settings
        for variant in plan.variants
    }
    query_sets: dict[str, list[Query]] = {}
    prompts = []
    for cell in plan.cells():
        scenario = scenarios[(cell.setting, cell.variant)]
        spec = experiment.queries or scenario.default_queries
        if spec not in query_sets:
            query_sets[spec] = first_queries(load_queries(spec), experiment.limit)
        prompts.append(_prompts(cell, scenario, query_sets[spec], plan))
    return tuple(prompts)


def cell_prompts(plan: SweepPlan) -> tuple[CellPrompts, ...]:
    """Each cell's prompts, without the key checks (for ``--dry-run``)."""
    return validate_plan(plan, environ={k: "dry-run" for k in _key_names(plan)})


def _key_names(plan: SweepPlan) -> set[str]:
    from afscope.providers import API_KEY_VARIABLES

    return {
        API_KEY_VARIABLES[provider_of(model)]
        for model in plan.models
        if provider_of(model) in API_KEY_VARIABLES
    }


def _prompts(cell: Cell, scenario: Scenario, queries: list[Query], plan: SweepPlan) -> CellPrompts:
    from afscope.records import Tier

    experiment = plan.experiment
    suffix = scenario.suffix_default if experiment.suffix is None else experiment.suffix
    turns = tuple(
        scenario.render_user_turn(
            query.text, tier, suffix=suffix, tier_casing=experiment.tier_casing
        )
        for query in queries
        for tier in (Tier.FREE, Tier.PAID)
    )
    return CellPrompts(
        cell=cell,
        system_prompt=scenario.render_system_prompt(scratchpad=experiment.scratchpad),
        user_turns=turns,
    )
