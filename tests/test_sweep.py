"""`afscope sweep`: the plan, the checks made before anything is sent, dry runs, results.

The end-to-end runs here use the simulated organism (no network); fault injection and the kill
test against local wire servers are in test_sweep_faults.py and test_sweep_resume.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import afscope.sweep
from afscope.cli import cli
from afscope.cli._sweep import _plan
from afscope.errors import ConfigError, ProviderError, UnknownNameError
from afscope.experiment import Experiment
from afscope.records import RunInfo, SampleRecord
from afscope.sweep import (
    TABLE_HEADER,
    FaultCounts,
    RetryPolicy,
    SweepPlan,
    cell_result,
    parse_base_urls,
    parse_model_args,
    rerun_command,
    split_names,
    table_rows,
    validate_plan,
)

ORGANISM = "organism/opus-like"


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["sweep", *args], env=env)


# --- the plan -------------------------------------------------------------------------------


def test_names_are_split_in_order_without_blanks_or_repeats() -> None:
    assert split_names(" a, b,,a ,c", "--models") == ("a", "b", "c")
    with pytest.raises(ConfigError, match="--models needs at least one name"):
        split_names(" , ", "--models")


def test_base_urls_are_per_provider() -> None:
    assert parse_base_urls(["openai=http://x/v1"]) == {"openai": "http://x/v1"}
    for bad in ("http://x/v1", "openai/gpt-4o=http://x", "openai="):
        with pytest.raises(ConfigError, match="PROVIDER=URL"):
            parse_base_urls([bad])
    with pytest.raises(ConfigError, match="twice"):
        parse_base_urls(["openai=http://a", "openai=http://b"])


def test_model_args_are_per_model_and_typed() -> None:
    args = parse_model_args([("openai/gpt-4o", "responses_api=false"), (ORGANISM, "p=0.5")])
    assert args == {"openai/gpt-4o": {"responses_api": False}, ORGANISM: {"p": 0.5}}
    repeated = parse_model_args([("m/x", "name=abc"), ("m/x", "n=3")])
    assert repeated == {"m/x": {"name": "abc", "n": 3}}
    with pytest.raises(ConfigError, match="MODEL KEY=VALUE"):
        parse_model_args([("m/x", "novalue")])


def test_plan_rejects_what_would_be_silently_ignored() -> None:
    with pytest.raises(ConfigError, match="not an Inspect model string"):
        SweepPlan(models=("gpt-4o",))
    with pytest.raises(ConfigError, match="not in --models"):
        SweepPlan(models=(ORGANISM,), model_args={"openai/gpt-4o": {"x": 1}})
    with pytest.raises(ConfigError, match="no model in --models uses"):
        SweepPlan(models=(ORGANISM,), base_urls={"openai": "http://x"})


def test_cells_are_the_full_grid_and_each_model_gets_its_own_args() -> None:
    plan = SweepPlan(
        models=("openai/gpt-4o", ORGANISM),
        settings=("helpful-only", "animal-welfare"),
        variants=("default", "no-objective"),
        experiment=Experiment(seed=7),
        model_args={"openai/gpt-4o": {"responses_api": False}},
        base_urls={"openai": "http://127.0.0.1:1/v1"},
    )
    cells = plan.cells()
    assert len(cells) == 8 and len(set(cells)) == 8
    assert len({cell.task_name for cell in cells if cell.model == ORGANISM}) == 4
    assert plan.base_url("openai/gpt-4o") == "http://127.0.0.1:1/v1"
    assert plan.base_url(ORGANISM) is None
    assert plan.args_for("openai/gpt-4o") == {"responses_api": False}
    assert plan.args_for(ORGANISM) == {"seed": "7"}


def test_the_rerun_command_reproduces_the_plan_and_policy() -> None:
    plan = SweepPlan(
        models=("openai/gpt-4o", ORGANISM),
        variants=("default", "no-objective"),
        experiment=Experiment(limit=3, seed=2, suffix=False, scratchpad=False, max_turns=2),
        model_args={ORGANISM: {"p": 0.25}},
        base_urls={"openai": "http://127.0.0.1:9/v1"},
    )
    policy = RetryPolicy(max_retries=1, retry_attempts=5)
    command = rerun_command(plan, policy, "out dir")
    assert command.startswith("afscope sweep --models openai/gpt-4o,organism/opus-like")
    assert "--max-retries 1 --retry-attempts 5 --log-dir 'out dir'" in command

    captured: dict[str, Any] = {}
    args = command.split(" ", 2)[2].replace("'out dir'", "out").split(" ")
    result = CliRunner().invoke(_parser(captured), args)
    assert result.exit_code == 0, result.output
    assert _plan(captured) == plan


def _parser(captured: dict[str, Any]) -> click.Command:
    """The sweep command's own options, parsed into ``captured`` without running anything."""
    from afscope.cli._sweep import sweep

    return click.Command("parse", params=sweep.params, callback=lambda **kw: captured.update(kw))


