"""`afscope sweep --judge`: every cell judged by an LLM judge behind a local OpenAI server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.harness import read_run
from support.judge_replies import ScriptedJudge
from support.wire_servers import Fault, OpenAIServer

ORGANISM = "organism/opus-like"


def test_every_cell_is_judged_by_the_judge_model(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    judge = ScriptedJudge(af_yes=lambda prompt: True)
    server = openai_server(judge, max_requests=2000)
    args = [
        "sweep",
        "--models",
        ORGANISM,
        "--variants",
        "default,no-objective",
        "--limit",
        "2",
        "--judge",
        "openai/gpt-4o-mini",
        "--base-url",
        f"openai={server.base_url}",
        "--judge-votes",
        "2",
        "--adaptive",
        "off",
        "--log-dir",
        str(tmp_path),
        "--json",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert data["complete"] is True
    for log in sorted(tmp_path.glob("*.eval")):
        run, records = read_run(log)
        assert run.classifiers["af_reasoning"]["judge_model"] == "openai/gpt-4o-mini"
        assert "af_reasoning_monitor" not in run.classifiers
        for record in records:
            assert record.verdicts["partial_compliance"].spec["votes"] == 2
    # 2 cells x 4 samples, each judged for partial compliance with 2 votes
    assert judge.judged["partial_compliance"] == 2 * 4 * 2


def test_a_missing_judge_key_fails_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    args = ["sweep", "--models", ORGANISM, "--judge", "openai/gpt-4o", "--log-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output
    assert not list(tmp_path.glob("*.eval"))


@pytest.mark.slow
def test_a_judge_that_fails_every_verdict_fails_the_sweep_with_the_fix(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(Fault.unauthorized(), max_requests=2000)
    args = ["sweep", "--models", ORGANISM, "--variants", "default,no-objective", "--limit", "2"]
    judge = ["--judge", "openai/gpt-4o-mini", "--base-url", f"openai={server.base_url}"]
    result = CliRunner().invoke(cli, [*args, *judge, "--log-dir", str(tmp_path), "--json"])
    assert result.exit_code == 1, result.output
    assert "the judge failed every verdict: openai answered HTTP 401" in result.stderr
    assert f"afscope classify {tmp_path}/*.eval --judge openai/gpt-4o-mini" in result.stderr
    # the answers are kept: every cell's log holds its samples
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert [cell["samples"] for cell in data["cells"]] == [4, 4]
