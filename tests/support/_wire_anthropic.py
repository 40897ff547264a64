"""The Anthropic Messages wire format, with prompt-cache accounting."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ._wire_core import (
    Answer,
    ApiKind,
    Fault,
    FaultKind,
    RecordedRequest,
    Reply,
    estimate_tokens,
)
from ._wire_http import Wire, WireServer, Writer, new_id

_ERRORS = {
    FaultKind.RATE_LIMIT: (429, "rate_limit_error"),
    FaultKind.SERVER_ERROR: (500, "api_error"),
    FaultKind.OVERLOADED: (529, "overloaded_error"),
    FaultKind.BAD_REQUEST: (400, "invalid_request_error"),
    FaultKind.UNAUTHORIZED: (401, "authentication_error"),
    FaultKind.FORBIDDEN: (403, "permission_error"),
    FaultKind.NOT_FOUND: (404, "not_found_error"),
}
# statuses the SDK must not retry (x-should-retry: false)
_REFUSALS = (
    FaultKind.BAD_REQUEST,
    FaultKind.UNAUTHORIZED,
    FaultKind.FORBIDDEN,
    FaultKind.NOT_FOUND,
)


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    def as_dict(self, output_tokens: int) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "output_tokens": output_tokens,
            "service_tier": "standard",
        }


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The cacheable blocks of a request in cache order: tools, system, messages."""
    blocks = [tool for tool in body.get("tools") or [] if isinstance(tool, dict)]
    system = body.get("system")
    if isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    elif isinstance(system, list):
        blocks += [block for block in system if isinstance(block, dict)]
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            blocks.append({"type": "text", "text": content})
        elif isinstance(content, list):
            blocks += [block for block in content if isinstance(block, dict)]
    return blocks


def _block_tokens(block: dict[str, Any]) -> int:
    if isinstance(block.get("text"), str):
        return estimate_tokens(block["text"])
    without_marker = {k: v for k, v in block.items() if k != "cache_control"}
    return estimate_tokens(json.dumps(without_marker, sort_keys=True))


class PromptCache:
    """Prefix cache keyed by model + the exact blocks up to each breakpoint."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._lock = threading.Lock()

    def account(self, body: dict[str, Any], *, write: bool = True) -> Usage:
        blocks = _blocks(body)
        sizes = [_block_tokens(block) for block in blocks]
        breakpoints = [i for i, block in enumerate(blocks) if block.get("cache_control")]
        if body.get("cache_control") and blocks:
            breakpoints.append(len(blocks) - 1)
        total = sum(sizes)
        if not breakpoints:
            return Usage(total, 0, 0)
        keys = {i: self._key(body.get("model"), blocks[: i + 1]) for i in breakpoints}
        with self._lock:
            hits = [i for i in breakpoints if keys[i] in self._keys]
            if write:
                self._keys.update(keys.values())
        read = sum(sizes[: max(hits) + 1]) if hits else 0
        created = sum(sizes[: max(breakpoints) + 1]) - read
        return Usage(total - read - created, created, read)

    @staticmethod
    def _key(model: Any, blocks: list[dict[str, Any]]) -> str:
        plain = [{k: v for k, v in b.items() if k != "cache_control"} for b in blocks]
        text = json.dumps([model, plain], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


class AnthropicWire(Wire):
    routes: ClassVar[Mapping[str, ApiKind]] = {
        "/v1/messages": "anthropic-messages",
        "/v1/messages/count_tokens": "anthropic-count-tokens",
    }

    errors: ClassVar[Mapping[FaultKind, tuple[int, str]]] = _ERRORS

    def __init__(self) -> None:
        self.cache = PromptCache()

    def error_body(self, kind: str, message: str) -> dict[str, Any]:
        return {
            "type": "error",
            "error": {"type": kind, "message": message},
            "request_id": new_id("req_"),
        }

    def error_headers(self, fault: Fault) -> dict[str, str]:
        retry = "false" if fault.kind in _REFUSALS else "true"
        extra = {"request-id": new_id("req_"), "x-should-retry": retry}
        return super().error_headers(fault) | extra

    def write_answer(self, request: RecordedRequest, answer: Answer, out: Writer) -> None:
        if request.api == "anthropic-count-tokens":
            usage = self.cache.account(request.body, write=False)
            return out.send_json(200, {"input_tokens": usage.total})
        _MessageWriter(request, answer, out, self.cache.account(request.body)).write()


class _MessageWriter:
    def __init__(self, request: RecordedRequest, answer: Answer, out: Writer, usage: Usage) -> None:
        self.id = new_id("msg_")
        self.request, self.out, self.usage = request, out, usage
        fault = answer if isinstance(answer, Fault) else None
        self.reply = answer if isinstance(answer, Reply) else Reply(answer.text)
        self.empty = fault is not None and fault.kind is FaultKind.EMPTY
        self.truncated = fault is not None and fault.kind is FaultKind.TRUNCATED
        self.output_tokens = 0 if self.empty else self.reply.completion_tokens()
        self.stop_reason = "max_tokens" if self.reply.finish == "length" else "end_turn"
        if self.reply.tool_calls:
            self.stop_reason = "tool_use"

    def tool_blocks(self) -> list[dict[str, Any]]:
        return [
            {"type": "tool_use", "id": call.id, "name": call.name, "input": dict(call.arguments)}
            for call in self.reply.tool_calls
        ]

    def message(self, content: list[dict[str, Any]], done: bool) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.request.model or "unknown-model",
            "content": content,
            "stop_reason": self.stop_reason if done else None,
            "stop_sequence": None,
            "usage": self.usage.as_dict(self.output_tokens if done else 1),
        }

    def write(self) -> None:
        if self.request.stream:
            return self.write_stream()
        content = [] if self.empty else [{"type": "text", "text": self.reply.text}]
        content += [] if self.empty else self.tool_blocks()
        body = self.message(content, done=True)
        headers = {"request-id": new_id("req_")}
        if self.truncated:
            return self.out.send_truncated_json(body, headers)
        self.out.send_json(200, body, headers)

    def write_stream(self) -> None:
        out = self.out

        def event(kind: str, **fields: Any) -> None:
            out.sse({"type": kind} | fields, event=kind)

        out.start_stream({"request-id": new_id("req_")})
        event("message_start", message=self.message([], done=False))
        if not self.empty:
            event("content_block_start", index=0, content_block={"type": "text", "text": ""})
            event("ping")
            for piece in self.reply.chunks():
                event("content_block_delta", index=0, delta={"type": "text_delta", "text": piece})
            if self.truncated:
                return out.hang_up()
            event("content_block_stop", index=0)
            for index, block in enumerate(self.tool_blocks(), start=1):
                event("content_block_start", index=index, content_block={**block, "input": {}})
                arguments = json.dumps(block["input"])
                event(
                    "content_block_delta",
                    index=index,
                    delta={"type": "input_json_delta", "partial_json": arguments},
                )
                event("content_block_stop", index=index)
        event(
            "message_delta",
            delta={"stop_reason": self.stop_reason, "stop_sequence": None},
            usage={"output_tokens": self.output_tokens},
        )
        event("message_stop")
        out.end_stream()


class AnthropicServer(WireServer):
    """Anthropic-compatible server; `base_url` has no `/v1` (the anthropic SDK adds it)."""

    wire_class = AnthropicWire

    def __enter__(self) -> AnthropicServer:
        self.start()
        return self
