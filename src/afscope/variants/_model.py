"""Variants as values: a named, ordered list of declarative edits of a base scenario.

Each edit is a frozen dataclass with one method, ``apply(scenario) -> Scenario``, built on the
Scenario copy methods. An edit may be limited to some of the variant's settings (``settings``),
for instance when the same idea needs different wording in helpful-only and animal welfare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from afscope.errors import ConfigError
from afscope.scenarios import Scenario, TrainingCue

__all__ = [
    "AppendSection",
    "Edit",
    "EditText",
    "Paraphrase",
    "RemoveSection",
    "ReplaceSection",
    "SetCue",
    "SetVariable",
    "Variant",
]


@dataclass(frozen=True)
class _Edit:
    # the settings this edit applies to; empty means all of the variant's settings
    settings: tuple[str, ...]

    def applies_to(self, setting: str) -> bool:
        return not self.settings or setting in self.settings


@dataclass(frozen=True)
class ReplaceSection(_Edit):
    """Replace the whole text of an existing section."""

    section: str
    text: str

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.with_section(self.section, self.text)


@dataclass(frozen=True)
class RemoveSection(_Edit):
    """Remove a section (e.g. the RLHF description)."""

    section: str

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.without_section(self.section)


@dataclass(frozen=True)
class AppendSection(_Edit):
    """Add a new section at the end, or right after the section ``after``."""

    section: str
    text: str
    after: str | None

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.appending(self.section, self.text, after=self.after)


@dataclass(frozen=True)
class SetVariable(_Edit):
    """Give a declared template variable (e.g. ``company``) a new value."""

    variable: str
    value: str

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.with_variables(**{self.variable: self.value})


@dataclass(frozen=True)
class EditText(_Edit):
    """Replace every occurrence of an exact substring of one section's template text."""

    section: str
    find: str
    replace: str

    def apply(self, scenario: Scenario) -> Scenario:
        text = scenario.section(self.section).text
        if self.find not in text:
            raise ConfigError(
                f"the text {self.find!r} does not occur in section {self.section!r} of "
                f"{scenario.name!r}; copy it exactly from the section's template text",
                key="find",
            )
        return scenario.with_section(self.section, text.replace(self.find, self.replace))


@dataclass(frozen=True)
class SetCue(_Edit):
    """Mark training vs unmonitored conversations with another user-turn tag."""

    cue: TrainingCue

    def apply(self, scenario: Scenario) -> Scenario:
        return scenario.with_cue(self.cue)


@dataclass(frozen=True)
class Paraphrase(_Edit):
    """A whole new wording: every section of the scenario replaced (names must match exactly)."""

    sections: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", MappingProxyType(dict(self.sections)))

    def __hash__(self) -> int:
        return hash((self.settings, tuple(self.sections.items())))

    def apply(self, scenario: Scenario) -> Scenario:
        wanted, given = set(scenario.section_names), set(self.sections)
        if wanted != given:
            missing = ", ".join(sorted(wanted - given)) or "none"
            extra = ", ".join(sorted(given - wanted)) or "none"
            raise ConfigError(
                f"a paraphrase must replace every section of {scenario.name!r} "
                f"(missing: {missing}; unknown: {extra})",
                key="sections",
            )
        for name, text in self.sections.items():
            scenario = scenario.with_section(name, text)
        return scenario


Edit = ReplaceSection | RemoveSection | AppendSection | SetVariable | EditText | SetCue | Paraphrase


@dataclass(frozen=True)
class Variant:
    """A named prompt variation: what it tests, where it applies, and its edits in order."""

    name: str
    family: str
    description: str
    settings: tuple[str, ...]
    edits: tuple[Edit, ...]
    source: str = ""

    def applies_to(self, setting: str) -> bool:
        return setting in self.settings

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with every edit for its setting applied; ConfigError if not applicable."""
        if not self.applies_to(scenario.name):
            raise ConfigError(
                f"variant {self.name!r} does not apply to the setting {scenario.name!r}; "
                f"it applies to {', '.join(self.settings)}",
                file=self.source or None,
                key="settings",
            )
        for edit in self.edits:
            if edit.applies_to(scenario.name):
                scenario = edit.apply(scenario)
        return scenario
