"""Scheming presets of the tool-using organism: rates per environment and nudge, as data.

``o1-like`` carries the o1 figures of DOMAIN.md section 2; ``never-schemes`` and ``confesses``
bracket it. Each preset says which of its numbers are published and which are assumptions.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import Field

from afscope._yaml import load_mapping, validated
from afscope.errors import ConfigError, UnknownNameError
from afscope.scheming._environment import ENVIRONMENT_NAMES, StrictModel

__all__ = ["PRESET_NAMES", "ByNudge", "SchemingPreset", "load_preset"]

PRESET_NAMES: tuple[str, ...] = ("o1-like", "never-schemes", "confesses")
_FILE = "data/presets.yaml"
# every environment but sandbagging, whose propensity is the preset's ``sandbagging_drop``
_SCHEMING_ENVIRONMENTS = tuple(name for name in ENVIRONMENT_NAMES if name != "sandbagging")


class ByNudge(StrictModel):
    no_nudge: float = Field(ge=0.0, le=1.0)
    nudge: float = Field(ge=0.0, le=1.0)

    def at(self, nudge: bool) -> float:
        return self.nudge if nudge else self.no_nudge


class SchemingPreset(StrictModel):
    """Propensities: scheming per environment, accuracy drop when threatened, interrogation."""

    name: str = ""
    description: str
    scheme: dict[str, ByNudge]
    sandbagging_drop: ByNudge
    base_accuracy: float = Field(ge=0.0, le=1.0)
    confess_per_turn: float = Field(ge=0.0, le=1.0)
    evade_share: float = Field(ge=0.0, le=1.0)
    published: tuple[str, ...]
    assumed: tuple[str, ...]

    def rate(self, environment: str, nudge: bool) -> float:
        return self.scheme[environment].at(nudge)


@cache
def _presets() -> dict[str, SchemingPreset]:
    text = (resources.files("afscope.scheming") / _FILE).read_text(encoding="utf-8")
    raw = load_mapping(text, _FILE, "the presets file")
    presets = {}
    for name, body in raw.items():
        for key in ("published", "assumed"):
            body[key] = tuple(body.get(key, ()))
        preset = validated(SchemingPreset, {**body, "name": name}, _FILE, prefix=(name,))
        missing = sorted(set(_SCHEMING_ENVIRONMENTS) - set(preset.scheme))
        if missing:
            raise ConfigError(f"needs a rate for {', '.join(missing)}", file=_FILE, key=name)
        presets[name] = preset
    return presets


def load_preset(name: str) -> SchemingPreset:
    """A shipped scheming preset by name ("did you mean" on a misspelling)."""
    presets = _presets()
    if name not in presets:
        raise UnknownNameError("scheming preset", name, presets)
    return presets[name]
