"""The organism provider's scheming path: replies of :class:`afscope.scheming.SchemingOrganism`.

The episode's draw (which epoch's decisions it follows) is fixed at its first reply and carried in
the ids of the organism's own tool calls, which every continuation sends back to it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageAssistant, ModelOutput
from inspect_ai.tool import ToolCall

from afscope.harness._acting import next_draw, organism_output
from afscope.scheming._organism import SchemingOrganism, recognised

__all__ = ["act_scheming", "recognises"]

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
