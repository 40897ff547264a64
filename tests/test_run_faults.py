"""`afscope run` against broken providers ends within its configured bounds.

Each case points `run` at a local server that fails in one way, with small retry bounds, and
checks: the run ends in time, the server saw a bounded number of requests, every sample is either
kept or listed with its cause, a run in which nothing was answered exits non-zero with one line
naming the cause, and each retry was announced on the terminal.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from afscope.cli import cli
from afscope.harness import read_run
from support.wire_servers import AnthropicServer, Fault, OpenAIServer, RecordedRequest, Reply

pytestmark = pytest.mark.slow  # runs against failing servers, seconds each

MODEL = "openai/gpt-4o-mini"  # chat completions, not streamed
ANSWER = "<SCRATCHPAD_REASONING>ok</SCRATCHPAD_REASONING><OUTPUT><rejected/></OUTPUT>"
SAMPLES = 4  # --limit 2 x two tiers
BOUNDS = ("--max-retries", "2", "--attempt-timeout", "2", "--timeout", "8")


def run(base_url: str, log_dir: Path, *extra: str, model: str = MODEL) -> tuple[Result, float]:
    args = [
        "run",
        "--model",
        model,
        "--base-url",
        base_url,
        "--limit",
        "2",
        "--log-dir",
        str(log_dir),
        "--max-connections",
        "4",
        *BOUNDS,
        *extra,
    ]
    started = time.monotonic()
    result = CliRunner().invoke(cli, args)
    return result, time.monotonic() - started


def assert_gave_up(result: Result, seconds: float, server: Any, *, cause: str) -> None:
    """Nothing answered: exit 1 with one line naming the cause, within the bounds."""
    assert result.exit_code == 1, result.output
    assert cause in result.stderr, result.stderr
    assert "Traceback" not in result.output
    # each request: at most 1 + max_retries attempts; bounded in time by --timeout plus startup
    assert len(server.requests) <= SAMPLES * 3, len(server.requests)
    assert seconds < 60, seconds


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        (Fault.server_error(), "every sample failed"),
        (Fault.rate_limit(retry_after=2), "every sample failed"),
        (Fault.timeout(seconds=30), "every sample failed"),
        (Fault.truncated(), "every sample failed"),
        (Fault.invalid_json(), "every sample failed"),
        (Fault.empty(), "every sample failed"),
    ],
    ids=["500", "429", "no-answer", "reset", "html-200", "empty-200"],
)
def test_a_broken_provider_is_given_up_on_within_the_bounds(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path, fault: Fault, cause: str
) -> None:
    server = openai_server(fault)
    result, seconds = run(server.base_url, tmp_path)
    assert_gave_up(result, seconds, server, cause=cause)
    if fault.kind.value not in ("invalid_json", "empty"):  # a 200 is not retried
        assert "retrying gpt-4o-mini" in result.stderr and "next attempt in" in result.stderr


def test_an_anthropic_stream_cut_mid_answer_is_given_up_on(
    anthropic_server: Callable[..., AnthropicServer], tmp_path: Path
) -> None:
    server = anthropic_server(Fault.truncated("half an ans"))
    result, seconds = run(server.base_url, tmp_path, model="anthropic/claude-test")
    assert_gave_up(result, seconds, server, cause="every sample failed")
    assert all(r.stream for r in server.requests)


REFUSALS = [
    (Fault.unauthorized(), 401, "API key was refused"),
    (Fault.forbidden(), 403, "may not use this model"),
    (Fault.not_found(), 404, "no such model or endpoint"),
    (Fault.bad_request(), 400, "refused the request as invalid"),
]


@pytest.mark.parametrize(("fault", "status", "fix"), REFUSALS, ids=["401", "403", "404", "400"])
@pytest.mark.parametrize("wire", ["openai", "anthropic"])
def test_a_refusal_stops_the_run_at_once_and_names_the_fix(
    openai_server: Callable[..., OpenAIServer],
    anthropic_server: Callable[..., AnthropicServer],
    tmp_path: Path,
    wire: str,
    fault: Fault,
    status: int,
    fix: str,
) -> None:
    """After the first refusal nothing more is sent; every sample is listed for a resume."""
    server = (openai_server if wire == "openai" else anthropic_server)(fault)
    model = MODEL if wire == "openai" else "anthropic/claude-test"
    result, seconds = run(server.base_url, tmp_path, "--max-connections", "1", model=model)
    assert_gave_up(result, seconds, server, cause=f"{wire} answered HTTP {status}")
    assert fix in result.stderr
    assert len(server.requests) == 1  # one request in all, not one per sample; none retried
    assert "retrying" not in result.stderr
    not_sent = f"not sent (the provider refused an earlier request with HTTP {status})"
    assert f"3 samples failed: {not_sent}" in result.stderr
    _run, records = read_run(next(tmp_path.glob("*.eval")))
    assert len(records) == SAMPLES and all(r.failed for r in records)


def test_finished_samples_are_kept_and_the_rest_listed_with_their_cause(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    """The paid tier's samples always fail; the free tier's are answered and kept."""

    def paid_fails(request: RecordedRequest) -> Reply | Fault:
        paid = "false</is_free_tier_user>" in request.messages[0][1]
        return Fault.server_error() if paid else Reply(ANSWER)

    server = openai_server(paid_fails)
    result, seconds = run(server.base_url, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    assert seconds < 60
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(summary["errors"]) == 2
    _run, records = read_run(summary["log"])
    kept = [r for r in records if not r.failed]
    assert len(kept) == 2 and all(r.tier.value == "free" for r in kept)
    assert "2 samples failed" in result.stderr and "500" in result.stderr


def test_retry_line_counts_per_model(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    """Two failures then an answer: two retry lines, the run succeeds, the sample is kept."""
    lock = threading.Lock()
    seen: list[int] = []

    def twice_then_ok(request: RecordedRequest) -> Reply | Fault:
        with lock:
            seen.append(1)
            return Fault.server_error() if len(seen) <= 2 else Reply(ANSWER)

    server = openai_server(twice_then_ok)
    result, _seconds = run(server.base_url, tmp_path, "--max-connections", "1")
    assert result.exit_code == 0, result.output
    lines = [x for x in result.stderr.splitlines() if x.startswith("retrying")]
    assert len(lines) == 2 and "HTTP 500" in lines[0] and "2 retries so far" in lines[1]
    assert len(server.requests) == SAMPLES + 2
