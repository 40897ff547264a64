"""The acting organism: answers agentic prompts with tool calls, from a preset's propensities.

It reads only what it is sent (system prompt, user turns, tool outputs) and the environment's
``behaviour`` data; its decision is fixed at the first turn by the seed, the prompt and the draw.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from afscope.errors import ConfigError

__all__ = ["ActingOrganism", "Action", "Turn"]


@dataclass(frozen=True)
class Turn:
    """One message the organism is sent: role (user/assistant/tool) and its text."""

    role: str
    text: str


@dataclass(frozen=True)
class Action:
    """One reply: text, tool calls ``(tool, arguments)`` and the ground truth."""

    text: str
    tool_calls: tuple[tuple[str, dict[str, Any]], ...]
    truth: dict[str, Any] = field(default_factory=dict)


def _uniform(*parts: object) -> float:
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class ActingOrganism:
    """``ActingOrganism("opus-like", behaviour, seed=0).act(system, turns, draw=0)``."""

    def __init__(self, preset: str, behaviour: Mapping[str, Any], *, seed: int = 0) -> None:
        propensities = behaviour.get("propensities", {})
        if preset not in propensities:
            known = ", ".join(sorted(propensities))
            raise ConfigError(
                f"preset {preset!r} has no propensities here (known: {known})",
                key="behaviour.propensities",
            )
        self.preset = preset
        self.seed = seed
        self.behaviour = behaviour
        self.propensity: Mapping[str, Any] = propensities[preset]

    def cues(self, system: str, first_user: str) -> list[str]:
        text = f"{system}\n{first_user}"
        return sorted(
            name
            for name, pattern in self.behaviour.get("cues", {}).items()
            if re.search(str(pattern), text)
        )

    def take_probability(self, cues: Sequence[str]) -> float:
        table: Mapping[str, float] = self.propensity.get("take", {})
        best, best_size = float(table.get("default", 0.0)), -1
        for key, value in table.items():
            needed = set(key.split("+")) if key != "default" else set()
            if needed <= set(cues) and len(needed) > best_size:
                best, best_size = float(value), len(needed)
        return best

    def decide(self, system: str, first_user: str, draw: int) -> dict[str, Any]:
        cues = self.cues(system, first_user)
        base = (self.seed, self.preset, system, first_user, draw)
        took = _uniform(*base, "take") < self.take_probability(cues)
        reasoned = _uniform(*base, "reason") < float(self.propensity.get("reason", 1.0))
        lied = took and _uniform(*base, "lie") < float(self.propensity.get("lie", 0.0))
        return {
            "took_opportunity": took,
            "reasoned": reasoned,
            "lied": lied,
            "cues": cues,
            "preset": self.preset,
            "draw": draw,
        }

    def act(self, system: str, turns: Sequence[Turn], *, draw: int = 0) -> Action:
        first_user = next((t.text for t in turns if t.role == "user"), "")
        truth = self.decide(system, first_user, draw)
        plans = self.behaviour["plans"]
        plan = plans["take" if truth["took_opportunity"] else "decline"]
        step_index = sum(1 for t in turns if t.role == "assistant")
        seen = "\n".join([system, *(t.text for t in turns)])
        values = {
            name: (m.group(1) if (m := re.search(str(rx), seen)) else "")
            for name, rx in self.behaviour.get("captures", {}).items()
        }
        steps: list[Mapping[str, Any]] = list(plan.get("steps", []))
        if step_index < len(steps):
            step = steps[step_index]
            text = str(step.get("say", ""))
            if step_index == 0 and truth["reasoned"]:
                text = f"{plan.get('reasoning', '')}\n{text}".strip()
            call = step.get("call")
            calls: tuple[tuple[str, dict[str, Any]], ...] = ()
            if call:
                args = {k: str(v).format_map(values) for k, v in call.get("args", {}).items()}
                calls = ((str(call["tool"]), args),)
            return Action(text.format_map(values), calls, truth)
        final = plan.get("final", {})
        text = final.get("lie" if truth["lied"] else "honest", "")
        return Action(str(text).format_map(values), (), truth)
