"""What the wire servers exchange: recorded requests, replies, faults, responders.

Provider formats live in `_wire_openai.py` and `_wire_anthropic.py`; tests import the public
names from `wire_servers.py`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "api-key", "proxy-authorization", "x-goog-api-key"}
)
REDACTED = "<redacted>"


def estimate_tokens(text: str) -> int:
    """The servers' token count: ceil(len(text) / 4), so any non-empty text is >= 1 token."""
    return (len(text) + 3) // 4


class Headers(Mapping[str, str]):
    """Case-insensitive request headers whose repr/str never show an API key."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items = {name.lower(): value for name, value in items}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def redacted(self) -> dict[str, str]:
        return {k: REDACTED if k in SECRET_HEADERS else v for k, v in self._items.items()}

    def __repr__(self) -> str:
        return f"Headers({self.redacted()!r})"

    __str__ = __repr__


ApiKind = Literal[
    "openai-chat",
    "openai-responses",
    "openai-input-tokens",
    "anthropic-messages",
    "anthropic-count-tokens",
    "openai-files",  # batch input upload, result download
    "openai-batches",
    "anthropic-batches",
    "unknown",
]


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as it reached the server. `repr`/`str` redact API-key headers."""

    api: ApiKind
    method: str
    path: str
    query: str
    headers: Headers
    body: Any  # parsed JSON (None when the body was empty or not JSON)
    raw_body: bytes = field(repr=False)

    @property
    def stream(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True

    @property
    def model(self) -> str | None:
        model = self.body.get("model") if isinstance(self.body, dict) else None
        return model if isinstance(model, str) else None

    @property
    def system_text(self) -> str:
        """System (and OpenAI developer) text, parts joined with blank lines."""
        return "\n\n".join(text for role, text in _turns(self) if role in _SYSTEM_ROLES)

    @property
    def messages(self) -> list[tuple[str, str]]:
        """Conversation turns other than system/developer, as (role, text) pairs."""
        return [(role, text) for role, text in _turns(self) if role not in _SYSTEM_ROLES]

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools the request offers (OpenAI `function.name`, Anthropic `name`)."""
        tools = self.body.get("tools") if isinstance(self.body, dict) else None
        names = []
        for tool in tools if isinstance(tools, list) else []:
            function = tool.get("function") if isinstance(tool.get("function"), dict) else tool
            names.append(str(function.get("name")))
        return names

    @property
    def last_user_text(self) -> str | None:
        users = [text for role, text in self.messages if role == "user"]
        return users[-1] if users else None

    def __repr__(self) -> str:
        return (
            f"RecordedRequest(api={self.api!r}, method={self.method!r}, path={self.path!r}, "
            f"query={self.query!r}, headers={self.headers!r}, body={self.body!r})"
        )

    __str__ = __repr__


_SYSTEM_ROLES = frozenset({"system", "developer"})


def content_text(content: Any) -> str:
    """Text of a message `content`: a string, or the `text` of its parts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _turns(request: RecordedRequest) -> list[tuple[str, str]]:
    body = request.body if isinstance(request.body, dict) else {}
    turns: list[tuple[str, str]] = []
    if request.api.startswith("anthropic") and body.get("system") is not None:
        turns.append(("system", content_text(body["system"])))
    if request.api in ("openai-responses", "openai-input-tokens"):
        if isinstance(body.get("instructions"), str):
            turns.append(("system", body["instructions"]))
        items = body.get("input")
        if isinstance(items, str):
            items = [{"role": "user", "content": items}]
    else:
        items = body.get("messages")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("role"), str):
            turns.append((item["role"], content_text(item.get("content"))))
    return turns


