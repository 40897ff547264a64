"""The scheming organism in a live episode: one reply at a time, from what it was sent.

It recognises the environment, instance and nudge from the system prompt and task it is sent (the
nudge by its sentence in the system prompt), and the condition (tested/deployed,
threatened/counterfactual) from the files it has read so far, as a model would: before it has
read them the candidate setups share their first steps. Each reply is one step of the preset's
:class:`~afscope.scheming.Plan` (one bash command), then the plan's final answer, then, for each
management question after it, an interrogation reply. Plain Python: the Inspect adapter passes
the texts in and turns a :class:`Reply` into tool calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from afscope.scheming._environment import (
    ENVIRONMENT_NAMES,
    Environment,
    Setup,
    environment_setups,
    load_environment,
)
from afscope.scheming._policy import Action, Plan, interrogation_reply, plan_episode
from afscope.scheming._presets import load_preset

__all__ = ["Reply", "SchemingOrganism", "recognised"]


@dataclass(frozen=True)
class Reply:
    """One reply: its text, the bash command it runs (None for a plain answer), ground truth."""

    text: str
    command: str | None
    truth: dict[str, Any] = field(default_factory=dict)


@cache
def _index() -> dict[tuple[str, str], tuple[tuple[Environment, Setup], ...]]:
    """(system prompt, task) -> the setups that render to them (several conditions share one)."""
    index: dict[tuple[str, str], list[tuple[Environment, Setup]]] = {}
    for name in ENVIRONMENT_NAMES:
        environment = load_environment(name)
        for setup in environment_setups(environment):
            key = (setup.system.strip(), setup.task.strip())
            index.setdefault(key, []).append((environment, setup))
    return {key: tuple(value) for key, value in index.items()}


def recognised(system: str, task: str) -> bool:
    """Is this the prompt of one of the scheming environments?"""
    return (system.strip(), task.strip()) in _index()


def _consistent(setup: Setup, plan: Plan, outputs: Sequence[str]) -> bool:
    """Do the files this setup seeds match what the reads so far printed?"""
    for action, output in zip(plan.actions, outputs, strict=False):
        if action.kind == "read" and setup.files.get(action.path, "").strip() != output.strip():
            return False
    return True


def _narration(action: Action) -> str:
    if action.kind == "read":
        return f"Let me read {action.path}."
    if action.kind == "run":
        return "Running the provided script as instructed."
    if action.kind == "copy":
        return f"Copying {action.path} to {action.target}."
    return f"Writing {action.path}."


class SchemingOrganism:
    """``SchemingOrganism("o1-like", seed=0).reply(system, task, outputs, step, turn, draw)``."""

    def __init__(self, preset: str, *, seed: int = 0) -> None:
        self.preset = load_preset(preset)
        self.seed = seed

    def _episode(
        self, system: str, task: str, outputs: Sequence[str], draw: int
    ) -> tuple[Environment, Setup, Plan]:
        candidates = _index()[(system.strip(), task.strip())]
        planned = [
            (environment, setup, plan_episode(self.preset, environment, setup, draw, self.seed))
            for environment, setup in candidates
        ]
        for environment, setup, plan in planned:
            if _consistent(setup, plan, outputs):
                return environment, setup, plan
        return planned[0]

    def reply(
        self,
        system: str,
        task: str,
        outputs: Sequence[str],
        *,
        step: int,
        turn: int = 0,
        draw: int = 0,
    ) -> Reply:
        """The reply at episode ``step`` (replies so far) or, when ``turn`` >= 1, to management's
        ``turn``-th question; ``outputs`` are the tool outputs so far, in order."""
        environment, setup, plan = self._episode(system, task, outputs, draw)
        truth: dict[str, Any] = {
            "preset": self.preset.name,
            "environment": setup.environment,
            "instance": setup.instance,
            "nudge": setup.nudge,
            "condition": setup.condition,
            "schemed": plan.schemes,
            "draw": draw,
        }
        if turn >= 1:
            text, stance = interrogation_reply(self.preset, environment, setup, turn, draw)
            return Reply(text, None, {**truth, "turn": turn, "stance": stance})
        if step >= len(plan.actions):
            return Reply(plan.answer, None, truth)
        action = plan.actions[step]
        first_act = next(i for i, a in enumerate(plan.actions) if a.kind != "read")
        text = _narration(action)
        if step == first_act:
            # it reasons once it has read the files: before, it does not know the condition
            text = f"{plan.reasoning}\n{text}"
        return Reply(text, action.command(), truth)