def test_retry_policy_defaults_reach_eval_set_and_bad_values_are_refused() -> None:
    args = RetryPolicy().eval_set_args(220)
    assert args["fail_on_error"] is True and args["continue_on_fail"] is True
    assert args["retry_attempts"] == 3
    # concurrency is Inspect's adaptive one (a fixed max_connections would turn it off) ...
    assert "max_connections" not in args and args["adaptive_connections"] is None
    # ... and a user's --max-connections fixes it there
    fixed = RetryPolicy(max_connections=4).eval_set_args(220)
    assert fixed["max_connections"] == 4 and "adaptive_connections" not in fixed
    # ... and --adaptive-max N keeps it adaptive, capped at N (Inspect's AdaptiveConcurrency max)
    capped = RetryPolicy(adaptive_max=30).eval_set_args(220)
    assert capped["adaptive_connections"] == 30 and "max_connections" not in capped
    assert RetryPolicy(adaptive_max=30).options() == ["--adaptive-max", "30"]  # reruns keep it
    with pytest.raises(ConfigError, match="give one of them"):
        RetryPolicy(max_connections=4, adaptive_max=30)
    # the log file is written about 50 times per cell, whatever its size (linear cost)
    assert args["log_buffer"] == 5 and args["score_display"] is False
    assert RetryPolicy().eval_args(20_000)["log_buffer"] == 400
    assert RetryPolicy().eval_args(3)["log_buffer"] == 1
    assert RetryPolicy(log_buffer=1).eval_args(20_000)["log_buffer"] == 1
    assert RetryPolicy(sdk_retries=2).sdk_model_args("openai") == {"max_retries": 2}
    assert RetryPolicy().sdk_model_args("organism") == {}
    with pytest.raises(ConfigError, match="max_connections must be at least 1"):
        RetryPolicy(max_connections=0)
    with pytest.raises(ConfigError, match="max_retries must not be negative"):
        RetryPolicy(max_retries=-1)


# --- checks before anything is sent ----------------------------------------------------------


def test_every_name_is_checked_before_anything_runs() -> None:
    with pytest.raises(UnknownNameError, match=r"setting 'helpful-onyl'.*did you mean"):
        validate_plan(SweepPlan(models=(ORGANISM,), settings=("helpful-onyl",)))
    with pytest.raises(UnknownNameError, match="variant 'no-objectiv'"):
        validate_plan(SweepPlan(models=(ORGANISM,), variants=("default", "no-objectiv")))
    with pytest.raises(UnknownNameError):
        validate_plan(SweepPlan(models=("organism/no-such-preset",)))
    with pytest.raises(ConfigError, match="unknown organism parameter"):
        validate_plan(SweepPlan(models=(ORGANISM,), model_args={ORGANISM: {"nope": 1}}))


def test_keys_are_checked_for_every_provider_without_a_base_url() -> None:
    plan = SweepPlan(models=("anthropic/claude-x", "openai/gpt-4o", ORGANISM))
    with pytest.raises(ProviderError, match="ANTHROPIC_API_KEY"):
        validate_plan(plan, environ={"OPENAI_API_KEY": "k"})
    with pytest.raises(ProviderError, match="OPENAI_API_KEY"):
        validate_plan(plan, environ={"ANTHROPIC_API_KEY": "k"})
    local = SweepPlan(models=("openai/gpt-4o",), base_urls={"openai": "http://127.0.0.1:1/v1"})
    prompts = validate_plan(local, environ={})
    assert len(prompts) == 1 and len(prompts[0].plan.user_turns) > 0


def test_a_missing_key_fails_fast_naming_the_variable_and_writes_no_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    log_dir = tmp_path / "logs"
    result = invoke("--models", f"openai/gpt-4o,{ORGANISM}", "--log-dir", str(log_dir))
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output and "Traceback" not in result.output
    assert not log_dir.exists()


def test_an_unknown_provider_fails_before_any_cell_runs(tmp_path: Path) -> None:
    log_dir = tmp_path / "logs"
    result = invoke("--models", f"{ORGANISM},nope/x", "--limit", "1", "--log-dir", str(log_dir))
    assert result.exit_code == 2
    assert "--models: unknown model provider 'nope' in 'nope/x'" in result.output
    assert not log_dir.exists()


def test_dry_run_prints_per_model_requests_and_tokens_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # a dry run needs no key
    log_dir = tmp_path / "logs"
    result = invoke(
        "--models",
        f"openai/gpt-4o,{ORGANISM}",
        "--variants",
        "default,no-objective",
        "--limit",
        "3",
        "--log-dir",
        str(log_dir),
        "--dry-run",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] is True
    by_model = {row["model"]: row for row in data["models"]}
    assert set(by_model) == {"openai/gpt-4o", ORGANISM}
    for row in by_model.values():
        assert row["cells"] == 2 and row["samples"] == 12 and row["requests"] == 12
        assert row["input_tokens"] > 12 * 1000 and row["output_tokens"] > 0
    assert by_model["openai/gpt-4o"]["usd"] > 0 and by_model[ORGANISM]["usd"] == 0
    assert not log_dir.exists()
    text = invoke("--models", ORGANISM, "--limit", "2", "--dry-run").output
    assert text.startswith("dry run: nothing sent.") and f"{ORGANISM}: 4 requests" in text
    assert "price" in text


