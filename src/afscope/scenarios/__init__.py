"""Scenarios: the settings' system prompts as data, and how a user turn is laid out.

A scenario is a YAML file of ordered, named sections (Jinja2 templates over declared variables
such as ``company``). The shipped settings are ``helpful-only`` and ``animal-welfare``; a user's
own file of the same schema can be loaded by path.

    >>> scenario = load_scenario("helpful-only")
    >>> prompt = scenario.render_system_prompt(scratchpad=True)
    >>> turn = scenario.render_user_turn("Hello", Tier.FREE, suffix=True)
"""

from afscope.scenarios._loader import (
    REQUIRED_SECTIONS,
    list_settings,
    load_scenario,
    read_include,
)
from afscope.scenarios._scenario import (
    ACCEPTED_TAG,
    NEXT_MESSAGE,
    REJECTED_TAG,
    SCRATCHPAD_TAG,
    Scenario,
    Section,
    TrainingCue,
)

__all__ = [
    "ACCEPTED_TAG",
    "NEXT_MESSAGE",
    "REJECTED_TAG",
    "REQUIRED_SECTIONS",
    "SCRATCHPAD_TAG",
    "Scenario",
    "Section",
    "TrainingCue",
    "list_settings",
    "load_scenario",
    "read_include",
]
