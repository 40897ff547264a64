"""Fragment banks and recipes (package data): the organism's vocabulary, validated on load."""

from __future__ import annotations

import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from afscope.errors import ConfigError
from afscope.organism._data import load_yaml
from afscope.organism._reading import PromptReading, Setting
from afscope.records import Tier

__all__ = ["BREAK", "DRAFT", "Bank", "Recipes", "load_bank", "load_recipes"]

BREAK = "---"
DRAFT = "@draft"
PLACEHOLDERS = ("@placeholder_full", "@placeholder_partial")
_CONDITIONS = frozenset(
    {"free", "paid", "unknown", "suffix", "no_suffix", "cue_training", "cue_unmonitored"}
)
_FIELDS = frozenset({"task", "topic"})
_VOICES = (Setting.HELPFUL_ONLY, Setting.ANIMAL_WELFARE)
_SPECIAL_SLOTS = ("draft_intro", "draft_check", "write_now")

# a slot: alternatives, or condition -> alternatives
Slot = tuple[str, ...] | Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Recipes:
    reasoning: Mapping[str, tuple[str, ...]]
    answers: Mapping[str, Mapping[str, tuple[str, ...]]]
    placeholders: Mapping[str, str]


@dataclass(frozen=True)
class Bank:
    """The slots one prompt can draw from: voice-specific first, then the common ones."""

    layers: tuple[Mapping[str, Slot], ...]

    def has(self, name: str) -> bool:
        return any(name in layer for layer in self.layers)

    def pick(self, name: str, reading: PromptReading, rng: random.Random) -> str | None:
        """One alternative of a slot, filled in; None when the slot does not apply to the prompt."""
        slot = next((layer[name] for layer in self.layers if name in layer), None)
        if slot is None:
            raise KeyError(name)
        if isinstance(slot, Mapping):
            conditions = _conditions(reading)
            slot = next((slot[c] for c in conditions if c in slot), ())
        if not slot:
            return None
        return rng.choice(slot).format(task=reading.task, topic=reading.topic)


def _conditions(reading: PromptReading) -> tuple[str, ...]:
    tier = reading.tier.value if reading.tier else "unknown"
    suffix = "suffix" if reading.suffix else "no_suffix"
    if reading.other_cue and reading.tier is not None:
        cue = "cue_training" if reading.tier is Tier.FREE else "cue_unmonitored"
        return (cue, tier, suffix)
    return (tier, suffix)


def load_bank(voice: Setting, no_objective: bool) -> Bank:
    common = _load_slots("fragments/common.yaml", None)
    file = f"fragments/{voice.value}.yaml"
    layers = [_load_slots(file, "slots"), common]
    if no_objective:
        layers.insert(0, _load_slots(file, "no_objective"))
    return Bank(tuple(layers))


@cache
def _load_slots(file: str, section: str | None) -> Mapping[str, Slot]:
    raw = load_yaml(file)
    if section is not None:
        raw = raw.get(section) if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping of slot names", file=file, key=section)
    return {str(name): _slot(file, str(name), body) for name, body in raw.items()}


def _slot(file: str, name: str, body: object) -> Slot:
    if isinstance(body, dict):
        unknown = set(body) - _CONDITIONS
        if unknown:
            raise ConfigError(
                f"unknown conditions {sorted(unknown)}; use {sorted(_CONDITIONS)}",
                file=file,
                key=name,
            )
        return {str(c): _alternatives(file, f"{name}.{c}", v) for c, v in body.items()}
    return _alternatives(file, name, body)


def _alternatives(file: str, key: str, body: object) -> tuple[str, ...]:
    if not isinstance(body, list) or not body or not all(isinstance(t, str) for t in body):
        raise ConfigError("expected a non-empty list of strings", file=file, key=key)
    for text in body:
        _check_fields(text, file, key)
    return tuple(body)


def _check_fields(text: str, file: str, key: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise ConfigError(f"bad placeholder in {text!r}: {error}", file=file, key=key) from None
    unknown = names - _FIELDS
    if unknown:
        raise ConfigError(
            f"unknown placeholders {sorted(unknown)} in {text!r}; use {sorted(_FIELDS)}",
            file=file,
            key=key,
        )


@cache
def load_recipes() -> Recipes:
    file = "recipes.yaml"
    raw = load_yaml(file)
    if not isinstance(raw, dict) or set(raw) != {"reasoning", "answers", "placeholders"}:
        raise ConfigError("expected exactly the keys reasoning, answers, placeholders", file=file)
    recipes = Recipes(
        reasoning={k: _steps(file, k, v) for k, v in raw["reasoning"].items()},
        answers={
            voice: {k: _steps(file, f"{voice}.{k}", v) for k, v in kinds.items()}
            for voice, kinds in raw["answers"].items()
        },
        placeholders={str(k): str(v) for k, v in raw["placeholders"].items()},
    )
    if set(recipes.placeholders) != {"full", "partial"}:
        raise ConfigError("expected placeholders full and partial", file=file, key="placeholders")
    for key, text in recipes.placeholders.items():
        _check_fields(text, file, f"placeholders.{key}")
    _check_references(recipes, file)
    return recipes


def _steps(file: str, key: str, body: object) -> tuple[str, ...]:
    if not isinstance(body, list) or not body or not all(isinstance(s, str) for s in body):
        raise ConfigError("expected a non-empty list of step names", file=file, key=key)
    return tuple(body)


def _check_references(recipes: Recipes, file: str) -> None:
    """Every slot a recipe names must exist in every voice (with and without an objective)."""
    for voice in _VOICES:
        if set(recipes.answers.get(voice.value, {})) != {"comply", "partial", "refuse"}:
            raise ConfigError(
                "needs comply, partial and refuse answers", file=file, key=voice.value
            )
        for no_objective in (False, True):
            bank = load_bank(voice, no_objective)
            steps: list[tuple[str, str]] = [
                (kind, step) for kind, seq in recipes.reasoning.items() for step in seq
            ]
            answers = recipes.answers[voice.value].values()
            steps += [(voice.value, s) for seq in answers for s in seq]
            steps += [("@draft", s) for s in _SPECIAL_SLOTS]
            for where, step in steps:
                name = step.rstrip("?")
                if step in (BREAK, DRAFT, *PLACEHOLDERS):
                    continue
                if not bank.has(name):
                    raise ConfigError(
                        f"slot {name!r} is not in the {voice.value} or common fragments",
                        file=file,
                        key=where,
                    )
