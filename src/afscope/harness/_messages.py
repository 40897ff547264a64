"""What afscope reads of a sample's conversation: its parse, the parts a classifier sees, and an
agentic episode's steps.

Kept apart from the task so that the task, the judge and monitor scorers and the log reader all
import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ChatMessageTool, ModelUsage
from inspect_ai.solver import TaskState

from afscope.classifiers import TranscriptParts
from afscope.transcripts import ParsedTranscript, parse_turns

if TYPE_CHECKING:
    from afscope.agentic import Step

__all__ = [
    "USAGE_KEY",
    "add_usage",
    "episode_steps",
    "parse_messages",
    "sample_usage",
    "transcript_parts",
    "unclosed_reasoning",
]

# where the solver sums the model's token usage over a sample's turns (the judge's is not in it)
USAGE_KEY = "afscope_model_usage"


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


def unclosed_reasoning(state: TaskState) -> bool:
    """Whether a reasoning block of the model's turns opens and never closes, as their parse
    says: the scratchpad then cannot be told from the answer (the parse keeps closed blocks)."""
    return parse_messages(state.messages, suffix=False).unclosed


def add_usage(state: TaskState) -> None:
    """Add the usage of the model's latest answer to the sample's running total."""
    usage = state.output.usage
    if usage is None:
        return
    total = sample_usage(state)
    state.store.set(USAGE_KEY, (usage if total is None else total + usage).model_dump())


def sample_usage(state: TaskState) -> ModelUsage | None:
    """The model's token usage summed over the sample's turns, if its solver recorded it."""
    recorded = state.store.get(USAGE_KEY)
    return ModelUsage.model_validate(recorded) if recorded else None


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
