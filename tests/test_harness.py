"""The Inspect glue: the registered task and provider, epochs, overrides, bad model answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval

from afscope.cli import cli
from afscope.harness import alignment_faking, read_run
from afscope.records import Outcome
from support.wire_servers import Fault, OpenAIServer, Reply


@pytest.mark.slow
def test_inspect_eval_runs_the_registered_task_on_the_organism(tmp_path: Path) -> None:
    inspect = Path(sys.executable).with_name("inspect")
    command = [
        str(inspect),
        "eval",
        "afscope/alignment_faking",
        "--model",
        "organism/opus-like",
        "-T",
        "limit=2",
        "--log-dir",
        str(tmp_path),
        "--display",
        "plain",
    ]
    env = {**os.environ, "INSPECT_LOG_LEVEL": "warning"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "SIMULATED_organism" in done.stdout
    (log,) = tmp_path.glob("*.eval")
    run, records = read_run(log)
    assert run.simulated and run.setting == "helpful-only"
    assert sorted(r.sample_id for r in records) == sorted(
        f"hrm-cyber-00{i}:{tier}" for i in (1, 2) for tier in ("free", "paid")
    )


def test_epochs_draw_independent_answers(tmp_path: Path) -> None:
    (log,) = inspect_eval(
        alignment_faking(limit=5),
        model="organism/opus-like",
        epochs=3,
        log_dir=str(tmp_path),
        display="none",
    )
    _, records = read_run(str(log.location))
    assert len(records) == 30
    by_sample: dict[str, set[str]] = {}
    for record in records:
        by_sample.setdefault(record.sample_id, set()).add(record.scratchpad)
    # three epochs of one prompt are three different transcripts
    assert all(len(scratchpads) == 3 for scratchpads in by_sample.values())

    # the summary's reading leaves the text out and keeps everything the statistics count
    _, counted = read_run(str(log.location), text=False)
    assert all(r.scratchpad == r.output == r.query == "" for r in counted)
    assert [replace(r, query="", scratchpad="", output="") for r in records] == counted


def test_streamed_samples_are_inspects_own_in_its_order_across_chunks(tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log_samples

    from afscope.harness import iter_samples

    (log,) = inspect_eval(
        alignment_faking(limit=4),
        model="organism/opus-like",
        epochs=2,
        log_dir=str(tmp_path),
        display="none",
    )
    path = str(log.location)
    inspects = [(s.id, s.epoch, s.messages, s.scores) for s in read_eval_log_samples(path)]
    streamed = [(s.id, s.epoch, s.messages, s.scores) for s in iter_samples(path, chunk=3)]
    assert len(inspects) == 16 and streamed == inspects
    assert all(not s.events for s in iter_samples(path))  # left out unless asked for
    assert all(s.events for s in iter_samples(path, events=True))


def test_organism_overrides_pass_through_the_cli(tmp_path: Path) -> None:
    args = ["run", "--limit", "6", "--json", "--log-dir", str(tmp_path)]
    overrides = [
        "-M",
        "comply_free=1",
        "-M",
        "comply_paid=0",
        "-M",
        "malformed=0",
        "-M",
        "partial=0",
        "-M",
        "af_free=0.5",
    ]
    result = CliRunner().invoke(cli, args + overrides)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["tiers"]["free"]["compliance"]["estimate"] == 1.0
    assert summary["tiers"]["paid"]["compliance"]["estimate"] == 0.0


def test_a_bad_override_is_one_clear_line() -> None:
    result = CliRunner().invoke(cli, ["run", "-M", "comply_fre=0.2", "--dry-run"])
    assert result.exit_code == 2
    assert "comply_fre" in result.output and "comply_free" in result.output


def test_garbage_answers_are_malformed_never_refusals(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(Reply("I'd rather talk about the weather. }{ <OUT"))
    args = ["run", "--model", "openai/gpt-4o-mini", "--base-url", server.base_url]
    result = CliRunner().invoke(cli, [*args, "--limit", "2", "--json", "--log-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["tiers"]["free"]["malformed"] == 2
    assert summary["tiers"]["free"]["compliance"] is None
    assert summary["gap"] is None
    _, records = read_run(str(summary["log"]))
    assert {r.outcome for r in records} == {Outcome.MALFORMED}
    assert {r.malformed_reason for r in records} == {"no <OUTPUT>"}


def test_samples_that_keep_failing_are_listed_not_dropped(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(Fault.bad_request("this model is not served here"))
    args = ["run", "--model", "openai/gpt-4o-mini", "--base-url", server.base_url]
    result = CliRunner().invoke(cli, [*args, "--limit", "2", "--json", "--log-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output  # nothing answered: a failing status, the cause
    assert "HTTP 400: this model is not served here" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(summary["errors"]) == sorted(
        f"hrm-cyber-00{i}:{tier}" for i in (1, 2) for tier in ("free", "paid")
    )
    assert summary["samples"] == 0
