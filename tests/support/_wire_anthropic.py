"""The Anthropic Messages wire format, with prompt-cache accounting."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ._wire_batch import AnswerInto, BatchStore, anthropic_batches
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


# The shortest prompt prefix Anthropic caches, by model: 1024 tokens for most models, 2048 for
# Claude Haiku 3 and 3.5, 4096 for Claude Opus 4.5/4.6 and Haiku 4.5 (Anthropic's prompt-caching
# documentation, "minimum cacheable prompt length", as quoted in anthropic-sdk-python issue #1194
# and by LlamaIndex's Anthropic prompt-caching guide); the shipped price table
# (src/afscope/cost/data/prices.yaml, min_cached_tokens) uses the same figures. A shorter prefix is
# neither written nor read, even when marked.
_MIN_CACHEABLE = (
    (("claude-3-haiku", "claude-3-5-haiku"), 2048),
    (("claude-opus-4-5", "claude-opus-4-6", "claude-haiku-4-5"), 4096),
)
DEFAULT_MIN_CACHEABLE_TOKENS = 1024
CACHE_TTL_SECONDS = 300.0  # the default ("5m") cache; every read refreshes it
LOOKBACK_BLOCKS = 20  # a breakpoint also hits an entry ending up to 20 blocks before it


def min_cacheable_tokens(model: str | None) -> int:
    """The shortest cacheable prefix for ``model`` (see ``_MIN_CACHEABLE``)."""
    for names, tokens in _MIN_CACHEABLE:
        if model and any(name in model for name in names):
            return tokens
    return DEFAULT_MIN_CACHEABLE_TOKENS


@dataclass
class CacheUse:
    """One request's use of the cache: its usage, and `commit()` to make its writes readable.

    A write becomes readable only when the response that made it begins (the stream's first
    event, or the whole body): requests that arrive before that all miss and all write.
    """

    usage: Usage
    _commit: Callable[[], None]

    def commit(self) -> None:
        self._commit()


class PromptCache:
    """Prefix cache keyed by model + the exact blocks up to each breakpoint, as Anthropic's.

    - a prefix shorter than the model's minimum (`min_cacheable_tokens`) is never cached;
    - an entry is readable once the response that wrote it began (`CacheUse.commit`);
    - an entry expires `ttl` seconds after it was written or last read (each read refreshes it);
    - a breakpoint reads the longest live entry ending at it or up to 20 blocks before it.

    `clock` (seconds, monotonic) and `min_tokens` (a fixed minimum) are for tests.
    """

    def __init__(
        self,
        *,
        ttl: float = CACHE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        min_tokens: int | None = None,
    ) -> None:
        self._expiry: dict[str, float] = {}  # key -> when it stops being readable
        self._lock = threading.Lock()
        self._ttl, self._clock, self._min_tokens = ttl, clock, min_tokens

    def lookup(self, body: dict[str, Any]) -> CacheUse:
        """What `body` reads and writes; its writes are pending until `commit()`."""
        blocks = _blocks(body)
        sizes = [_block_tokens(block) for block in blocks]
        total = sum(sizes)
        ends = list(itertools.accumulate(sizes))  # tokens of the prefix ending at each block
        marked = {i for i, block in enumerate(blocks) if block.get("cache_control")}
        if body.get("cache_control") and blocks:
            marked.add(len(blocks) - 1)
        minimum = self._min_tokens
        if minimum is None:
            minimum = min_cacheable_tokens(body.get("model"))
        breakpoints = sorted(i for i in marked if ends[i] >= minimum)
        if not breakpoints:
            return CacheUse(Usage(total, 0, 0), lambda: None)
        keys = _prefix_keys(body.get("model"), blocks, breakpoints[-1])
        candidates = {
            j
            for i in breakpoints
            for j in range(max(0, i - LOOKBACK_BLOCKS), i + 1)
            if ends[j] >= minimum
        }
        with self._lock:
            now = self._clock()
            live = [j for j in candidates if self._expiry.get(keys[j], -math.inf) > now]
            hit = max(live, default=None)
            if hit is not None:
                self._expiry[keys[hit]] = now + self._ttl
        read = ends[hit] if hit is not None else 0
        created = max(0, ends[breakpoints[-1]] - read)
        writes = [keys[i] for i in breakpoints if hit is None or i > hit]

        def commit() -> None:
            with self._lock:
                until = self._clock() + self._ttl
                for key in writes:
                    self._expiry[key] = max(until, self._expiry.get(key, -math.inf))

        return CacheUse(Usage(total - read - created, created, read), commit)


def _prefix_keys(model: Any, blocks: list[dict[str, Any]], last: int) -> list[str]:
    """The cache key of each prefix `blocks[: j + 1]` for j <= `last` (one running hash)."""
    running = hashlib.sha256(json.dumps(model).encode())
    keys = []
    for block in blocks[: last + 1]:
        plain = {k: v for k, v in block.items() if k != "cache_control"}
        running.update(json.dumps(plain, sort_keys=True).encode() + b"\x00")
        keys.append(running.copy().hexdigest())
    return keys


class AnthropicWire(Wire):
    routes: ClassVar[Mapping[str, ApiKind]] = {
        "/v1/messages": "anthropic-messages",
        "/v1/messages/count_tokens": "anthropic-count-tokens",
    }

    errors: ClassVar[Mapping[FaultKind, tuple[int, str]]] = _ERRORS
    prefix_routes: ClassVar[tuple[tuple[str, ApiKind], ...]] = (
        ("/v1/messages/batches", "anthropic-batches"),
    )
    batch_apis: ClassVar[frozenset[ApiKind]] = frozenset({"anthropic-batches"})

    def __init__(self) -> None:
        self.cache = PromptCache()
        self.batches = BatchStore()

    def handle_batch(self, request: RecordedRequest, out: Writer, answer: AnswerInto) -> None:
        anthropic_batches(self.batches, request, out, answer)

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
        use = self.cache.lookup(request.body)
        if request.api == "anthropic-count-tokens":  # counts, never writes
            return out.send_json(200, {"input_tokens": use.usage.total})
        out.hold(self.latency)  # time to the first byte: the cache write is not readable yet
        _MessageWriter(request, answer, out, use).write()


class _MessageWriter:
    def __init__(
        self, request: RecordedRequest, answer: Answer, out: Writer, use: CacheUse
    ) -> None:
        self.id = new_id("msg_")
        self.request, self.out, self.cache_use = request, out, use
        self.usage = use.usage
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
        self.cache_use.commit()  # the response has begun: its cache writes are readable
        if self.truncated:
            return self.out.send_truncated_json(body, headers)
        self.out.send_json(200, body, headers)

    def write_stream(self) -> None:
        out = self.out

        def event(kind: str, **fields: Any) -> None:
            out.sse({"type": kind} | fields, event=kind)

        out.start_stream({"request-id": new_id("req_")})
        event("message_start", message=self.message([], done=False))
        self.cache_use.commit()  # the stream has begun: its cache writes are readable
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
