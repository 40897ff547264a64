"""The OpenAI wire format: chat completions, the Responses API and input-token counting."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

from ._wire_batch import AnswerInto, BatchStore, openai_batches
from ._wire_core import (
    Answer,
    ApiKind,
    Fault,
    FaultKind,
    RecordedRequest,
    Reply,
    content_text,
    estimate_tokens,
)
from ._wire_http import Wire, WireServer, Writer, new_id

# fault -> (HTTP status, error type, error code) as api.openai.com sends them
_ERRORS = {
    FaultKind.RATE_LIMIT: (429, "requests", "rate_limit_exceeded"),
    FaultKind.SERVER_ERROR: (500, "server_error", None),
    FaultKind.OVERLOADED: (503, "server_error", "overloaded"),
    FaultKind.BAD_REQUEST: (400, "invalid_request_error", None),
    FaultKind.UNAUTHORIZED: (401, "invalid_request_error", "invalid_api_key"),
    FaultKind.FORBIDDEN: (403, "invalid_request_error", "model_not_allowed"),
    FaultKind.NOT_FOUND: (404, "invalid_request_error", "model_not_found"),
}


def prompt_tokens(request: RecordedRequest) -> int:
    """Estimated prompt size: the text of instructions and every message."""
    body = request.body
    items = body.get("messages", body.get("input", []))
    if isinstance(items, str):
        items = [{"content": items}]
    texts = [body.get("instructions") or ""]
    texts += [content_text(item.get("content")) for item in items if isinstance(item, dict)]
    return estimate_tokens("".join(texts))


class OpenAIWire(Wire):
    routes: ClassVar[Mapping[str, ApiKind]] = {
        "/v1/chat/completions": "openai-chat",
        "/chat/completions": "openai-chat",
        "/v1/responses": "openai-responses",
        "/responses": "openai-responses",
        "/v1/responses/input_tokens": "openai-input-tokens",
        "/responses/input_tokens": "openai-input-tokens",
    }

    errors: ClassVar[Mapping[FaultKind, tuple[int, str]]] = {
        kind: (status, error_type) for kind, (status, error_type, _code) in _ERRORS.items()
    }
    prefix_routes: ClassVar[tuple[tuple[str, ApiKind], ...]] = (
        ("/v1/files", "openai-files"),
        ("/v1/batches", "openai-batches"),
    )
    batch_apis: ClassVar[frozenset[ApiKind]] = frozenset({"openai-files", "openai-batches"})

    def __init__(self) -> None:
        self.batches = BatchStore()

    def handle_batch(self, request: RecordedRequest, out: Writer, answer: AnswerInto) -> None:
        openai_batches(self.batches, request, out, answer)

    def error_body(self, kind: str, message: str) -> dict[str, Any]:
        code = next((code for _s, t, code in _ERRORS.values() if t == kind), kind)
        return {"error": {"message": message, "type": kind, "param": None, "code": code}}

    def error_headers(self, fault: Fault) -> dict[str, str]:
        return super().error_headers(fault) | {"x-request-id": new_id("req_")}

    def write_answer(self, request: RecordedRequest, answer: Answer, out: Writer) -> None:
        if request.api == "openai-input-tokens":
            count = {"object": "response.input_tokens", "input_tokens": prompt_tokens(request)}
            return out.send_json(200, count)
        out.hold(self.latency)
        if request.api == "openai-responses":
            return _ResponsesWriter(request, answer, out).write()
        return _ChatWriter(request, answer, out).write()


class _Writer:
    """State shared by the chat and responses writers for one answer."""

    id_prefix: ClassVar[str]

    def __init__(self, request: RecordedRequest, answer: Answer, out: Writer) -> None:
        self.id = new_id(self.id_prefix)
        self.request = request
        self.out = out
        self.model = request.model or "unknown-model"
        self.created = int(time.time())
        if isinstance(answer, Reply):
            self.reply, self.fault = answer, None
        else:
            self.reply, self.fault = Reply(answer.text), answer
        self.empty = self.fault is not None and self.fault.kind is FaultKind.EMPTY
        self.truncated = self.fault is not None and self.fault.kind is FaultKind.TRUNCATED
        self.input_tokens = prompt_tokens(request)
        self.output_tokens = 0 if self.empty else self.reply.completion_tokens()


class _ChatWriter(_Writer):
    id_prefix = "chatcmpl-"

    def usage(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.input_tokens,
            "completion_tokens": self.output_tokens,
            "total_tokens": self.input_tokens + self.output_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def finish_reason(self) -> str:
        if self.reply.tool_calls:
            return "tool_calls"
        return "length" if self.reply.finish == "length" else "stop"

    def tool_calls(self) -> list[dict[str, Any]]:
        return [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments_json()},
            }
            for call in self.reply.tool_calls
        ]

    def envelope(self, kind: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": kind,
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_wire",
            "service_tier": "default",
        }

    def write(self) -> None:
        if self.request.stream:
            return self.write_stream()
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.reply.text,
            "refusal": None,
            "annotations": [],
        }
        if self.reply.tool_calls:
            message["tool_calls"] = self.tool_calls()
        choices: list[dict[str, Any]] = (
            []
            if self.empty
            else [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": self.finish_reason(),
                }
            ]
        )
        body = self.envelope("chat.completion") | {"choices": choices, "usage": self.usage()}
        if self.truncated:
            return self.out.send_truncated_json(body)
        self.out.send_json(200, body, {"x-request-id": new_id("req_")})

    def write_stream(self) -> None:
        options = self.request.body.get("stream_options") or {}
        include_usage = bool(options.get("include_usage"))
        extra = {"usage": None} if include_usage else {}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return self.envelope("chat.completion.chunk") | {"choices": [choice]} | extra

        out = self.out
        out.start_stream({"x-request-id": new_id("req_")})
        if not self.empty:
            out.sse(chunk({"role": "assistant", "content": "", "refusal": None}))
            for piece in self.reply.chunks():
                out.sse(chunk({"content": piece}))
            for index, call in enumerate(self.tool_calls()):
                out.sse(chunk({"tool_calls": [{"index": index, **call}]}))
            if self.truncated:
                return out.hang_up()
            out.sse(chunk({}, self.finish_reason()))
        if include_usage:
            out.sse(self.envelope("chat.completion.chunk") | {"choices": [], "usage": self.usage()})
        out.sse("[DONE]")
        out.end_stream()


class _ResponsesWriter(_Writer):
    id_prefix = "resp_"

    def __init__(self, request: RecordedRequest, answer: Answer, out: Writer) -> None:
        super().__init__(request, answer, out)
        self.item_id = new_id("msg_")

    def usage(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": self.input_tokens + self.output_tokens,
        }

    def message(self, text: str, status: str) -> dict[str, Any]:
        part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        return {
            "type": "message",
            "id": self.item_id,
            "status": status,
            "role": "assistant",
            "content": [part] if status == "completed" else [],
        }

    def response(self, status: str, output: list[dict[str, Any]]) -> dict[str, Any]:
        body = self.request.body
        incomplete = {"reason": "max_output_tokens"} if status == "incomplete" else None
        done = status in ("completed", "incomplete")
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created,
            "status": status,
            "completed_at": int(time.time()) if done else None,
            "error": None,
            "incomplete_details": incomplete,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "model": self.model,
            "output": output,
            "parallel_tool_calls": True,
            "temperature": body.get("temperature", 1.0),
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": [],
            "top_p": body.get("top_p", 1.0),
            "store": body.get("store", True),
            "text": {"format": {"type": "text"}},
            "truncation": "disabled",
            "reasoning": {"effort": None, "summary": None},
            "metadata": {},
            "usage": self.usage() if done else None,
        }

    def final_status(self) -> str:
        return "incomplete" if self.reply.finish == "length" else "completed"

    def final_output(self) -> list[dict[str, Any]]:
        if self.empty:
            return []
        message = self.message(self.reply.text, "completed")
        message["status"] = self.final_status()
        return [message]

    def write(self) -> None:
        if self.request.stream:
            return self.write_stream()
        body = self.response(self.final_status(), self.final_output())
        if self.truncated:
            return self.out.send_truncated_json(body)
        self.out.send_json(200, body, {"x-request-id": new_id("req_")})

    def write_stream(self) -> None:
        sequence = iter(range(10**6))

        def event(kind: str, **fields: Any) -> None:
            self.out.sse({"type": kind, "sequence_number": next(sequence)} | fields, event=kind)

        self.out.start_stream({"x-request-id": new_id("req_")})
        event("response.created", response=self.response("in_progress", []))
        event("response.in_progress", response=self.response("in_progress", []))
        if not self.empty:
            self.stream_message(event)
            if self.truncated:
                return self.out.hang_up()
        final = self.response(self.final_status(), self.final_output())
        event(f"response.{self.final_status()}", response=final)
        self.out.end_stream()

    def stream_message(self, event: Any) -> None:
        where = {"item_id": self.item_id, "output_index": 0, "content_index": 0}
        empty_part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
        event("response.output_item.added", output_index=0, item=self.message("", "in_progress"))
        event("response.content_part.added", **where, part=empty_part)
        for piece in self.reply.chunks():
            event("response.output_text.delta", **where, delta=piece, logprobs=[])
        if self.truncated:
            return
        text = self.reply.text
        event("response.output_text.done", **where, text=text, logprobs=[])
        event("response.content_part.done", **where, part=empty_part | {"text": text})
        event("response.output_item.done", output_index=0, item=self.final_output()[0])


class OpenAIServer(WireServer):
    """OpenAI-compatible server; `base_url` ends in `/v1` as the openai SDK expects."""

    wire_class = OpenAIWire
    url_suffix = "/v1"

    def __enter__(self) -> OpenAIServer:
        self.start()
        return self
