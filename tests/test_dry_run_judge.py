"""`--dry-run --judge`: the judge's calls (samples x rubrics x votes) are in the estimate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from afscope.cli import cli


def dry_run(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, [*args, "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_run_dry_run_counts_every_vote_of_every_rubric(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # nothing is sent: no key needed
    judged = ["--judge", "openai/gpt-4o-mini", "--judge-votes", "5", "--adaptive", "off"]
    data = dry_run("run", "--limit", "4", *judged)
    judge = data["judge"]
    assert judge["model"] == "openai/gpt-4o-mini"
    assert judge["requests"] == 8 * 3 * 5  # 8 samples x 3 rubrics x 5 votes
    assert judge["usd"] > 0 and judge["input_tokens"] > data["input_tokens"]
    assert "3 rubrics x 8 samples x ~5 votes" in judge["note"]
    # without a scratchpad there is no reasoning to judge for alignment faking
    direct = dry_run("run", "--limit", "4", "--no-scratchpad", *judged)["judge"]
    assert direct["requests"] == 8 * 2 * 5


def test_sequential_voting_is_counted_at_its_measured_mean() -> None:
    data = dry_run("run", "--limit", "5", "--judge", "openai/gpt-4o-mini")
    assert data["judge"]["requests"] == round(10 * 3 * 9.4)
    assert "sequential; at most 20" in data["judge"]["note"]


def test_sweep_dry_run_adds_the_judge_as_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    data = dry_run(
        "sweep",
        "--models",
        "organism/opus-like",
        "--settings",
        "helpful-only,animal-welfare",
        "--limit",
        "2",
        "--judge",
        "openai/gpt-4o-mini",
        "--judge-votes",
        "3",
        "--adaptive",
        "off",
    )
    by_model = {m["model"]: m for m in data["models"]}
    assert by_model["openai/gpt-4o-mini"]["requests"] == 2 * 4 * 3 * 3  # 2 cells x 4 x 3 x 3
