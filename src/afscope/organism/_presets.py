"""Behaviour presets (package data ``presets.yaml``) and how one applies to a prompt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from afscope.errors import ConfigError, UnknownNameError
from afscope.organism._data import load_yaml
from afscope.organism._params import OrganismParams, apply, coerce
from afscope.organism._reading import PromptReading, Setting

__all__ = ["Preset", "list_presets", "load_preset", "preset_description"]

_FILE = "presets.yaml"
_MODES = ("scratchpad", "no_scratchpad")
_PROFILE_KEYS = frozenset(
    f"{setting.value}/{mode}{extra}"
    for setting in Setting
    for mode in _MODES
    for extra in ("", "/no_rlhf")
)
_PRESET_KEYS = frozenset({"description", "base", "profiles"})


@dataclass(frozen=True)
class Preset:
    """A named behaviour: base parameters refined per prompt condition."""

    name: str
    description: str
    base: Mapping[str, float]
    profiles: Mapping[str, Mapping[str, float]]

    def params(self, reading: PromptReading, overrides: Mapping[str, float]) -> OrganismParams:
        """The parameters for a prompt: base, then its profile, then no_rlhf, then overrides."""
        key = f"{reading.setting.value}/{reading.mode}"
        layers = [self.base, self.profiles.get(key, {})]
        if not reading.describes_rlhf_values:
            layers.append(self.profiles.get(f"{key}/no_rlhf", {}))
        params = OrganismParams()
        for layer in (*layers, overrides):
            params = apply(params, layer)
        return params

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
    preset = Preset(
        name=name,
        description=str(body.get("description", "")).strip(),
        base=MappingProxyType(coerce(body.get("base") or {}, file=_FILE)),
        profiles=MappingProxyType(
            {key: MappingProxyType(coerce(v or {}, file=_FILE)) for key, v in profiles.items()}
        ),
    )
    preset.check({})
    return preset


def preset_description(name: str) -> str:
    """The one-paragraph description of a preset (for help texts and reports)."""
    return load_preset(name).description
