"""The organism provider's tool-using paths: replies of :class:`afscope.agentic.ActingOrganism`
(agentic environments) and of :class:`afscope.scheming.SchemingOrganism` (the scheming ones).

A scheming episode's draw (which epoch's decisions it follows) is fixed at its first reply and
carried in the ids of the organism's own tool calls, which every continuation sends back to it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolCall

from afscope.agentic import ActingOrganism, Turn, behaviour_for
from afscope.scheming._organism import SchemingOrganism, recognised

__all__ = ["act", "act_scheming", "next_draw", "organism_output", "recognises"]


def act(
    api: Any, system: str, input: list[ChatMessage], draws: dict[str, int], lock: threading.Lock
) -> ModelOutput:
    turns = [Turn(m.role, m.text) for m in input if m.role in ("user", "assistant", "tool")]
    first_user = next((t.text for t in turns if t.role == "user"), "")
    model = f"organism/{api.model_name}"
    behaviour = behaviour_for(system, first_user)
    if behaviour is None:
        message = "I have tools here but no behaviour for this environment; I will stop."
        return ModelOutput.from_content(model=model, content=message)
    organism = ActingOrganism(api.model_name, behaviour, seed=api.seed)
    key = hashlib.sha256(f"{system}\x00{first_user}".encode()).hexdigest()
    first_reply = next((m for m in input if isinstance(m, ChatMessageAssistant)), None)
    if first_reply is None:
        draw = next_draw(draws, key, lock)
    else:
        # a continuation: the draw whose first turn is the one in the conversation
        with lock:
            seen = draws.get(key, 1)
        draw = next(
            (
                d
                for d in range(seen)
                if organism.act(system, turns[:1], draw=d).text == first_reply.text
            ),
            0,
        )
    action = organism.act(system, turns, draw=draw)
    step = sum(1 for t in turns if t.role == "assistant")
    calls = [
        ToolCall(id=f"call_{step}_{i}", function=name, arguments=args)
        for i, (name, args) in enumerate(action.tool_calls)
    ]
    words = sum(len(t.text.split()) for t in turns) + len(system.split())
    out_words = len(action.text.split()) + 10 * len(calls)
    return organism_output(model, action.text, calls, action.truth, words, out_words)


def next_draw(draws: dict[str, int], key: str, lock: threading.Lock) -> int:
    """The draw of a new episode whose first prompt hashes to ``key``: each repeat (epoch) of
    one prompt gets the next."""
    with lock:
        draw = draws.get(key, 0)
        draws[key] = draw + 1
    return draw


def organism_output(
    model: str,
    text: str,
    calls: list[ToolCall],
    truth: dict[str, Any],
    input_words: int,
    output_words: int,
) -> ModelOutput:
    """An acting organism's reply as Inspect's output: the message with its tool calls, marked
    simulated with the ground truth, and word counts as its token usage."""
    metadata = {"simulated": True, "organism_truth": truth}
    output = ModelOutput.from_content(model=model, content=text)
    output.choices[0].message = ChatMessageAssistant(
        content=text, tool_calls=calls or None, model=model, source="generate", metadata=metadata
    )
    if calls:
        output.choices[0].stop_reason = "tool_calls"
    output.usage = ModelUsage(
        input_tokens=input_words,
        output_tokens=output_words,
        total_tokens=input_words + output_words,
    )
    output.metadata = metadata
    return output


_DRAW_ID = re.compile(r"^scheming-d(\d+)-")


def recognises(system: str, input: list[ChatMessage]) -> bool:
    first_user = next((m.text for m in input if m.role == "user"), "")
    return recognised(system, first_user)


def _draw(key: str, input: list[ChatMessage], draws: dict[str, int], lock: threading.Lock) -> int:
    for message in input:
        if isinstance(message, ChatMessageAssistant):
            for call in message.tool_calls or []:
                if match := _DRAW_ID.match(call.id):
                    return int(match.group(1))
            return 0
    return next_draw(draws, key, lock)


def act_scheming(
    api: Any, system: str, input: list[ChatMessage], draws: dict[str, int], lock: threading.Lock
) -> ModelOutput:
    """One reply of the scheming organism ``organism/<preset>`` to the conversation so far."""
    users = [m for m in input if m.role == "user"]
    first_user = users[0].text if users else ""
    key = hashlib.sha256(f"scheming\x00{system}\x00{first_user}".encode()).hexdigest()
    draw = _draw(key, input, draws, lock)
    outputs = [m.text for m in input if m.role == "tool"]
    step = sum(1 for m in input if isinstance(m, ChatMessageAssistant))
    organism = SchemingOrganism(api.model_name, seed=api.seed)
    reply = organism.reply(system, first_user, outputs, step=step, turn=len(users) - 1, draw=draw)
    calls: list[ToolCall] = []
    if reply.command is not None:
        call_id = f"scheming-d{draw}-s{step}"
        calls = [ToolCall(id=call_id, function="bash", arguments={"command": reply.command})]
    words = sum(len(m.text.split()) for m in input)
    out_words = len(reply.text.split()) + len((reply.command or "").split())
    model = f"organism/{api.model_name}"
    return organism_output(model, reply.text, calls, reply.truth, words, out_words)
