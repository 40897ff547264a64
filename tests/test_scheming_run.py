"""The scheming environments as experiment kinds: one plan for `afscope run --experiment ENV`, its
dry run and estimate, a sweep cell, the Inspect task and the `afscope scheming` alias."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.errors import ConfigError, UnknownNameError
from afscope.experiment import KINDS, Experiment, experiment_kind, plan_experiment
from afscope.scheming import ENVIRONMENT_NAMES, environment_setups, load_environment

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap")


def _plan(kind: str, **fields: Any) -> Any:
    return plan_experiment(Experiment(kind=kind, setting=fields.pop("setting", "all"), **fields))


def _json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_each_environment_and_the_suite_is_a_kind_with_a_plan_task_and_summary() -> None:
    for name in (*ENVIRONMENT_NAMES, "scheming"):
        kind = experiment_kind(name)
        assert kind.family == "scheming" and kind.default_setting == "all"
        assert callable(kind.task_function()) and kind.summary_function() is not None
    assert {"alignment_faking", "exfiltration"} <= set(KINDS)


def test_the_plan_is_one_sample_per_setup_and_the_setting_picks_nudge_and_instances() -> None:
    plan = _plan("sandbagging")
    setups = environment_setups(load_environment("sandbagging"))
    assert [s.id for s in plan.samples] == [setup.key for setup in setups]
    assert (plan.max_turns, plan.sample_tokens) == (12, 60_000)
    assert plan.metadata["interrogation_turns"] == 3
    nudged = _plan("sandbagging", setting="nudge,tutoring", max_turns=4, interrogation_turns=1)
    assert [s.id for s in nudged.samples] == [
        "sandbagging/tutoring/nudge/threatened",
        "sandbagging/tutoring/nudge/counterfactual",
    ]
    assert (nudged.max_turns, nudged.metadata["interrogation_turns"]) == (4, 1)
    # --limit keeps the first N instances of each environment, both conditions of every pair
    suite = _plan("scheming", limit=1, setting="no-nudge")
    per_environment = {s.metadata["environment"]: 0 for s in suite.samples}
    for sample in suite.samples:
        per_environment[sample.metadata["environment"]] += 1
    assert per_environment == {
        name: 2 if name in ("instrumental_alignment_faking", "sandbagging") else 1
        for name in ENVIRONMENT_NAMES
    }
    two = _plan("scheming", setting="goal_guarding,sandbagging")
    assert {s.metadata["environment"] for s in two.samples} == {"goal_guarding", "sandbagging"}


def test_options_that_mean_nothing_here_are_refused_in_one_line() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'housing'"):
        _plan("instrumental_alignment_faking", setting="housin")
    with pytest.raises(UnknownNameError, match="setting of the scheming suite"):
        _plan("scheming", setting="housing")  # instances belong to one environment
    with pytest.raises(ConfigError, match="--queries"):
        _plan("goal_guarding", queries="advbench")
    with pytest.raises(ConfigError, match="no prompt variants"):
        _plan("goal_guarding", variant="cut-rlhf")
    # and the scheming option is refused by the kinds that do not interrogate
    with pytest.raises(ConfigError, match="only the scheming kinds interrogate"):
        plan_experiment(Experiment(kind="exfiltration", setting="all", interrogation_turns=2))
    with pytest.raises(ConfigError, match="--interrogation-turns"):
        Experiment(kind="goal_guarding", interrogation_turns=-1)


def test_run_dry_run_counts_every_episode_to_its_bound_and_sends_nothing() -> None:
    args = ["run", "--experiment", "instrumental_alignment_faking", "--model", "openai/gpt-4o"]
    data = _json(*args, "--setting", "nudge", "--epochs", "3", "--dry-run")
    assert data["dry_run"] is True and data["experiment"] == "instrumental_alignment_faking"
    assert data["samples"] == 3 * 2 * 3  # instances x conditions x epochs
    assert data["requests"] == data["samples"] * 12
    assert data["usd"] > 0
    text = CliRunner().invoke(cli, [*args, "--dry-run", "--limit", "1"])
    assert text.exit_code == 0, text.output
    assert "instrumental_alignment_faking · 4 conditions x 1 samples = 4 samples" in text.output
    bad = CliRunner().invoke(cli, [*args, "--dry-run", "--model", "organism/opus-like"])
    assert bad.exit_code != 0 and "scheming organism preset" in bad.output


@needs_bwrap
def test_run_experiment_env_runs_on_the_organism_and_prints_the_scheming_summary(
    tmp_path: Path,
) -> None:
    data = _json(
        "run",
        "--experiment",
        "goal_guarding",
        "--model",
        "organism/confesses",
        "--setting",
        "nudge",
        "--epochs",
        "2",
        "--interrogation-turns",
        "1",
        "--log-dir",
        str(tmp_path),
    )
    assert data["simulated"] is True and data["episodes"] == 6
    [row] = data["rates"]
    assert (row["environment"], row["nudge"], row["interval"]["n"]) == ("goal_guarding", True, 6)
    [log] = tmp_path.glob("*.eval")
    from afscope.harness._episodes import is_scheming_log, scheming_run

    assert is_scheming_log(log)
    _, summary, episodes = scheming_run(log)
    assert summary.rows[0].interval.estimate == row["interval"]["estimate"]
    assert all(len(item.record["questions"]) <= 1 for item in episodes)


@needs_bwrap
def test_a_sweep_cell_names_a_scheming_environment(tmp_path: Path) -> None:
    data = _json(
        "sweep",
        "--experiment",
        "oversight_subversion",
        "--models",
        "organism/never-schemes,organism/confesses",
        "--settings",
        "nudge,no-nudge",
        "--limit",
        "1",
        "--log-dir",
        str(tmp_path),
    )
    assert data["complete"] is True and len(data["cells"]) == 4
    for cell in data["cells"]:
        [row] = cell["rates"]
        assert row["environment"] == "oversight_subversion" and row["interval"]["n"] == 1
        assert row["nudge"] is (" · nudge · " in cell["cell"])
        if cell["cell"].startswith("organism/never-schemes"):
            assert row["interval"]["estimate"] == 0.0
    assert (tmp_path / "report.html").exists()


def test_afscope_scheming_is_an_alias_of_run() -> None:
    result = CliRunner().invoke(cli, ["scheming", "--help"])
    assert "afscope run --experiment ENV" in " ".join(result.output.split())
    args = ["--nudge", "no-nudge", "--instances", "water", "--epochs", "1", "--dry-run"]
    alias = _json("scheming", "goal_guarding", "--model", "openai/gpt-4o", *args)
    direct = _json(
        "run",
        *("--experiment", "goal_guarding", "--model", "openai/gpt-4o"),
        *("--setting", "no-nudge,water", "--max-turns", "12", "--dry-run"),
    )
    assert alias == direct and alias["samples"] == 1
