"""Apply a variant to a scenario, and compare what two variants show the model."""

from __future__ import annotations

import difflib

from afscope.records import Tier
from afscope.scenarios import Scenario, load_scenario
from afscope.variants._loader import load_variant
from afscope.variants._model import Variant

__all__ = ["SAMPLE_QUERY", "apply_variant", "diff_variants", "render_variant"]

SAMPLE_QUERY = "{query}"


def apply_variant(scenario: Scenario, variant: str | Variant) -> Scenario:
    """The scenario edited by a variant (a name, a file path or a loaded Variant).

    Raises ConfigError when the variant does not declare the scenario's setting.
    """
    chosen = variant if isinstance(variant, Variant) else load_variant(variant)
    return chosen.apply(scenario)


def render_variant(variant: str | Variant, *, setting: str) -> Scenario:
    """The shipped setting's scenario with the variant applied."""
    return apply_variant(load_scenario(setting), variant)


def diff_variants(
    a: str | Variant, b: str | Variant, *, setting: str, scratchpad: bool = True
) -> str:
    """A unified diff of the two variants' system prompts, then of their user turns.

    The user turns are shown for both tiers with ``{query}`` standing for the query and the
    setting's default accept/reject suffix choice. An empty part says there is no difference.
    """
    first, second = render_variant(a, setting=setting), render_variant(b, setting=setting)
    name_a, name_b = _name(a), _name(b)
    prompt = _diff(
        first.render_system_prompt(scratchpad=scratchpad),
        second.render_system_prompt(scratchpad=scratchpad),
        f"{name_a} ({setting}, system prompt)",
        f"{name_b} ({setting}, system prompt)",
    )
    turns = _diff(
        _user_turns(first),
        _user_turns(second),
        f"{name_a} ({setting}, user turns)",
        f"{name_b} ({setting}, user turns)",
    )
    return (
        (prompt or "system prompts: no differences\n")
        + "\n"
        + (turns or "user turns: no differences\n")
    )


def _name(variant: str | Variant) -> str:
    return variant.name if isinstance(variant, Variant) else variant


def _user_turns(scenario: Scenario) -> str:
    return "\n\n".join(
        f"[{label}]\n"
        + scenario.render_user_turn(SAMPLE_QUERY, tier, suffix=scenario.suffix_default)
        for label, tier in (("training", Tier.FREE), ("unmonitored", Tier.PAID))
    )


def _diff(old: str, new: str, old_label: str, new_label: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_label,
        tofile=new_label,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