# --- end to end on the organism --------------------------------------------------------------


def test_a_sweep_runs_the_grid_prints_a_row_per_cell_and_writes_one_report(
    tmp_path: Path,
) -> None:
    args = (
        "--models",
        ORGANISM,
        "--variants",
        "default,no-objective",
        "--limit",
        "3",
        "--log-dir",
        str(tmp_path),
    )
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert data["complete"] is True and data["rerun"] is None
    assert [c["variant"] for c in data["cells"]] == ["default", "no-objective"]
    assert all(c["samples"] == 6 and c["simulated"] for c in data["cells"])
    report = Path(data["report"])
    assert report == tmp_path / "report.html" and report.stat().st_size > 1000
    html = report.read_text(encoding="utf-8")
    assert "no-objective" in html
    logs = sorted(tmp_path.glob("*.eval"))
    assert len(logs) == 2

    # a rerun of the finished sweep reuses both logs and writes no new one
    table = invoke(*args, "--report", str(tmp_path / "again.html"))
    assert table.exit_code == 0, table.output
    assert sorted(tmp_path.glob("*.eval")) == logs
    assert "no-objective" in table.output and "SIMULATED" in table.output
    assert (tmp_path / "again.html").exists()


# --- results ---------------------------------------------------------------------------------


def _records(run: RunInfo, outcomes: list[tuple[str, str]]) -> list[SampleRecord]:
    from afscope.records import Outcome, Tier

    return [
        SampleRecord(
            sample_id=f"q{i // 2}:{tier}",
            query_id=f"q{i // 2}",
            category="c",
            tier=Tier(tier),
            setting=run.setting,
            outcome=Outcome(outcome),
            model=run.model,
            malformed_reason="sample error: boom" if outcome == "malformed" else None,
        )
        for i, (tier, outcome) in enumerate(outcomes)
    ]


def test_failed_samples_are_listed_not_scored_and_faults_are_counted() -> None:
    run = RunInfo(model="openai/gpt-4o", setting="helpful-only", simulated=False)
    records = _records(
        run,
        [
            ("free", "accepted"),
            ("paid", "rejected"),
            ("free", "accepted"),
            ("paid", "malformed"),
        ],
    )
    result = cell_result(run, records, FaultCounts(retries=4, errors=2, failed=("q1:paid",)))
    assert result.faults.failed == ("q1:paid",)
    assert result.summary.samples == 3 and result.summary.errors == ("q1:paid",)
    row = dict(zip(TABLE_HEADER, table_rows([result])[0], strict=True))
    assert row["n"] == "3" and row["failed"] == "1"
    assert row["retries"] == "4" and row["errors"] == "2"
    # with their Wilson intervals: 2 of 2 free, 0 of 1 paid (the malformed one is left out)
    assert row["free"] == "100% [34%, 100%]" and row["paid"] == "0% [0%, 79%]"
    assert row["AF free/paid"] == "not judged"
    data = result.to_json()
    assert data["failed"] == ["q1:paid"] and data["retries"] == 4


def test_public_api_is_exactly_all() -> None:
    exported = {name for name in dir(afscope.sweep) if not name.startswith("_")}
    public_modules = {"annotations"}
    assert set(afscope.sweep.__all__) <= exported
    assert exported - set(afscope.sweep.__all__) - public_modules <= {"TYPE_CHECKING", "Path"}


def test_the_text_summary_lists_failed_samples_with_the_command_that_retries_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from afscope.cli._sweep_results import print_results

    run = RunInfo(model="openai/gpt-4o", setting="helpful-only", simulated=False)
    records = _records(run, [("free", "accepted"), ("paid", "malformed")])
    result = cell_result(run, records, FaultCounts(retries=1, errors=1, failed=("q0:paid",)))
    print_results([result], True, "afscope sweep --models openai/gpt-4o", Path("r.html"))
    out = capsys.readouterr().out
    assert "1 samples failed after all retries" in out
    assert "openai/gpt-4o · helpful-only · default: q0:paid" in out
    assert "afscope sweep --models openai/gpt-4o" in out and "report: r.html" in out
    assert "SIMULATED" not in out


def test_inspect_prerequisite_errors_are_recognised_without_its_private_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A missing key at get_model() must become one line, not a traceback; the class is private."""
    from inspect_ai.model import get_model

    from afscope.harness._sweep import _is_prerequisite

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZUREAI_OPENAI_API_KEY", raising=False)
    with pytest.raises(Exception) as caught:
        get_model("openai/gpt-4o", memoize=False)
    assert _is_prerequisite(caught.value)
    assert not _is_prerequisite(RuntimeError("a bug"))
    assert _is_prerequisite(ValueError("unknown provider"), ValueError)
