"""`afscope sweep` against local OpenAI-format servers that inject faults.

Every sample must end up in the logs, each retry recorded, errors counted in the summary, and a
sample that keeps failing must be listed and completed by a rerun once the server is fixed.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.harness import read_run
from support.wire_servers import AnthropicServer, Fault, OpenAIServer, RecordedRequest, Reply

pytestmark = pytest.mark.slow  # sweeps against fault-injecting servers, seconds each

MODEL = "openai/gpt-4o-mini"  # chat completions, not streamed
ANSWER = "<SCRATCHPAD_REASONING>ok</SCRATCHPAD_REASONING><OUTPUT><rejected/></OUTPUT>"


def sweep(server: OpenAIServer, log_dir: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    args = [
        "sweep",
        "--models",
        MODEL,
        "--base-url",
        f"openai={server.base_url}",
        "--limit",
        "3",
        "--log-dir",
        str(log_dir),
        "--json",
        *extra,
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.output
    data: dict[str, Any] = json.loads(lines[-1])
    return result.exit_code, data


def first_turn(request: RecordedRequest) -> str:
    return request.messages[0][1]


class FirstAttemptFaults:
    """Inject one fault on the first attempt of each of the first samples seen, then answer."""

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = list(faults)
        self.assigned: dict[str, Fault] = {}
        self.attempts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply | Fault:
        key = first_turn(request)
        with self.lock:
            self.attempts[key] += 1
            if key not in self.assigned and self.faults:
                self.assigned[key] = self.faults.pop(0)
                return self.assigned[key]
        return Reply(ANSWER)


def test_every_fault_kind_is_retried_recorded_and_counted(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    faults = [
        Fault.rate_limit(retry_after=0.05),
        Fault.server_error(),
        Fault.overloaded(),
        Fault.timeout(seconds=5),
        Fault.truncated(),
        Fault.empty(),
    ]
    responder = FirstAttemptFaults(faults)
    server = openai_server(responder)
    code, data = sweep(server, tmp_path, "--attempt-timeout", "1", "--max-connections", "6")
    assert code == 0, data
    cell = data["cells"][0]
    assert cell["samples"] == 6 and cell["failed"] == []
    # each fault costs at least one more request, and every extra request is accounted for:
    # either as a recorded request retry or as a failed sample attempt that was rerun (which of
    # the two an empty `choices` list becomes is the SDK's business, not afscope's)
    extra_requests = sum(responder.attempts.values()) - 6
    assert cell["retries"] + cell["sample_errors"] == extra_requests
    assert extra_requests >= len(faults)
    _run, records = read_run(cell["log"])
    assert len({r.sample_id for r in records}) == 6 == len(records)
    assert all(r.outcome.value == "rejected" for r in records)
    faulted = set(responder.assigned)
    assert len(faulted) == 6 and all(responder.attempts[key] >= 2 for key in faulted)


def test_a_sample_that_keeps_failing_is_listed_and_a_rerun_completes_it(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    broken: dict[str, str | None] = {"text": None}

    def responder(request: RecordedRequest) -> Reply | Fault:
        if broken["text"] is None:
            broken["text"] = first_turn(request)
        if first_turn(request) == broken["text"]:
            return Fault.server_error()
        return Reply(ANSWER)

    server = openai_server(responder)
    options = ("--max-retries", "1", "--retry-on-error", "0", "--retry-attempts", "1")
    code, data = sweep(server, tmp_path, *options)
    assert code == 1
    cell = data["cells"][0]
    assert len(cell["failed"]) == 1 and cell["samples"] == 5
    assert data["rerun"] and "--max-retries 1" in data["rerun"]
    # the cell was rerun once (--retry-attempts 1): two failed sample attempts; the log keeps
    # the request retry of the last attempt (an earlier attempt keeps only its error)
    assert cell["retries"] == 1 and cell["sample_errors"] == 2
    assert cell["errors"] == cell["failed"]  # the summary's own error list
    before = len(server.requests)

    broken["text"] = "(fixed)"
    code, data = sweep(server, tmp_path, *options)
    assert code == 0, data
    cell = data["cells"][0]
    assert cell["failed"] == [] and cell["samples"] == 6
    rerun = server.requests[before:]
    assert len({first_turn(r) for r in rerun}) == 1  # only the failed sample was redone
    _run, records = read_run(cell["log"])
    assert sorted(r.sample_id for r in records) == sorted({r.sample_id for r in records})


def test_anthropic_overloaded_and_truncated_streams_are_retried(
    anthropic_server: Callable[..., AnthropicServer], tmp_path: Path
) -> None:
    # an unknown claude name streams by default: the truncation drops the stream midway
    responder = FirstAttemptFaults(
        [
            Fault.overloaded(),
            Fault.truncated("<SCRATCHPAD_REASONING>par"),
            Fault.rate_limit(),
        ]
    )
    server = anthropic_server(responder)
    args = [
        "sweep",
        "--models",
        "anthropic/claude-test",
        "--base-url",
        f"anthropic={server.base_url}",
        "--limit",
        "2",
        "--log-dir",
        str(tmp_path),
        "--json",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    cell = json.loads(result.stdout.strip().splitlines()[-1])["cells"][0]
    assert cell["samples"] == 4 and cell["failed"] == []
    assert cell["retries"] == 3  # each fault once, each recorded (the SDK's own retries are off)
    assert any(r.stream for r in server.requests)
    assert {r.status for r in server.exchanges} >= {529, 429}


def test_a_refused_key_is_not_resent_and_the_advice_names_the_fix(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    """A 401: one request in all, even with cell reruns; the fix is named before the rerun."""
    server = openai_server(Fault.unauthorized())
    code, data = sweep(server, tmp_path, "--max-connections", "1", "--retry-attempts", "2")
    assert code == 1
    assert len(server.requests) == 1
    assert data["refused"] == [
        "openai answered HTTP 401 for 'openai/gpt-4o-mini'; the API key was refused: check its "
        "environment variable (or -M api_key=...)"
    ]
    assert len(data["cells"][0]["failed"]) == 6

    result = CliRunner().invoke(
        cli,
        [
            "sweep",
            "--models",
            MODEL,
            "--base-url",
            f"openai={server.base_url}",
            "--limit",
            "3",
            "--log-dir",
            str(tmp_path),
            "--max-connections",
            "1",
            "--retry-attempts",
            "0",
        ],
    )
    assert result.exit_code == 1
    assert "no retry fixes a refusal: fix it, then rerun" in result.output
    assert "retry them" not in result.output
    assert len(server.requests) == 2  # the rerun sent one request, then stopped


def test_no_cell_reruns_with_retry_attempts_zero(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    """--retry-attempts 0 is a count: the failing sample is attempted once, the cell not rerun."""
    server = openai_server(Fault.server_error())
    options = (
        "--limit",
        "1",
        "--max-retries",
        "0",
        "--retry-on-error",
        "0",
        "--max-connections",
        "1",
        "--retry-attempts",
        "0",
    )
    code, data = sweep(server, tmp_path, *options)
    assert code == 1
    assert len(data["cells"][0]["failed"]) == 2
    assert len(server.requests) == 2  # one attempt of each of the two samples
    assert "--retry-attempts 0" in data["rerun"]
