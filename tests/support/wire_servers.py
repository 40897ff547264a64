"""Local HTTP servers that speak real provider wire formats, for tests.

    from support.wire_servers import OpenAIServer, AnthropicServer, Reply, Fault

    with OpenAIServer(lambda req: Reply(f"echo: {req.last_user_text}")) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")  # .../v1
        ...
        server.requests[-1].system_text          # what reached the server

Servers
    OpenAIServer(responder="ok", *, max_requests=200, latency=0.0, batch_fault=None)
        POST /v1/chat/completions (and /chat/completions), streaming or not;
        POST /v1/responses, streaming or not; POST /v1/responses/input_tokens.
        Batch API: POST /v1/files (multipart upload), GET /v1/files/{id}/content,
        POST /v1/batches, GET /v1/batches/{id} (results in output/error files).
        `base_url` is "http://127.0.0.1:PORT/v1" (the openai SDK appends /chat/completions).
    AnthropicServer(responder="ok", *, max_requests=200, latency=0.0, batch_fault=None)
        POST /v1/messages (streaming or not), POST /v1/messages/count_tokens.
        Batch API: POST /v1/messages/batches, GET /v1/messages/batches/{id} and its
        results_url, GET /v1/messages/batches/{id}/results (JSONL).
        `base_url` is "http://127.0.0.1:PORT" (the anthropic SDK appends /v1/messages).
    `latency`: seconds each answer waits before its first byte (a provider's time to first
    token; 0 answers at once). Both are context managers (start()/close() also public), bind
    127.0.0.1 on a free port, serve from a daemon thread and join every thread on close (open
    connections are dropped, held requests released). Unknown paths get a 404 in the provider's
    error format; requests beyond `max_requests` get a 400, so a runaway retry loop ends. If the
    responder raises, that request gets a 400 and leaving the `with` block re-raises the error.
    pytest fixtures `openai_server` / `anthropic_server` (tests/support/fixtures.py) are
    factories taking the same arguments; they also block non-loopback connections.

What Inspect 0.3.285 sends (checked against the installed providers)
    openai/<name>: names Inspect does not recognise (e.g. `openai/test-model`) count as a
        frontier model: it uses the Responses API, sends the system prompt as a "developer"
        message and, unless GenerateConfig.reasoning_summary is set, first sends a one-off
        probe (input "Please say 'hello, world'") that the responder also answers - mind this
        when scripting. `gpt-4o*`-style names, or model arg `responses_api=False`, use chat
        completions. Streaming only with the `streaming=True` model arg (or on_stream).
    anthropic/<name>: streams when max_tokens >= 8192 (the default max_tokens for an
        unknown claude name is 32000, so by default it streams), with reasoning, or with
        `streaming=True`. The key arrives as `Authorization: Bearer ...` (anthropic SDK 2.x)
        with `anthropic-version`. cache_prompt (default "auto" = on) puts cache_control on the
        last system block and a top-level cache_control (automatic caching) on the request.
    Retries: both SDKs retry 429/5xx/529 themselves, honouring `retry-after`; Inspect retries
        dropped connections (truncated bodies/streams, attempt_timeout) with a few seconds'
        backoff. An OpenAI chat answer with `choices: []` makes Inspect raise IndexError.

Responder (decides each answer)
    a callable `(RecordedRequest) -> Reply | Fault`; or an iterable of `Reply | Fault` used
    one per request (a 400 once exhausted); or one fixed `Reply`/`Fault`/str for every request.

Reply(text, finish="stop"|"length", output_tokens=None, chunk_chars=8, tool_calls=())
    tool_calls: ToolUse(name, arguments, id) values, sent as OpenAI chat `tool_calls`
    (finish_reason "tool_calls", streamed as deltas too) or Anthropic `tool_use` blocks
    (stop_reason "tool_use", streamed as input_json_delta); `RecordedRequest.tool_names`
    lists the tools a request offers.
Fault.rate_limit(retry_after=0.05)  429 + `retry-after` header (seconds, fractions allowed)
Fault.server_error()                500
Fault.overloaded()                  529 overloaded_error (Anthropic); 503 (OpenAI)
Fault.timeout(seconds=2.0)          hold the request up to `seconds`, then hang up
Fault.truncated(text)               stream: deltas of `text`, then drop the connection;
                                    non-stream: half the JSON body, then drop the connection
Fault.empty()                       choices: [] / output: [] / content: [] (usage still sent)
Fault.invalid_json()                200 whose body is not JSON
Fault.bad_request(message)          400 invalid_request_error (not retried)
Fault.unauthorized()                401 as for a bad API key (not retried)

Batches (tests/support/_wire_batch.py)
    Each request of a batch is answered exactly as its synchronous endpoint would answer it: the
    responder gets it as a RecordedRequest of that endpoint (api "openai-chat",
    "openai-responses" or "anthropic-messages", the batch's headers, the line's body) and the
    format's writer writes the response into the batch's results (a Fault with an HTTP status
    becomes an errored result: Anthropic's `errored` with the error body, an OpenAI error-file
    line with `response.status_code` and the body; no response at all: `error` with a code). A
    batch is answered in full when it is created, one request after another; its first retrieval
    says "in progress", later ones that it has ended. `batch_fault=Fault...` answers every
    request to a batch endpoint (upload, create, poll, results) with that fault instead (e.g. a
    key the batch API refuses).

Records
    server.requests   -> list[RecordedRequest], arrival order (thread-safe copies); batch
                         endpoints have api "openai-files", "openai-batches" or
                         "anthropic-batches"
    server.exchanges  -> list[Exchange(request, answer, status)]; status 0 = no response
                         (requests to batch endpoints are not in it)
    server.batched    -> list[Exchange] of the requests answered inside batches
    RecordedRequest: api, method, path, query, headers (case-insensitive; API keys redacted in
    repr/str), body (parsed JSON), raw_body; properties stream, model, system_text,
    messages [(role, text)] without system/developer turns, last_user_text.

Usage accounting (every response carries usage)
    tokens(text) = ceil(len(text) / 4)  (`estimate_tokens`). Input = tokens of all system and
    message text; output = tokens(reply text) unless `Reply.output_tokens` is given. OpenAI
    reports cached_tokens = 0. Anthropic models prompt caching as
    the real API does: blocks are ordered tools -> system -> messages; a block with
    `cache_control` (or the last block when the request has top-level `cache_control`) is a
    breakpoint. A breakpoint whose prefix is shorter than the model's minimum cacheable length
    (`min_cacheable_tokens`: 1024 tokens, 2048 for Claude Haiku 3/3.5, 4096 for Opus 4.5/4.6 and
    Haiku 4.5) is ignored. The longest live entry (same model) ending at a breakpoint or up to 20
    blocks before it is `cache_read_input_tokens`; the rest up to the last breakpoint is
    `cache_creation_input_tokens`; `input_tokens` is the remainder. A write becomes readable
    only once its response has begun (after `latency`), so concurrent first requests all
    write; an entry expires 5 minutes after it was written or last read.
"""

from ._wire_anthropic import AnthropicServer, PromptCache, min_cacheable_tokens
from ._wire_core import (
    Exchange,
    Fault,
    FaultKind,
    Headers,
    RecordedRequest,
    Reply,
    Responder,
    ToolUse,
    estimate_tokens,
)
from ._wire_http import WireServer
from ._wire_openai import OpenAIServer

__all__ = [
    "AnthropicServer",
    "Exchange",
    "Fault",
    "FaultKind",
    "Headers",
    "OpenAIServer",
    "PromptCache",
    "RecordedRequest",
    "Reply",
    "Responder",
    "ToolUse",
    "WireServer",
    "estimate_tokens",
    "min_cacheable_tokens",
]