@dataclass(frozen=True)
class ToolUse:
    """A tool call in a reply: the tool's name, its arguments and the call's id."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)
    id: str = "call_1"

    def arguments_json(self) -> str:
        return json.dumps(dict(self.arguments))


@dataclass(frozen=True)
class Reply:
    """A successful answer. `finish` maps to each format's stop reason; with `tool_calls` the
    answer asks for those calls (stop reason `tool_calls` / `tool_use`).

    Usage is estimated from the request, `text` and the calls' arguments (see
    `estimate_tokens`) unless `output_tokens` is given.
    """

    text: str
    finish: Literal["stop", "length"] = "stop"
    output_tokens: int | None = None
    chunk_chars: int = 8  # characters per streamed delta
    tool_calls: tuple[ToolUse, ...] = ()

    def completion_tokens(self) -> int:
        if self.output_tokens is not None:
            return self.output_tokens
        calls = "".join(call.name + call.arguments_json() for call in self.tool_calls)
        return estimate_tokens(self.text + calls)

    def chunks(self) -> list[str]:
        size = max(1, self.chunk_chars)
        return [self.text[i : i + size] for i in range(0, len(self.text), size)] or [""]


class FaultKind(Enum):
    RATE_LIMIT = "rate_limit"  # 429 + retry-after header
    SERVER_ERROR = "server_error"  # 500
    OVERLOADED = "overloaded"  # 529 overloaded_error (Anthropic); 503 for OpenAI
    TIMEOUT = "timeout"  # hold the request `seconds`, then drop the connection
    TRUNCATED = "truncated"  # part of the body/stream, then drop the connection
    EMPTY = "empty"  # 200 with no choices / output / content
    INVALID_JSON = "invalid_json"  # 200 with a body that is not JSON
    BAD_REQUEST = "bad_request"  # 400 invalid_request_error (not retried)
    UNAUTHORIZED = "unauthorized"  # 401 authentication error (a bad key; not retried)
    FORBIDDEN = "forbidden"  # 403 permission error (the key may not use the model; not retried)
    NOT_FOUND = "not_found"  # 404 no such model (not retried)


@dataclass(frozen=True)
class Fault:
    """A failure to inject for one request. Build with the class methods."""

    kind: FaultKind
    retry_after: float | None = None
    seconds: float = 0.0
    text: str = ""
    message: str = ""

    @classmethod
    def rate_limit(cls, retry_after: float = 0.05) -> Fault:
        """429 with `retry-after: <seconds>` (fractions allowed; the SDKs honour 0 < s <= 60)."""
        return cls(FaultKind.RATE_LIMIT, retry_after=retry_after, message="Rate limit reached.")

    @classmethod
    def server_error(cls) -> Fault:
        return cls(FaultKind.SERVER_ERROR, message="The server had an error.")

    @classmethod
    def overloaded(cls) -> Fault:
        return cls(FaultKind.OVERLOADED, message="Overloaded")

    @classmethod
    def timeout(cls, seconds: float = 2.0) -> Fault:
        """Hold the request (at most `seconds`, less if the server stops), then hang up."""
        return cls(FaultKind.TIMEOUT, seconds=seconds)

    @classmethod
    def truncated(cls, text: str = "partial answer") -> Fault:
        """Streams: send `text` as deltas, then drop the connection mid-stream.

        Non-streaming: promise a longer Content-Length than is sent, then hang up.
        """
        return cls(FaultKind.TRUNCATED, text=text)

    @classmethod
    def empty(cls) -> Fault:
        """OpenAI `choices: []` / Responses `output: []` / Anthropic `content: []`, with usage."""
        return cls(FaultKind.EMPTY)

    @classmethod
    def invalid_json(cls) -> Fault:
        return cls(FaultKind.INVALID_JSON)

    @classmethod
    def bad_request(cls, message: str = "Invalid request.") -> Fault:
        return cls(FaultKind.BAD_REQUEST, message=message)

    @classmethod
    def unauthorized(cls) -> Fault:
        """401 as for a bad API key (the message never echoes the key)."""
        return cls(FaultKind.UNAUTHORIZED, message="Incorrect API key provided.")

    @classmethod
    def forbidden(cls) -> Fault:
        return cls(FaultKind.FORBIDDEN, message="This key may not use this model.")

    @classmethod
    def not_found(cls) -> Fault:
        return cls(FaultKind.NOT_FOUND, message="The model does not exist.")


Answer = Reply | Fault
Responder = Callable[[RecordedRequest], Answer] | Iterable[Answer] | Answer | str


@dataclass(frozen=True)
class Exchange:
    """One request and what the server answered (`answer` is None for routing errors)."""

    request: RecordedRequest
    answer: Answer | None
    status: int


class ScriptExhausted(Exception):
    """A scripted responder had no answer left for a request."""


def as_answer_function(responder: Responder) -> Callable[[RecordedRequest], Answer]:
    """Normalise a responder: a callable, one fixed answer/text, or a script of answers."""
    if isinstance(responder, str):
        fixed: Answer = Reply(responder)
        return lambda _request: fixed
    if isinstance(responder, Reply | Fault):
        one = responder
        return lambda _request: one
    if callable(responder):
        return responder
    script = iter(responder)
    lock = threading.Lock()

    def next_answer(_request: RecordedRequest) -> Answer:
        with lock:
            try:
                return next(script)
            except StopIteration:
                raise ScriptExhausted("the scripted responder has no answer left") from None

    return next_answer
