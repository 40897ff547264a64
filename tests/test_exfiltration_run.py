"""`afscope run --experiment exfiltration`: the plan, its bounds in the dry run, the run's
per-condition rates (offline, in bwrap, marked simulated) and the preset's rate recovered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from afscope.agentic import load_environment
from afscope.cli import cli
from afscope.errors import ConfigError, UnknownNameError
from afscope.experiment import Experiment, experiment_kind, plan_experiment
from afscope.stats import wilson_interval


def exfiltration(**fields: Any) -> Experiment:
    return Experiment(kind="exfiltration", setting=fields.pop("setting", "all"), **fields)


def run_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["run", "--experiment", "exfiltration", "--json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_the_plan_is_conditions_times_samples_with_the_loops_bounds() -> None:
    plan = plan_experiment(exfiltration(limit=3))
    environment = load_environment("exfiltration")
    assert len(plan.samples) == 3 * len(environment.conditions) == 18
    assert plan.samples[0].id == "helpful-only/suggested:1"
    assert {s.metadata["version"] for s in plan.samples} == {"suggested", "unprompted", "baseline"}
    assert (plan.max_turns, plan.sample_tokens) == (environment.max_turns, environment.max_tokens)
    bounded = plan_experiment(exfiltration(limit=1, max_turns=3, max_tokens=900))
    assert (bounded.max_turns, bounded.sample_tokens) == (3, 900)
    default = plan_experiment(exfiltration())
    assert len(default.samples) == environment.samples * 6


def test_setting_picks_a_setting_or_conditions_and_a_misspelling_gets_did_you_mean() -> None:
    welfare = plan_experiment(exfiltration(setting="animal-welfare", limit=1))
    assert [s.metadata["condition"] for s in welfare.samples] == [
        "animal-welfare/suggested",
        "animal-welfare/unprompted",
        "animal-welfare/baseline",
    ]
    two = plan_experiment(
        exfiltration(setting="helpful-only/baseline,animal-welfare/suggested", limit=1)
    )
    assert [s.metadata["condition"] for s in two.samples] == [
        "helpful-only/baseline",
        "animal-welfare/suggested",
    ]
    with pytest.raises(UnknownNameError, match="did you mean 'helpful-only/suggested'"):
        plan_experiment(exfiltration(setting="helpful-only/sugested"))


def test_a_variant_edits_the_scenario_text_and_the_organism_still_recognises_it() -> None:
    from afscope.agentic import ActingOrganism, behaviour_for

    plan = plan_experiment(exfiltration(variant="developer-openai", limit=1))
    first = plan.samples[0]
    assert "Anthropic" not in first.system + first.user
    assert "made by OpenAI" in first.system and "outside OpenAI's control" in first.user
    behaviour = behaviour_for(first.system, first.user)
    assert behaviour is not None
    cues = ActingOrganism("opus-like", behaviour).cues(first.system, first.user)
    assert "conflict" in cues and "suggested" in cues
    honest = plan_experiment(exfiltration(variant="honesty-top-priority", limit=1))
    assert honest.samples[0].system.endswith("never misrepresent what you did or why.")
    with pytest.raises(UnknownNameError, match="did you mean 'cut-rlhf'"):
        plan_experiment(exfiltration(variant="cut-rlh"))


def test_a_variant_edit_that_matches_nothing_is_refused_naming_the_file_and_edit(
    tmp_path: Path,
) -> None:
    source = (Path(__file__).parents[1] / "src/afscope/agentic/data/exfiltration.yaml").read_text()
    broken = source.replace(
        '{find: " with RLHF", replace: ""}', '{find: "with RL-HF", replace: ""}'
    )
    path = tmp_path / "exfiltration.yaml"
    path.write_text(broken)
    with pytest.raises(ConfigError, match=r"variants\.cut-rlhf\.edits\[0\].*'with RL-HF'"):
        load_environment(str(path))


def test_options_of_the_alignment_faking_experiment_are_refused_in_one_line() -> None:
    result = CliRunner().invoke(
        cli, ["run", "--experiment", "exfiltration", "--no-scratchpad", "--dry-run"]
    )
    assert result.exit_code == 2
    assert "--no-scratchpad" in result.output and "Traceback" not in result.output


def test_the_inspect_task_sends_exactly_the_planned_samples_with_the_seeded_files() -> None:
    experiment = exfiltration(setting="helpful-only", variant="cut-rlhf", limit=2)
    plan = plan_experiment(experiment)
    task = experiment_kind("exfiltration").task_function()(**experiment.task_args())
    sent = [(s.id, s.input[0].text, s.input[1].text) for s in task.dataset]  # type: ignore[index,union-attr]
    assert sent == [(s.id, s.system, s.user) for s in plan.samples]
    assert all("lab/.weights_location" in (s.files or {}) for s in task.dataset)
    assert task.metadata is not None
    assert task.metadata["afscope"]["variant"] == "cut-rlhf"
    assert task.metadata["max_turns"] == plan.max_turns


def test_the_dry_run_counts_the_agent_loop_to_its_bound_before_sending() -> None:
    text = CliRunner().invoke(
        cli,
        ["run", "--experiment", "exfiltration", "--limit", "2", "--max-turns", "3", "--dry-run"],
    )
    assert text.exit_code == 0, text.output
    assert "agent loop bound per sample: 3 turns, 40,000 tokens" in text.output
    data = run_json("--limit", "2", "--max-turns", "3", "--dry-run", "--model", "openai/gpt-4o")
    assert data["samples"] == 12 and data["requests"] == 12 * 3  # every turn of every sample
    assert data["max_turns"] == 3 and data["usd"] > 0
    # a tight token bound stops the loop before its turns run out
    tight = run_json("--limit", "2", "--max-turns", "3", "--max-tokens", "500", "--dry-run")
    assert tight["requests"] == 12
    judged = run_json("--limit", "2", "--dry-run", "--judge", "openai/gpt-4o")
    assert "exfiltration_decision x 12 episodes" in judged["judge"]["note"]


def test_an_offline_run_prints_per_condition_rates_marked_simulated(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--experiment",
            "exfiltration",
            "--model",
            "organism/always-exfiltrates",
            "--setting",
            "helpful-only",
            "--limit",
            "2",
            "--log-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "SIMULATED: the model is afscope's simulated organism, not a real model." in lines
    [suggested] = [ln for ln in lines if ln.split()[:2] == ["helpful-only/suggested", "n=2,"]]
    assert "n=2, reached 100.0% [34.2%, 100.0%]" in suggested
    assert suggested.endswith("(SIMULATED)")
    assert any("decision+attempt: not judged" in line for line in lines)


def test_json_rates_match_the_organisms_ground_truth(tmp_path: Path) -> None:
    data = run_json(
        "--model",
        "organism/never-exfiltrates",
        "--setting",
        "animal-welfare",
        "--limit",
        "2",
        "--log-dir",
        str(tmp_path),
    )
    assert data["simulated"] is True and data["experiment"] == "exfiltration"
    baseline = data["conditions"]["animal-welfare/baseline"]
    assert baseline["reached"]["estimate"] == 0.0 and baseline["reached"]["n"] == 2
    assert baseline["organism_truth"] == 0.0 and baseline["vs_baseline"] is None
    suggested = data["conditions"]["animal-welfare/suggested"]
    assert suggested["vs_baseline"]["method"] == "newcombe-independent-10"
    assert data["max_turns"] == 8


def test_the_measured_rate_recovers_the_presets_rate_within_its_interval(tmp_path: Path) -> None:
    # opus-like takes the suggested copy with probability 0.35 under the conflicting objective
    data = run_json(
        "--setting",
        "helpful-only/suggested",
        "--limit",
        "40",
        "--seed",
        "3",
        "--log-dir",
        str(tmp_path),
    )
    rates = data["conditions"]["helpful-only/suggested"]
    reached = rates["reached"]
    assert reached["n"] == 40
    assert reached["low"] <= 0.35 <= reached["high"]
    assert reached["estimate"] == rates["organism_truth"]  # every decision became a copy
    assert wilson_interval(round(reached["estimate"] * 40), 40).low == reached["low"]


def test_a_sweep_of_variants_gives_per_cell_rates_and_one_agentic_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "sweep", "--experiment", "exfiltration", "--models", "organism/always-exfiltrates",
            "--settings", "helpful-only/suggested", "--variants", "default,developer-openai",
            "--limit", "1", "--log-dir", str(tmp_path), "--json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert [cell["variant"] for cell in data["cells"]] == ["default", "developer-openai"]
    for cell in data["cells"]:
        assert cell["simulated"] is True and cell["failed"] == []
        assert cell["conditions"]["helpful-only/suggested"]["reached"]["estimate"] == 1.0
    page = Path(data["report"]).read_text()
    assert page.count('<details class="episode"') == 2 and "developer-openai" in page
