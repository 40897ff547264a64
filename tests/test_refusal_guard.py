"""A refused key costs a handful of requests, not one (or a dozen) per sample.

Before the first 401 comes back, many calls have passed the refusal check and wait in Inspect's
connection queue; at adaptive concurrency those sent ~25 requests for 100 samples, and a judge
with a bad key was sent ~12 requests per sample (1,194 for 100). The guard cancels every call to
the refused model still waiting, for the model under evaluation and the judge alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.harness import read_run
from afscope.harness._refusals import NotSent, RefusalGuard
from support.wire_servers import Fault, OpenAIServer

MODEL = "openai/gpt-4o-mini"
QUERIES = "20"  # 40 samples
HANDFUL = 12  # requests in flight when the first refusal comes back, at most


class Refused(Exception):
    status_code = 401


def test_the_first_refusal_stops_the_calls_waiting_behind_it() -> None:
    guard = RefusalGuard()
    sent: list[int] = []
    release = anyio.Event()
    outcomes: dict[int, str] = {}

    async def request(number: int) -> str:
        if number == 0:
            raise Refused("Error code: 401 - bad key")
        await release.wait()  # queued behind the connection limit
        sent.append(number)
        return "answer"

    async def one(number: int) -> None:
        try:
            outcomes[number] = await guard.call("openai/m", request(number))
        except NotSent as error:
            outcomes[number] = str(error)
        except Refused:
            outcomes[number] = "refused"

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for number in range(1, 6):
                group.start_soon(one, number)
            await anyio.sleep(0.01)  # the five are waiting
            group.start_soon(one, 0)
            await anyio.sleep(0.01)
            release.set()  # a free connection: nothing may be sent now
        await one(6)  # and a later call is not made either

    anyio.run(main)
    assert sent == []
    assert outcomes[0] == "refused"
    assert {outcomes[n] for n in range(1, 7)} == {
        "not sent: openai/m refused an earlier request with HTTP 401 (Error code: 401 - bad key)"
    }


def test_other_models_and_errors_do_not_stop_calls() -> None:
    guard = RefusalGuard()

    async def failing() -> str:
        raise RuntimeError("HTTP 500")

    async def answer() -> str:
        return "ok"

    async def main() -> list[str]:
        with pytest.raises(RuntimeError):
            await guard.call("a", failing())
        with pytest.raises(Refused):
            await guard.call("b", _refused())
        return [await guard.call("a", answer()), await guard.call("c", answer())]

    assert anyio.run(main) == ["ok", "ok"]


async def _refused() -> str:
    raise Refused("Error code: 401")


@pytest.mark.slow
def test_a_bad_key_at_adaptive_concurrency_costs_a_handful_of_requests(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(Fault.unauthorized(), max_requests=1000)
    args = ["run", "--model", MODEL, "--base-url", server.base_url, "--limit", QUERIES]
    result = CliRunner().invoke(cli, [*args, "--log-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "openai answered HTTP 401" in result.stderr
    assert 1 <= len(server.requests) <= HANDFUL, len(server.requests)
    _run, records = read_run(next(tmp_path.glob("*.eval")))
    assert len(records) == 40 and all(r.failed for r in records)


@pytest.mark.slow
def test_a_bad_key_under_an_adaptive_cap_costs_a_handful_of_requests(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    """--adaptive-max N keeps samples queued behind N connections: the guard stops them too."""
    server = openai_server(Fault.unauthorized(), max_requests=1000)
    args = ["run", "--model", MODEL, "--base-url", server.base_url, "--limit", QUERIES]
    result = CliRunner().invoke(cli, [*args, "--adaptive-max", "2", "--log-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "openai answered HTTP 401" in result.stderr
    assert 1 <= len(server.requests) <= HANDFUL, len(server.requests)


@pytest.mark.slow
def test_a_judge_with_a_bad_key_costs_a_handful_of_requests(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(Fault.unauthorized(), max_requests=2000)
    args = ["run", "--limit", QUERIES, "--judge", MODEL, "--judge-base-url", server.base_url]
    result = CliRunner().invoke(cli, [*args, "--log-dir", str(tmp_path), "--json"])
    assert 1 <= len(server.requests) <= HANDFUL, len(server.requests)
    # none judged: a failing status and one line with the status, the fix and the way on
    assert result.exit_code == 1, result.output
    assert "the judge failed every verdict: openai answered HTTP 401" in result.stderr
    assert "API key was refused" in result.stderr
    assert f"afscope classify {tmp_path}" in result.stderr and f"--judge {MODEL}" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # every verdict of every sample failed: none was judged
    assert sum(tier["judge_errors"] for tier in summary["tiers"].values()) > 40
    _run, records = read_run(summary["log"])
    reasons = {verdict.error or "" for record in records for verdict in record.verdicts.values()}
    assert any("not sent" in reason for reason in reasons), reasons


@pytest.mark.slow
def test_a_sweeps_cells_share_the_refusal(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    """Four cells of one model with a bad key, run together: a handful in all, not per cell."""
    server = openai_server(Fault.unauthorized(), max_requests=1000)
    result = CliRunner().invoke(
        cli,
        [
            "sweep",
            "--models",
            MODEL,
            "--variants",
            "default,no-objective,cut-rlhf,many-ais",
            "--base-url",
            f"openai={server.base_url}",
            "--limit",
            QUERIES,
            "--retry-attempts",
            "0",
            "--log-dir",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert [len(cell["failed"]) for cell in data["cells"]] == [40] * 4
    assert 1 <= len(server.requests) <= HANDFUL, len(server.requests)
