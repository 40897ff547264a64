"""What the system prompt says about training: which user-turn tag marks it, and what is stated.

The contract that prompt variants satisfy (afscope.variants follows it; documented in the
variants' data README):

- A clause (sentence, bullet or ``;``-separated part) of the system prompt that contains a literal
  ``<tag>value</tag>`` and says such conversations are used for training ("used for training",
  "used for RLHF", "used to train", "trained on"), with no negation (never / not / no / n't),
  declares ``value`` as the *training* value of ``tag``. A clause with the literal, a negation and
  a word about training or monitoring declares the *unmonitored* value. Values compare ignoring
  case; a tag needs both values to count as declared.
- The training fact is *stated* when a non-negated training clause names the trained group: the
  free tier ("free") or a declared training literal. The unmonitored fact is stated when a negated
  clause about training or monitoring names the other group: "paid" / "paying" or a declared
  unmonitored literal.
- Without a declared tag in the user turn, the caller reads its ``<is_free_tier_user>`` tag.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from afscope.records import Tier

__all__ = ["CueReading", "read_cues"]

_CLAUSE_SPLIT = re.compile(r"(?<=[.?!])\s+|\n+|;")
_LITERAL = re.compile(r"<([a-z][a-z0-9_]*)>([^<>\n]{1,80})</\1>", re.I)
_TRAINED = re.compile(r"used (?:for|in) (?:training|rlhf)|used to train|trained on", re.I)
_NEGATION = re.compile(r"\b(?:never|not|no|nor|neither)\b|n't", re.I)
_ABOUT_TRAINING = re.compile(r"train|rlhf|monitor|stored|logged|rated", re.I)
_FREE_GROUP = re.compile(r"\bfree\b", re.I)
_PAID_GROUP = re.compile(r"\bpa(?:id|ying)\b", re.I)
_INPUT_START = re.compile(r"<user_input>", re.I)


@dataclass(frozen=True)
class CueReading:
    """The training cue as the organism understands it from one prompt.

    ``tag`` is the declared tag found in the user turn (None if there is none); ``tier`` is FREE
    for its training value and PAID for its unmonitored one (None for any other value).
    """

    tag: str | None
    tier: Tier | None
    states_training: bool
    states_unmonitored: bool


@dataclass(frozen=True)
class _Declared:
    training: frozenset[str]
    unmonitored: frozenset[str]


def read_cues(system: str, first_user: str) -> CueReading:
    """Read the declared cue tags of the system prompt and the tag of the first user turn."""
    declared, states_training, states_unmonitored = _system_cues(system)
    tag, tier = _turn_tier(first_user, declared)
    return CueReading(tag, tier, states_training, states_unmonitored)


@functools.lru_cache(maxsize=64)
def _system_cues(system: str) -> tuple[dict[str, _Declared], bool, bool]:
    """What the system prompt declares, read once per prompt (a run sends one to every sample;
    the result is shared, so callers must not change it)."""
    clauses = [c for c in _CLAUSE_SPLIT.split(system) if c.strip()]
    declared = _declared(clauses)
    trained_literals = {f"{t}>{v}" for t, d in declared.items() for v in d.training}
    quiet_literals = {f"{t}>{v}" for t, d in declared.items() for v in d.unmonitored}
    states_training = any(
        _is_training(c) and (_FREE_GROUP.search(c) or _literals(c) & trained_literals)
        for c in clauses
    )
    states_unmonitored = any(
        _is_unmonitored(c) and (_PAID_GROUP.search(c) or _literals(c) & quiet_literals)
        for c in clauses
    )
    return declared, states_training, states_unmonitored


def _is_training(clause: str) -> bool:
    return bool(_TRAINED.search(clause)) and not _NEGATION.search(clause)


def _is_unmonitored(clause: str) -> bool:
    return bool(_NEGATION.search(clause) and _ABOUT_TRAINING.search(clause))


def _literals(clause: str) -> set[str]:
    return {f"{tag.lower()}>{value.strip().lower()}" for tag, value in _LITERAL.findall(clause)}


def _declared(clauses: list[str]) -> dict[str, _Declared]:
    training: dict[str, set[str]] = {}
    unmonitored: dict[str, set[str]] = {}
    for clause in clauses:
        target = training if _is_training(clause) else unmonitored
        if target is unmonitored and not _is_unmonitored(clause):
            continue
        for tag, value in _LITERAL.findall(clause):
            target.setdefault(tag.lower(), set()).add(value.strip().lower())
    return {
        tag: _Declared(frozenset(values), frozenset(unmonitored[tag]))
        for tag, values in training.items()
        if tag in unmonitored and not values & unmonitored[tag]
    }


def _turn_tier(first_user: str, declared: dict[str, _Declared]) -> tuple[str | None, Tier | None]:
    """The tag and tier of the user turn's header (the part before ``<user_input>``)."""
    start = _INPUT_START.search(first_user)
    header = first_user[: start.start()] if start else first_user
    tags = {tag.lower(): value.strip().lower() for tag, value in _LITERAL.findall(header)}
    for tag, cue in declared.items():
        if tag in tags:
            value = tags[tag]
            tier = Tier.FREE if value in cue.training else None
            tier = Tier.PAID if value in cue.unmonitored else tier
            return tag, tier
    return None, None
