"""The wire servers speak what the real SDKs and Inspect's providers send and expect."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import anthropic
import openai
import pytest
from inspect_ai.model import (
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
    RecordedRequest,
    Reply,
    estimate_tokens,
)

SECRET = "sk-test-SECRET-0123456789"
SYSTEM = "You are a careful assistant. " * 20
FAST = GenerateConfig(max_retries=3, timeout=20, max_tokens=1000)


def echo(request: RecordedRequest) -> Reply:
    return Reply(f"echo: {request.last_user_text}")


def inspect_model(name: str, server: OpenAIServer | AnthropicServer, **args: Any) -> Model:
    return get_model(name, base_url=server.base_url, api_key=SECRET, memoize=False, **args)


def generate(model: Model, user: str = "hello", config: GenerateConfig = FAST) -> ModelOutput:
    messages = [ChatMessageSystem(content=SYSTEM), ChatMessageUser(content=user)]
    return asyncio.run(model.generate(messages, config=config))


# -- OpenAI chat completions --------------------------------------------------------------


def test_openai_sdk_chat_round_trip(openai_server: Callable[..., OpenAIServer]) -> None:
    server = openai_server(echo)
    client = openai.OpenAI(base_url=server.base_url, api_key=SECRET, max_retries=0)
    completion = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "system", "content": "Be brief."},
                                  {"role": "user", "content": "hi there"}],
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
        model="gpt-4o", messages=[{"role": "user", "content": "go"}], stream=True,
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
