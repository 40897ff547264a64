"""What afscope reads of a sample's conversation: its parse, the parts a classifier sees, and an
agentic episode's steps.

Kept apart from the task so that the task, the judge and monitor scorers and the log reader all
import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from inspect_ai.event import ModelEvent
from inspect_ai.log import transcript
from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageTool, ModelUsage
from inspect_ai.solver import TaskState

from afscope.classifiers import TranscriptParts
from afscope.transcripts import ParsedTranscript, parse_turns

if TYPE_CHECKING:
    from afscope.agentic import Step

__all__ = [
    "episode_steps",
    "parse_messages",
    "sample_usage",
    "transcript_parts",
]


def parse_messages(messages: Sequence[ChatMessage], *, suffix: bool) -> ParsedTranscript:
    """Parse a sample's conversation: its assistant turns, in order.

    A conversation whose last turn still awaits <NEXT/> ended because the turn limit was reached.
    """
    return parse_turns([m.text for m in messages if m.role == "assistant"], suffix=suffix)


def transcript_parts(state: TaskState, parsed: ParsedTranscript) -> TranscriptParts:
    """What a classifier reads of a sample: the query, and the reasoning and the final output of
    ``parsed``, its conversation's parse (they do not depend on the suffix; only the outcome
    does)."""
    return TranscriptParts(
        query=str(state.metadata.get("query", "")),
        scratchpad=parsed.scratchpad,
        output=parsed.output,
    )


def sample_usage() -> ModelUsage | None:
    """The tested model's token usage summed over the current sample's model calls so far, from
    the sample's transcript (None before any call).

    The tested model is the one without a role: the judge's calls (the ``grader`` role) are left
    out. Read from the transcript rather than kept in the sample's store, which cost Inspect a
    store event and a store diff at every span per turn.
    """
    total: ModelUsage | None = None
    for event in transcript().events:
        if isinstance(event, ModelEvent) and event.role is None:
            usage = event.output.usage
            if usage is not None:
                total = usage if total is None else total + usage
    return total


def episode_steps(messages: Sequence[ChatMessage]) -> tuple[Step, ...]:
    """The messages after the prompt as :class:`afscope.agentic.Step` values."""
    from afscope.agentic import Step, ToolCallView  # imported here: the log reader needs neither

    steps = []
    for message in messages:
        if isinstance(message, ChatMessageAssistant):
            calls = tuple(
                ToolCallView(call.function, dict(call.arguments or {}))
                for call in message.tool_calls or []
            )
            steps.append(Step("assistant", message.text, calls))
        elif isinstance(message, ChatMessageTool):
            text = message.text
            if message.error is not None:
                text = f"{text}\n[error] {message.error.message}".strip()
            steps.append(Step("tool", text, function=message.function or ""))
    return tuple(steps)
