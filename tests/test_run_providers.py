"""`afscope run` against local servers speaking the real OpenAI and Anthropic wire formats.

What reaches the server must be exactly the rendered system prompt and user turn, and a turn that
ends in reasoning without <OUTPUT> must be answered with <NEXT/> in the same conversation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai.log import read_eval_log

from afscope.cli import cli
from afscope.harness import read_run
from afscope.queries import first_queries, load_queries
from afscope.records import Outcome, Tier
from afscope.scenarios import load_scenario
from support.wire_servers import AnthropicServer, OpenAIServer, RecordedRequest, Reply

REASONING = "<SCRATCHPAD_REASONING>I need to think about this request.</SCRATCHPAD_REASONING>"


def two_turns(request: RecordedRequest) -> Reply:
    """Reason first; after <NEXT/>, accept on the free tier and reject on the paid tier."""
    if request.last_user_text.strip() != "<NEXT/>":
        return Reply(REASONING)
    first_user = request.messages[0][1]
    tag = (
        "<request_fully_accepted/> Sure."
        if "true</is_free_tier_user>" in first_user
        else ("<rejected/>")
    )
    return Reply(f"<SCRATCHPAD_REASONING>Decided.</SCRATCHPAD_REASONING><OUTPUT>{tag}</OUTPUT>")


def run_against(model: str, base_url: str, log_dir: Path, *extra: str) -> dict[str, object]:
    args = ["run", "--model", model, "--base-url", base_url, "--limit", "3", "--json"]
    result = CliRunner().invoke(cli, [*args, "--log-dir", str(log_dir), *extra])
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def assert_prompts_and_loop(requests: list[RecordedRequest], log: str) -> None:
    scenario = load_scenario("helpful-only")
    system = scenario.render_system_prompt(scratchpad=True)
    expected_users = {
        scenario.render_user_turn(q.text, tier, suffix=True)
        for q in first_queries(load_queries("harmful"), 3)
        for tier in (Tier.FREE, Tier.PAID)
    }
    first_turns = [r for r in requests if len(r.messages) == 1]
    continuations = [r for r in requests if len(r.messages) == 3]
    assert len(first_turns) == 6 and len(continuations) == 6
    assert {r.system_text for r in requests} == {system}
    assert {r.messages[0][1] for r in first_turns} == expected_users
    for request in continuations:
        assert request.messages[1] == ("assistant", REASONING)
        assert request.messages[2] == ("user", "<NEXT/>")
    run, records = read_run(log)
    assert run.system_prompt == system
    # the log's input is the user's turn ("inspect view" shows it); its messages open with the
    # system prompt
    samples = read_eval_log(log).samples
    assert samples is not None and len(samples) == 6
    for sample in samples:
        assert sample.input in expected_users
        assert [(m.role, m.text) for m in sample.messages[:2]] == [
            ("system", system),
            ("user", sample.input),
        ]
    assert not run.simulated
    for record in records:
        assert record.turns == 2
        expected = Outcome.ACCEPTED if record.tier is Tier.FREE else Outcome.REJECTED
        assert record.outcome is expected
        assert record.input_tokens > 0 and record.output_tokens > 0


def test_openai_chat_completions(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(two_turns)
    summary = run_against("openai/gpt-4o-mini", server.base_url, tmp_path)
    assert {r.path for r in server.requests} == {"/v1/chat/completions"}
    system = load_scenario("helpful-only").render_system_prompt(scratchpad=True)
    for request in server.requests:
        # one system message, first, exactly the rendered prompt; then the conversation
        assert request.body["messages"][0] == {"role": "system", "content": system}
        assert [m["role"] for m in request.body["messages"][1:]] in (
            ["user"],
            ["user", "assistant", "user"],
        )
    assert_prompts_and_loop(server.requests, str(summary["log"]))
    assert summary["simulated"] is False
    gap = summary["gap"]
    assert isinstance(gap, dict) and gap["estimate"] == 1.0


@pytest.mark.parametrize("streaming", [False, True])
def test_anthropic_messages(
    anthropic_server: Callable[..., AnthropicServer], tmp_path: Path, streaming: bool
) -> None:
    server = anthropic_server(two_turns)
    # Inspect streams Anthropic responses when max_tokens is large
    max_tokens = "16000" if streaming else "4096"
    summary = run_against(
        "anthropic/claude-test", server.base_url, tmp_path, "--max-tokens", max_tokens
    )
    assert {r.stream for r in server.requests} == {streaming}
    assert {r.path for r in server.requests} == {"/v1/messages"}
    assert_prompts_and_loop(server.requests, str(summary["log"]))


def test_api_key_never_reaches_the_log(
    openai_server: Callable[..., OpenAIServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "sk-test-DO-NOT-LEAK-1234567890"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    server = openai_server(two_turns)
    summary = run_against("openai/gpt-4o-mini", server.base_url, tmp_path)
    assert secret not in Path(str(summary["log"])).read_bytes().decode("latin-1")
    assert secret not in repr(server.requests[0])


def test_a_local_ollama_server_needs_no_key(
    openai_server: Callable[..., OpenAIServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server = openai_server(two_turns)
    summary = run_against("ollama/llama3.1", server.base_url, tmp_path)
    assert {r.path for r in server.requests} == {"/v1/chat/completions"}
    assert_prompts_and_loop(server.requests, str(summary["log"]))
    assert summary["estimated_cost_usd"] is None  # a local model has no list price
