"""The wire servers speak what the real SDKs and Inspect's providers send and expect."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import anthropic
import openai
import pytest
from inspect_ai.model import (
    ChatMessage,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)

from support.wire_servers import (
    AnthropicServer,
    Fault,
    OpenAIServer,
    PromptCache,
    RecordedRequest,
    Reply,
    estimate_tokens,
    min_cacheable_tokens,
)

SECRET = "sk-test-SECRET-0123456789"
SYSTEM = "You are a careful assistant. " * 20
# long enough to be cached: Anthropic caches no prefix under 1024 tokens (1088 here)
CACHED_SYSTEM = "You are a careful assistant. " * 150
FAST = GenerateConfig(max_retries=3, timeout=20, max_tokens=1000)


def echo(request: RecordedRequest) -> Reply:
    return Reply(f"echo: {request.last_user_text}")


def inspect_model(name: str, server: OpenAIServer | AnthropicServer, **args: Any) -> Model:
    return get_model(name, base_url=server.base_url, api_key=SECRET, memoize=False, **args)


def generate(
    model: Model, user: str = "hello", config: GenerateConfig = FAST, system: str = SYSTEM
) -> ModelOutput:
    messages: list[ChatMessage] = [ChatMessageSystem(content=system), ChatMessageUser(content=user)]
    return asyncio.run(model.generate(messages, config=config))


# -- OpenAI chat completions --------------------------------------------------------------


def test_openai_sdk_chat_round_trip(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(echo)
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0)
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi there"},
        ],
    )
    assert completion.object == "chat.completion"
    assert completion.model == "gpt-4o"
    assert completion.choices[0].message.content == "echo: hi there"
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == estimate_tokens("Be brief.hi there")
    assert usage.completion_tokens == estimate_tokens("echo: hi there")
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0
    (request,) = server.requests
    assert request.api == "openai-chat"
    assert request.path == "/v1/chat/completions"
    assert request.system_text == "Be brief."
    assert request.messages == [("user", "hi there")]
    assert request.headers["Authorization"] == f"Bearer {SECRET}"


def test_openai_sdk_chat_stream_with_usage(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(Reply("a streamed answer of some length", chunk_chars=5))
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0)
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "go"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert {chunk.object for chunk in chunks} == {"chat.completion.chunk"}
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "a streamed answer of some length"
    assert len(chunks) >= 8  # role chunk, 7 deltas, finish chunk, usage chunk
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == estimate_tokens(text)
    assert server.requests[0].stream


def test_openai_inspect_chat_completions(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(echo)
    output = generate(inspect_model("openai/gpt-4o-mini", server), "what is 2+2?")
    assert output.completion == "echo: what is 2+2?"
    assert output.usage is not None
    assert output.usage.input_tokens == estimate_tokens(SYSTEM + "what is 2+2?")
    assert output.usage.output_tokens == estimate_tokens("echo: what is 2+2?")
    (request,) = server.requests
    assert request.api == "openai-chat"
    assert request.system_text == SYSTEM
    assert request.last_user_text == "what is 2+2?"
    assert request.body["max_tokens"] == 1000


def test_openai_inspect_chat_streaming_matches(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(echo)
    output = generate(inspect_model("openai/gpt-4o-mini", server, streaming=True), "stream me")
    assert output.completion == "echo: stream me"
    assert output.usage is not None
    assert output.usage.output_tokens == estimate_tokens("echo: stream me")
    (request,) = server.requests
    assert request.stream
    assert request.body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("name", ["openai/gpt-4o-mini", "openai/test-model"])
def test_openai_length_finish_reaches_inspect(
    name: str, openai_server: Callable[..., OpenAIServer]
) -> None:
    server = openai_server(Reply("cut short", finish="length"))
    config = FAST.merge(GenerateConfig(reasoning_summary="none"))
    output = generate(inspect_model(name, server), config=config)
    assert output.stop_reason == "max_tokens"
    assert output.completion == "cut short"


# -- OpenAI Responses API -----------------------------------------------------------------


def test_openai_sdk_responses_round_trip(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(echo)
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0)
    response = client.responses.create(model="m", instructions="Be brief.", input="hi")
    assert response.output_text == "echo: hi"
    assert response.status == "completed"
    assert response.usage is not None
    assert response.usage.input_tokens == estimate_tokens("Be brief.hi")
    with client.responses.stream(model="m", input="streamed hi") as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert final.output_text == "echo: streamed hi"
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    assert "response.output_text.delta" in kinds
    assert [r.system_text for r in server.requests] == ["Be brief.", ""]


def test_openai_inspect_uses_responses_for_unknown_names(
    openai_server: Callable[..., OpenAIServer],
) -> None:
    # Inspect treats an unrecognised name as a frontier model: Responses API, system as
    # "developer", and a one-off reasoning-summary probe unless reasoning_summary is set.
    server = openai_server(echo)
    model = inspect_model("openai/test-model", server)
    output = generate(model, "plain", FAST.merge(GenerateConfig(reasoning_summary="none")))
    streamed = generate(inspect_model("openai/test-model", server, streaming=True), "streamed")
    assert (output.completion, streamed.completion) == ("echo: plain", "echo: streamed")
    assert output.usage is not None
    assert output.usage.input_tokens == estimate_tokens(SYSTEM + "plain")
    apis = [(r.api, r.stream) for r in server.requests]
    assert apis[0] == ("openai-responses", False)
    assert apis[-1] == ("openai-responses", True)
    assert server.requests[0].system_text == SYSTEM
    assert ("developer", SYSTEM) not in server.requests[0].messages
    assert server.requests[-1].last_user_text == "streamed"
    probes = [r for r in server.requests if r.body.get("input") == "Please say 'hello, world'"]
    assert len(probes) == 1  # from the second model, whose reasoning_summary was unset


# -- Anthropic messages -------------------------------------------------------------------


def anthropic_client(server: AnthropicServer, **kwargs: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key=SECRET, **kwargs)


def test_anthropic_sdk_round_trip(anthropic_server: Callable[..., AnthropicServer]) -> None:
    server = anthropic_server(echo)
    message = anthropic_client(server, max_retries=0).messages.create(
        model="claude-test",
        max_tokens=50,
        system="Be brief.",
        messages=[{"role": "user", "content": "hi"}],
    )
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == "claude-test"
    assert message.content[0].type == "text"
    assert message.content[0].text == "echo: hi"
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    assert message.usage.input_tokens == estimate_tokens("Be brief.") + estimate_tokens("hi")
    assert message.usage.output_tokens == estimate_tokens("echo: hi")
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.cache_read_input_tokens == 0
    (request,) = server.requests
    assert (request.api, request.path) == ("anthropic-messages", "/v1/messages")
    assert "anthropic-version" in request.headers
    assert request.system_text == "Be brief."


def test_anthropic_stream_events_are_in_api_order(
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    server = anthropic_server(Reply("twelve chars", chunk_chars=4, finish="length"))
    client = anthropic_client(server, max_retries=0)
    with client.messages.stream(
        model="claude-test", max_tokens=3, messages=[{"role": "user", "content": "go"}]
    ) as stream:
        final = stream.get_final_message()
    assert final.content[0].type == "text"
    assert final.content[0].text == "twelve chars"
    assert final.stop_reason == "max_tokens"
    assert final.usage.output_tokens == estimate_tokens("twelve chars")
    raw = raw_post(
        server,
        "/v1/messages",
        {
            "model": "m",
            "max_tokens": 5,
            "stream": True,
            "messages": [{"role": "user", "content": "x"}],
        },
    )
    events = [
        line.removeprefix("event: ") for line in raw.splitlines() if line.startswith("event: ")
    ]
    assert events == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 3,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def raw_post(server: OpenAIServer | AnthropicServer, path: str, body: dict[str, Any]) -> str:
    import json
    import urllib.request

    root = server.base_url.removesuffix("/v1")
    request = urllib.request.Request(
        root + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def test_anthropic_count_tokens(anthropic_server: Callable[..., AnthropicServer]) -> None:
    server = anthropic_server()
    count = anthropic_client(server).messages.count_tokens(
        model="claude-test", system="abcdefgh", messages=[{"role": "user", "content": "hello"}]
    )
    assert count.input_tokens == estimate_tokens("abcdefgh") + estimate_tokens("hello")
    assert server.requests[0].api == "anthropic-count-tokens"


def test_anthropic_cache_write_then_read(anthropic_server: Callable[..., AnthropicServer]) -> None:
    server = anthropic_server("ok")
    client = anthropic_client(server)
    cached = [{"type": "text", "text": CACHED_SYSTEM, "cache_control": {"type": "ephemeral"}}]

    def usage(system: Any, user: str = "question") -> tuple[int, int, int]:
        u = client.messages.create(
            model="claude-test",
            max_tokens=5,
            system=system,
            messages=[{"role": "user", "content": user}],
        ).usage
        return u.input_tokens, u.cache_creation_input_tokens or 0, u.cache_read_input_tokens or 0

    prefix, rest = estimate_tokens(CACHED_SYSTEM), estimate_tokens("question")
    assert usage(cached) == (rest, prefix, 0)
    assert usage(cached) == (rest, 0, prefix)
    assert usage(cached, "another question") == (estimate_tokens("another question"), 0, prefix)
    assert usage(CACHED_SYSTEM) == (prefix + rest, 0, 0)  # no cache_control: no caching
    changed = [dict(cached[0], text=CACHED_SYSTEM + "!")]
    assert usage(changed) == (rest, estimate_tokens(CACHED_SYSTEM + "!"), 0)
    short = [dict(cached[0], text=SYSTEM)]  # 145 tokens: under the minimum, never cached
    assert usage(short) == (estimate_tokens(SYSTEM) + rest, 0, 0)
    assert usage(short) == (estimate_tokens(SYSTEM) + rest, 0, 0)


def cache_body(text: str, model: str = "claude-test", user: str = "q") -> dict[str, Any]:
    system = [{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]
    return {"model": model, "system": system, "messages": [{"role": "user", "content": user}]}


def split(use: Any) -> tuple[int, int, int]:
    u = use.usage
    return u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens


def test_prompt_cache_minimum_length_is_the_models() -> None:
    assert min_cacheable_tokens("claude-sonnet-4-5") == 1024
    assert min_cacheable_tokens("claude-3-5-haiku-20241022") == 2048
    assert min_cacheable_tokens("claude-haiku-4-5") == 4096
    cache = PromptCache()
    under, at = "x" * (4 * 1023), "y" * (4 * 1024)  # 1023 and 1024 tokens
    for text in (under, under):
        use = cache.lookup(cache_body(text))
        use.commit()
        assert split(use) == (1023 + 1, 0, 0)
    first = cache.lookup(cache_body(at))
    first.commit()
    assert split(first) == (1, 1024, 0)
    assert split(cache.lookup(cache_body(at))) == (1, 0, 1024)
    # the same 1024 tokens are too short for a Haiku 3 model (2048)
    haiku = cache_body(at, model="claude-3-haiku-20240307")
    cache.lookup(haiku).commit()
    assert split(cache.lookup(haiku)) == (1025, 0, 0)


def test_prompt_cache_entry_is_readable_only_once_its_response_began() -> None:
    cache = PromptCache()
    body = cache_body(CACHED_SYSTEM)
    prefix = estimate_tokens(CACHED_SYSTEM)
    first, second = cache.lookup(body), cache.lookup(body)  # concurrent: neither has answered
    assert split(first) == split(second) == (1, prefix, 0)
    first.commit()
    assert split(cache.lookup(body)) == (1, 0, prefix)
    second.commit()  # a second write of the same prefix changes nothing
    assert split(cache.lookup(body)) == (1, 0, prefix)


def test_prompt_cache_expires_five_minutes_after_the_last_read() -> None:
    now = [0.0]
    cache = PromptCache(clock=lambda: now[0])
    body = cache_body(CACHED_SYSTEM)
    prefix = estimate_tokens(CACHED_SYSTEM)
    cache.lookup(body).commit()
    now[0] = 299.0
    assert split(cache.lookup(body)) == (1, 0, prefix)  # read at 299 s: alive until 599 s
    now[0] = 598.0
    assert split(cache.lookup(body)) == (1, 0, prefix)
    now[0] = 898.5  # 300.5 s after the last read
    expired = cache.lookup(body)
    assert split(expired) == (1, prefix, 0)
    expired.commit()
    assert split(cache.lookup(body)) == (1, 0, prefix)


def test_prompt_cache_reads_an_earlier_turn_within_twenty_blocks() -> None:
    """A continuation (top-level cache_control) reads the prefix its previous turn wrote."""
    cache = PromptCache()
    first = {"model": "m", "cache_control": {"type": "ephemeral"}, "system": CACHED_SYSTEM}
    first["messages"] = [{"role": "user", "content": "q"}]
    cache.lookup(first).commit()
    turns = [*first["messages"], {"role": "assistant", "content": "a"}]
    later = {**first, "messages": [*turns, {"role": "user", "content": "<NEXT/>"}]}
    prefix = estimate_tokens(CACHED_SYSTEM) + 1
    assert split(cache.lookup(later)) == (0, 1 + 2, prefix)


def test_anthropic_concurrent_first_requests_all_write(
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    server = anthropic_server("ok", latency=0.5)
    client = anthropic_client(server)
    cached = [{"type": "text", "text": CACHED_SYSTEM, "cache_control": {"type": "ephemeral"}}]
    written: list[int] = []

    def ask() -> int:
        u = client.messages.create(
            model="claude-test",
            max_tokens=5,
            system=cached,
            messages=[{"role": "user", "content": "q"}],
        ).usage
        return u.cache_read_input_tokens or 0

    threads = [threading.Thread(target=lambda: written.append(ask())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert written == [0, 0, 0]  # all three arrived before the first answer began
    assert ask() == estimate_tokens(CACHED_SYSTEM)


def test_anthropic_inspect_round_trip_and_cache(
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    server = anthropic_server(echo)
    model = inspect_model("anthropic/claude-test", server)
    config = FAST.merge(GenerateConfig(cache_prompt=True))
    first = generate(model, "q", config, system=CACHED_SYSTEM)
    second = generate(model, "q", config, system=CACHED_SYSTEM)
    assert first.completion == second.completion == "echo: q"
    assert first.usage is not None and second.usage is not None
    prompt = estimate_tokens(CACHED_SYSTEM) + estimate_tokens("q")
    assert first.usage.input_tokens_cache_write == prompt
    assert first.usage.input_tokens_cache_read == 0
    assert second.usage.input_tokens_cache_read == first.usage.input_tokens_cache_write
    assert second.usage.input_tokens_cache_write == 0
    assert first.usage.output_tokens == estimate_tokens("echo: q")
    request = server.requests[0]
    assert not request.stream  # max_tokens < 8192 and no reasoning: Inspect does not stream
    assert request.body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert request.system_text == CACHED_SYSTEM
    assert request.messages == [("user", "q")]


def test_anthropic_inspect_streams_for_large_max_tokens(
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    server = anthropic_server(echo)
    config = FAST.merge(GenerateConfig(max_tokens=8192, cache_prompt=False))
    output = generate(inspect_model("anthropic/claude-test", server), "big", config)
    assert output.completion == "echo: big"
    assert output.usage is not None
    assert output.usage.input_tokens == estimate_tokens(SYSTEM) + estimate_tokens("big")
    (request,) = server.requests
    assert request.stream
    assert "cache_control" not in request.body


# -- faults -------------------------------------------------------------------------------


def test_rate_limit_retry_after_is_honoured_by_the_sdk(
    openai_server: Callable[..., OpenAIServer],
) -> None:
    server = openai_server([Fault.rate_limit(retry_after=0.6), Reply("finally")])
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=1)
    started = time.monotonic()
    completion = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    assert completion.choices[0].message.content == "finally"
    assert time.monotonic() - started >= 0.55
    assert [e.status for e in server.exchanges] == [429, 200]
    assert server.requests[1].headers["x-stainless-retry-count"] == "1"


def test_rate_limit_body_is_in_provider_format(
    openai_server: Callable[..., OpenAIServer], anthropic_server: Callable[..., AnthropicServer]
) -> None:
    with pytest.raises(openai.RateLimitError) as openai_error:
        openai.OpenAI(
            base_url=openai_server(Fault.rate_limit()).base_url, api_key=SECRET, max_retries=0
        ).chat.completions.create(model="m", messages=[])
    assert openai_error.value.code == "rate_limit_exceeded"
    assert openai_error.value.response.headers["retry-after"] == "0.05"
    with pytest.raises(anthropic.RateLimitError) as anthropic_error:
        anthropic_client(
            anthropic_server(Fault.rate_limit(retry_after=2)), max_retries=0
        ).messages.create(model="m", max_tokens=1, messages=[])
    body = anthropic_error.value.body
    assert isinstance(body, dict)
    assert body["type"] == "error"
    assert body["error"] == {"type": "rate_limit_error", "message": "Rate limit reached."}
    assert anthropic_error.value.response.headers["retry-after"] == "2"


@pytest.mark.parametrize(
    ("provider", "fault", "status"),
    [
        ("openai/gpt-4o-mini", Fault.rate_limit(), 429),
        ("openai/gpt-4o-mini", Fault.server_error(), 500),
        ("openai/gpt-4o-mini", Fault.overloaded(), 503),
        ("anthropic/claude-test", Fault.rate_limit(), 429),
        ("anthropic/claude-test", Fault.server_error(), 500),
        ("anthropic/claude-test", Fault.overloaded(), 529),
    ],
)
def test_inspect_retries_transient_errors(
    provider: str,
    fault: Fault,
    status: int,
    openai_server: Callable[..., OpenAIServer],
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    factory = openai_server if provider.startswith("openai") else anthropic_server
    server = factory([fault, Reply("recovered")])
    output = generate(inspect_model(provider, server))
    assert output.completion == "recovered"
    assert [e.status for e in server.exchanges] == [status, 200]


def test_truncated_stream_raises_in_the_sdk(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(Fault.truncated("cut off mid sentence"))
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0)
    received: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True
        ):
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "cut off mid sentence"
    with pytest.raises(openai.APIConnectionError):  # non-streaming: half a body
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["openai/gpt-4o-mini", "anthropic/claude-test"])
def test_inspect_retries_truncated_streams(
    provider: str,
    openai_server: Callable[..., OpenAIServer],
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    factory = openai_server if provider.startswith("openai") else anthropic_server
    server = factory([Fault.truncated("partial"), Reply("whole answer")])
    output = generate(inspect_model(provider, server, streaming=True))
    assert output.completion == "whole answer"
    assert [(e.status, e.request.stream) for e in server.exchanges] == [(200, True)] * 2


def test_timeout_fault_times_out_the_client(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server([Fault.timeout(seconds=5), Reply("in time")])
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert time.monotonic() - started < 3
    # the next request is answered (a roomy timeout, so a busy machine cannot fail it)
    patient = client.with_options(timeout=20)
    reply = patient.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert reply.choices[0].message.content == "in time"
    assert [e.status for e in server.exchanges] == [0, 200]


@pytest.mark.slow
def test_inspect_retries_after_attempt_timeout(
    anthropic_server: Callable[..., AnthropicServer],
) -> None:
    server = anthropic_server([Fault.timeout(seconds=5), Reply("second try")])
    config = FAST.merge(GenerateConfig(attempt_timeout=1))
    assert generate(inspect_model("anthropic/claude-test", server), config=config).completion == (
        "second try"
    )
    assert [e.status for e in server.exchanges] == [0, 200]


def test_empty_answers_keep_usage(
    openai_server: Callable[..., OpenAIServer], anthropic_server: Callable[..., AnthropicServer]
) -> None:
    chat = openai.OpenAI(base_url=openai_server(Fault.empty()).base_url, api_key=SECRET)
    completion = chat.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "."}]
    )
    assert completion.choices == []
    assert completion.usage is not None and completion.usage.prompt_tokens == 1
    server = anthropic_server(Fault.empty())
    output = generate(inspect_model("anthropic/claude-test", server))
    assert output.completion == ""
    assert output.usage is not None
    assert output.usage.output_tokens == 0


def test_invalid_json_body_fails_to_parse(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(Fault.invalid_json())
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0)
    with pytest.raises(ValueError):  # json.JSONDecodeError
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert [e.answer for e in server.exchanges] == [Fault.invalid_json()]


# -- records, responders, lifecycle -------------------------------------------------------


def test_api_keys_never_appear_in_records(
    openai_server: Callable[..., OpenAIServer], anthropic_server: Callable[..., AnthropicServer]
) -> None:
    chat, messages = openai_server(), anthropic_server()
    generate(inspect_model("openai/gpt-4o-mini", chat))
    anthropic_client(messages).messages.create(model="m", max_tokens=1, messages=[])
    for server in (chat, messages):
        (request,) = server.requests
        assert SECRET in request.headers["authorization"]  # the key did reach the server
        for text in (repr(request), str(request), repr(request.headers), str(server.exchanges)):
            assert SECRET not in text
            assert "<redacted>" in text


def test_scripted_responder_runs_out_loudly() -> None:
    server = OpenAIServer([Reply("one")])
    with pytest.raises(RuntimeError, match="no answer left"), server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
        create = client.chat.completions.create
        assert create(model="m", messages=[]).choices[0].message.content == "one"
        with pytest.raises(openai.BadRequestError):
            create(model="m", messages=[])


def test_unknown_route_and_request_limit(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server("fine", max_requests=1)
    client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0)
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="m", input="x")
    with pytest.raises(openai.BadRequestError, match="request limit"):
        client.chat.completions.create(model="m", messages=[])
    assert [(e.request.api, e.status) for e in server.exchanges] == [
        ("unknown", 404),
        ("openai-chat", 400),
    ]


def test_close_is_quick_with_a_request_in_flight_and_leaks_no_thread() -> None:
    before = set(threading.enumerate())
    server = OpenAIServer(Fault.timeout(seconds=60))
    server.start()
    client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=30)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.chat.completions.create(model="m", messages=[])
        except openai.APIError as error:
            errors.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    while not server.requests:
        time.sleep(0.01)
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 2
    caller.join(timeout=5)
    client.close()
    assert isinstance(errors[0], openai.APIConnectionError)
    assert set(threading.enumerate()) <= before


def test_local_network_only_blocks_other_hosts(local_network_only: list[Any]) -> None:
    import socket

    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="non-local"):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    assert local_network_only == [("192.0.2.1", 443)]
    local_network_only.clear()


def test_public_api_is_stable() -> None:
    from support import wire_servers

    assert sorted(wire_servers.__all__) == [
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
    assert all(hasattr(wire_servers, name) for name in wire_servers.__all__)
