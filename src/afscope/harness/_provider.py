"""The simulated model organism as an Inspect model provider: ``organism/<preset>``.

It answers from the text it is sent, never from sample metadata, reports its own token usage (so no
tokenizer download is needed) and records its ground truth in the output metadata under
``organism_truth``. Every output it produces is marked ``simulated``.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from afscope.agentic import acting_presets
from afscope.errors import UnknownNameError
from afscope.organism import Organism, list_presets
from afscope.scheming._presets import PRESET_NAMES as SCHEMING_PRESETS

__all__ = ["OrganismAPI"]

# How many identical first prompts we look back through to find which draw a continuation
# belongs to; far more than any run's epochs.
_MAX_DRAWS = 10_000


class OrganismAPI(ModelAPI):
    """Inspect ModelAPI around :class:`afscope.organism.Organism`; model name = preset name."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig | None = None,
        **model_args: Any,
    ) -> None:
        config = config or GenerateConfig()
        super().__init__(model_name, base_url, api_key, [], config)
        seed = model_args.pop("seed", config.seed if config.seed is not None else 0)
        self._organism: Organism | None = None
        try:
            self._organism = Organism(model_name, seed=int(seed), **model_args)
        except UnknownNameError:
            # a preset only the agentic environments know (e.g. always-exfiltrates)
            if model_name not in acting_presets() and model_name not in SCHEMING_PRESETS:
                raise
        self._draws: dict[str, int] = {}
        self._acting_draws: dict[str, int] = {}
        self._scheming_draws: dict[str, int] = {}
        self.seed = int(seed)
        self._lock = threading.Lock()

    def max_connections(self) -> int:
        return 64

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        system = "\n\n".join(m.text for m in input if m.role == "system")
        if tools:
            from afscope.harness._acting import act, act_scheming, recognises

            if recognises(system, input):
                # the in-context scheming environments (afscope.scheming)
                return act_scheming(self, system, input, self._scheming_draws, self._lock)
            # agentic tasks: answer with tool calls (afscope.agentic), from what it was sent
            return act(self, system, input, self._acting_draws, self._lock)
        messages: list[tuple[str, str]] = [
            (m.role, m.text) for m in input if m.role in ("user", "assistant")
        ]
        if self._organism is None:
            raise UnknownNameError("organism preset", self.model_name, list_presets())
        draw = self._draw_for(system, messages)
        reply = self._organism.respond(system, messages, draw=draw)
        output = ModelOutput.from_content(model=f"organism/{self.model_name}", content=reply.text)
        output.usage = ModelUsage(
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            total_tokens=reply.input_tokens + reply.output_tokens,
        )
        output.metadata = {"simulated": True, "organism_truth": reply.truth.to_dict()}
        return output

    def _draw_for(self, system: str, messages: list[tuple[str, str]]) -> int:
        """Give each repeat of one prompt (epochs) its own draw; continuations keep theirs."""
        first_user = next((text for role, text in messages if role == "user"), "")
        key = hashlib.sha256(f"{system}\x00{first_user}".encode()).hexdigest()
        replies = [text for role, text in messages if role == "assistant"]
        if not replies:
            with self._lock:
                draw = self._draws.get(key, 0)
                self._draws[key] = draw + 1
            return draw
        # a continuation: find the draw whose first answer is the one in the conversation
        first_messages = messages[: messages.index(("assistant", replies[0]))]
        with self._lock:
            seen = min(self._draws.get(key, 1), _MAX_DRAWS)
        organism = self._organism
        assert organism is not None
        for draw in range(seen):
            if organism.respond(system, first_messages, draw=draw).text == replies[0]:
                return draw
        return 0
