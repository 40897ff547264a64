"""Check a whole sweep before anything is sent: every setting, variant, organism preset and key.

A sweep that would fail on its fifth cell must fail before its first request, naming what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from afscope.experiment import Plan, plan_experiment
from afscope.providers import check_api_key, is_simulated, provider_of
from afscope.sweep._spec import Cell, SweepPlan

__all__ = ["CellPlan", "cell_plans", "check_preset", "validate_plan"]


@dataclass(frozen=True)
class CellPlan:
    """What one cell would send (:func:`afscope.experiment.plan_experiment`)."""

    cell: Cell
    plan: Plan


def check_preset(preset: str, seed: int, args: Mapping[str, Any], *, family: str) -> None:
    """An unknown organism preset or override is one line before anything runs (by the kind's
    family: agentic experiments know the presets of the environments' behaviour data, scheming
    ones the scheming presets)."""
    if family == "scheming":
        from afscope.errors import UnknownNameError
        from afscope.scheming import PRESET_NAMES

        if preset not in PRESET_NAMES:
            raise UnknownNameError("scheming organism preset", preset, PRESET_NAMES)
        return
    if family == "agentic":
        from afscope.agentic import acting_presets
        from afscope.errors import UnknownNameError

        if preset not in acting_presets():
            raise UnknownNameError("acting organism preset", preset, acting_presets())
        return
    from afscope.organism import Organism

    Organism(preset, seed=seed, **args)


def _check_models(plan: SweepPlan, environ: Mapping[str, str]) -> None:
    from afscope.experiment import experiment_kind

    family = experiment_kind(plan.experiment.kind).family
    for model in plan.models:
        if is_simulated(model):
            args = plan.args_for(model)
            seed = args.pop("seed")
            check_preset(model.split("/", 1)[1], seed, args, family=family)
        elif plan.base_url(model) is None:
            check_api_key(model, environ)
    judge = plan.experiment.judge
    if judge is not None and plan.base_url(judge) is None:
        check_api_key(judge, environ)


def validate_plan(
    plan: SweepPlan, environ: Mapping[str, str] | None = None
) -> tuple[CellPlan, ...]:
    """Raise the first problem of the sweep (an :class:`AfscopeError`); else each cell's plan.

    Keys are checked for every provider without a ``--base-url`` (a local server needs none).
    """
    environ = os.environ if environ is None else environ
    _check_models(plan, environ)
    return tuple(
        CellPlan(cell, plan_experiment(plan.experiment_for(cell))) for cell in plan.cells()
    )


def cell_plans(plan: SweepPlan) -> tuple[CellPlan, ...]:
    """Each cell's plan, without the key checks (for ``--dry-run``)."""
    return validate_plan(plan, environ={k: "dry-run" for k in _key_names(plan)})


def _key_names(plan: SweepPlan) -> set[str]:
    from afscope.providers import API_KEY_VARIABLES

    judge = [plan.experiment.judge] if plan.experiment.judge else []
    return {
        API_KEY_VARIABLES[provider_of(model)]
        for model in [*plan.models, *judge]
        if provider_of(model) in API_KEY_VARIABLES
    }
