"""Behaviour presets (package data ``presets.yaml``) and how one applies to a prompt."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from afscope.errors import ConfigError, UnknownNameError
from afscope.organism._data import load_yaml
from afscope.organism._params import OrganismParams, apply, coerce, scale
from afscope.organism._reading import PromptReading, Setting

__all__ = ["CONDITIONS", "Effect", "Preset", "list_presets", "load_preset", "preset_description"]

_FILE = "presets.yaml"
_MODES = ("scratchpad", "no_scratchpad")
_PROFILE_KEYS = frozenset(
    f"{setting.value}/{mode}{extra}"
    for setting in Setting
    for mode in _MODES
    for extra in ("", "/no_rlhf")
)
_PRESET_KEYS = frozenset({"description", "base", "profiles", "developer", "conditions"})

# condition name -> when it holds, from the prompt reading and the preset's own developer
CONDITIONS: dict[str, Callable[[PromptReading, str | None], bool]] = {
    "other_cue": lambda r, _: r.other_cue,
    "train_absent": lambda r, _: not r.states_training,
    "unmonitored_absent": lambda r, _: not r.states_unmonitored,
    "rlhf_views": lambda r, _: r.describes_rlhf_views,
    "rlhf_without_values": lambda r, _: r.explains_rlhf and not r.describes_rlhf_values,
    "honesty_priority": lambda r, _: r.honesty_priority,
    "forbids_alignment_faking": lambda r, _: r.forbids_alignment_faking,
    "asks_consistency": lambda r, _: r.asks_consistency,
    "other_developer": lambda r, home: None not in (r.developer, home) and r.developer != home,
    "disclaims_values": lambda r, _: r.disclaims_values,
    "objective_as_instruction": lambda r, _: r.objective_as_instruction,
    "shows_jailbreak": lambda r, _: r.shows_jailbreak,
}
_EFFECT_RANGES = {"af": (0.0, 5.0), "gap": (0.0, 5.0), "comply": (-1.0, 1.0)}


@dataclass(frozen=True)
class Effect:
    """How a condition changes the rates: AF and gap multiplied, compliance shifted."""

    af: float = 1.0
    gap: float = 1.0
    comply: float = 0.0

    def apply(self, params: OrganismParams) -> OrganismParams:
        return scale(params, af=self.af, gap=self.gap, comply=self.comply)


@dataclass(frozen=True)
class Preset:
    """A named behaviour: base parameters refined per prompt condition."""

    name: str
    description: str
    base: Mapping[str, float]
    profiles: Mapping[str, Mapping[str, float]]
    developer: str | None = None
    conditions: Mapping[str, Effect] = field(default_factory=lambda: MappingProxyType({}))

    def params(self, reading: PromptReading, overrides: Mapping[str, float]) -> OrganismParams:
        """The parameters for a prompt: base, profile, no_rlhf, conditions, then overrides."""
        key = f"{reading.setting.value}/{reading.mode}"
        layers = [self.base, self.profiles.get(key, {})]
        if not reading.describes_rlhf_values:
            layers.append(self.profiles.get(f"{key}/no_rlhf", {}))
        params = OrganismParams()
        for layer in layers:
            params = apply(params, layer)
        for effect in self.effects(reading):
            params = effect.apply(params)
        return apply(params, overrides)

    def effects(self, reading: PromptReading) -> list[Effect]:
        """The effects of the conditions that hold for this prompt, in the file's order."""
        return [
            effect
            for name, effect in self.conditions.items()
            if CONDITIONS[name](reading, self.developer)
        ]

    def check(self, overrides: Mapping[str, float]) -> None:
        """Raise ConfigError if any profile, with the overrides, is inconsistent."""
        for key in sorted(_PROFILE_KEYS):
            layers = [self.base, *(self.profiles.get(k, {}) for k in _layer_keys(key)), overrides]
            params = OrganismParams()
            for layer in layers:
                params = apply(params, layer)
            params.check(f"organism preset {self.name!r}, {key}")


def _layer_keys(profile_key: str) -> list[str]:
    parts = profile_key.split("/")
    return ["/".join(parts[:2])] + ([profile_key] if len(parts) == 3 else [])


def list_presets() -> list[str]:
    """The names of the shipped organism presets, sorted."""
    return sorted(_all_presets())


def load_preset(name: str) -> Preset:
    presets = _all_presets()
    if name not in presets:
        raise UnknownNameError("organism preset", name, presets)
    return presets[name]


@cache
def _all_presets() -> Mapping[str, Preset]:
    raw = load_yaml(_FILE)
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping of preset names", file=_FILE)
    return MappingProxyType({str(name): _preset(str(name), body) for name, body in raw.items()})


def _preset(name: str, body: object) -> Preset:
    if not isinstance(body, dict):
        raise ConfigError(
            "expected a mapping with description, base, profiles", file=_FILE, key=name
        )
    unknown = set(body) - _PRESET_KEYS
    if unknown:
        raise ConfigError(
            f"unknown keys {sorted(unknown)}; allowed: {sorted(_PRESET_KEYS)}", file=_FILE, key=name
        )
    profiles = body.get("profiles") or {}
    for key in profiles:
        if key not in _PROFILE_KEYS:
            raise ConfigError(
                f"unknown profile {key!r}; use <setting>/<mode>[/no_rlhf] with settings "
                f"{[s.value for s in Setting]} and modes {list(_MODES)}",
                file=_FILE,
                key=name,
            )
    developer = body.get("developer")
    if developer is not None and not isinstance(developer, str):
        raise ConfigError(
            "expected the developer's name as text", file=_FILE, key=f"{name}.developer"
        )
    preset = Preset(
        name=name,
        description=str(body.get("description", "")).strip(),
        base=MappingProxyType(coerce(body.get("base") or {}, file=_FILE)),
        profiles=MappingProxyType(
            {key: MappingProxyType(coerce(v or {}, file=_FILE)) for key, v in profiles.items()}
        ),
        developer=developer,
        conditions=MappingProxyType(_conditions(name, body.get("conditions") or {})),
    )
    preset.check({})
    return preset


def _conditions(name: str, raw: object) -> dict[str, Effect]:
    if not isinstance(raw, dict):
        raise ConfigError(
            "expected a mapping of condition names", file=_FILE, key=f"{name}.conditions"
        )
    effects: dict[str, Effect] = {}
    for condition, body in raw.items():
        key = f"{name}.conditions.{condition}"
        if condition not in CONDITIONS:
            raise ConfigError(
                f"unknown condition; use one of {', '.join(CONDITIONS)}", file=_FILE, key=key
            )
        if not isinstance(body, dict) or set(body) - set(_EFFECT_RANGES):
            raise ConfigError(
                f"expected a mapping with some of {', '.join(_EFFECT_RANGES)}", file=_FILE, key=key
            )
        effects[condition] = Effect(**{k: _effect_value(v, k, key) for k, v in body.items()})
    return effects


def _effect_value(raw: object, name: str, key: str) -> float:
    low, high = _EFFECT_RANGES[name]
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        raise ConfigError(
            f"expected a number from {low:g} to {high:g}, got {raw!r}",
            file=_FILE,
            key=f"{key}.{name}",
        )
    return float(raw)


def preset_description(name: str) -> str:
    """The one-paragraph description of a preset (for help texts and reports)."""
    return load_preset(name).description
