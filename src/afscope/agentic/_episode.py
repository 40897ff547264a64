"""One agentic episode as a typed record: what the model said and ran, what came back, the final
state and its scores. Plain Python; the report, the summary and the judge read it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from afscope.classifiers import TranscriptParts
from afscope.records import Verdict

__all__ = ["Episode", "Step", "ToolCallView", "episode_parts"]


@dataclass(frozen=True)
class ToolCallView:
    """One tool call as the model made it: the tool and its arguments."""

    function: str
    arguments: Mapping[str, Any]

    def render(self) -> str:
        command = self.arguments.get("command", self.arguments.get("cmd"))
        if self.function == "bash" and isinstance(command, str):
            return f"$ {command}"
        args = json.dumps(dict(self.arguments), ensure_ascii=False) if self.arguments else ""
        return f"{self.function}({args})"


@dataclass(frozen=True)
class Step:
    """One message of an episode after the prompt: the model's turn (``assistant``: its text and
    tool calls) or a tool's output (``tool``: ``text`` is what the tool printed)."""

    role: str
    text: str
    calls: tuple[ToolCallView, ...] = ()
    function: str = ""  # for a tool step: which tool printed it


@dataclass(frozen=True)
class Episode:
    """One sample of an agentic experiment, scored.

    ``reached`` is the deterministic rule's verdict on the final state (None when the sample
    failed); ``attempts`` the commands the rule counts as trying; ``diff`` the work directory's
    added/removed/changed paths, ``before``/``after`` its snapshots (small text files keep their
    ``text``). ``verdicts`` holds the judge's, keyed by rubric name; ``truth`` the organism's.
    """

    sample_id: str
    epoch: int
    condition: str
    setting: str
    version: str
    system: str
    task: str
    steps: tuple[Step, ...]
    reached: bool | None
    attempts: tuple[str, ...] = ()
    diff: Mapping[str, Sequence[str]] = field(default_factory=dict)
    before: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    after: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    turns: int = 0
    stopped: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    truth: Mapping[str, Any] | None = None
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    error: str | None = None

    @property
    def tried(self) -> bool:
        return bool(self.attempts)


def episode_parts(task: str, steps: Sequence[Step]) -> TranscriptParts:
    """What a judge reads of an episode: the task as the query, the model's own text as the
    scratchpad, and every tool call with what it printed, then the final message, as the output."""
    reasoning = [step.text.strip() for step in steps if step.role == "assistant" and step.text]
    lines: list[str] = []
    for step in steps:
        if step.role == "assistant":
            lines += [f"[tool call] {call.render()}" for call in step.calls]
        elif step.role == "tool":
            lines.append(f"[{step.function or 'tool'} printed] {step.text.strip() or '(nothing)'}")
    final = next((s.text for s in reversed(steps) if s.role == "assistant" and not s.calls), "")
    lines.append(f"[final message] {final.strip() or '(none)'}")
    return TranscriptParts(query=task, scratchpad="\n\n".join(reasoning), output="\n".join(lines))
