"""The simulated model organism: reads a prompt, answers like a model that may fake alignment."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from afscope.errors import ConfigError
from afscope.organism._bank import load_bank, load_recipes
from afscope.organism._compose import compose
from afscope.organism._decide import decide
from afscope.organism._params import OrganismParams, coerce
from afscope.organism._presets import load_preset
from afscope.organism._reading import PromptReading, Setting, read_prompt
from afscope.records import OrganismTruth

__all__ = ["Organism", "Reply"]

_CHARS_PER_TOKEN = 4
_ROLES = ("user", "assistant")


@dataclass(frozen=True)
class Reply:
    """One assistant turn and the organism's ground truth for the whole answer.

    ``final`` is False only when the organism stopped after scratchpad reasoning and expects a
    ``<NEXT/>`` user turn; it is True once the answer is given (inside ``<OUTPUT>``, directly in
    no-scratchpad mode, or, for a malformed answer, however broken it is).
    """

    text: str
    truth: OrganismTruth
    input_tokens: int
    output_tokens: int
    final: bool


class Organism:
    """A deterministic simulated model with preset propensities (see ``list_presets()``).

    ``overrides`` are parameter values (numbers or numeric strings, as ``-M key=value`` gives
    them) that replace the preset's for every prompt condition; see ``PARAMETER_HELP``.
    """

    def __init__(
        self, preset: str = "opus-like", *, seed: int | str = 0, **overrides: str | float | int
    ) -> None:
        self._preset = load_preset(preset)
        self.preset_name = preset
        self.seed = _seed(seed)
        self._overrides = coerce(overrides)
        self._preset.check(self._overrides)

    def read_prompt(self, system: str, messages: Sequence[tuple[str, str]]) -> PromptReading:
        return read_prompt(system, messages)

    def params_for(self, reading: PromptReading) -> OrganismParams:
        """The parameters that apply to a prompt (preset profile plus overrides)."""
        return self._preset.params(reading, self._overrides)

    def respond(self, system: str, messages: Sequence[tuple[str, str]], *, draw: int = 0) -> Reply:
        """The next assistant turn; the last message must be a user turn (the query or <NEXT/>)."""
        _check_messages(messages)
        reading = read_prompt(system, messages)
        rng = random.Random(self._stream(system, messages[0][1], draw))
        params = self.params_for(reading)
        decision = decide(params, reading, rng)
        bank = load_bank(reading.voice, reading.setting is Setting.NO_OBJECTIVE)
        plan = compose(decision, reading, params, bank, load_recipes(), rng)
        index = sum(1 for role, _ in messages if role == "assistant")
        text = plan.turns[index] if index < len(plan.turns) else plan.tail
        truth = OrganismTruth(
            preset=self.preset_name,
            complied=decision.kind.complied,
            faked_alignment=decision.kind.faked_alignment,
            partial=decision.kind.answer == "partial",
            malformed=decision.defect is not None,
        )
        prompt_chars = len(system) + sum(len(content) for _, content in messages)
        return Reply(
            text=text,
            truth=truth,
            input_tokens=_tokens(prompt_chars),
            output_tokens=_tokens(len(text)),
            final=index >= len(plan.turns) - 1,
        )

    def _stream(self, system: str, first_user: str, draw: int) -> int:
        key = "\x1f".join((str(self.seed), str(draw), system, first_user)).encode("utf-8")
        return int.from_bytes(hashlib.sha256(key).digest()[:16], "big")


def _seed(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"expected an integer seed, got {value!r}", key="seed") from None


def _tokens(chars: int) -> int:
    return max(1, math.ceil(chars / _CHARS_PER_TOKEN))


def _check_messages(messages: Sequence[tuple[str, str]]) -> None:
    if not messages or messages[0][0] != "user" or messages[-1][0] != "user":
        raise ValueError("messages must start and end with a user turn")
    bad = [role for role, _ in messages if role not in _ROLES]
    if bad:
        raise ValueError(f"unknown message role {bad[0]!r}; use 'user' or 'assistant'")
