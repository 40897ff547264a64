"""The experiment value and its plan: validated once, and what the plan says is what is sent."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval

from afscope.cli import cli
from afscope.errors import ConfigError, UnknownNameError
from afscope.experiment import Experiment, experiment_kind, plan_experiment
from afscope.harness._task import scratchpad_loop, task_from_plan


def test_bad_values_are_refused_naming_the_option() -> None:
    with pytest.raises(ConfigError, match="--adaptive"):
        Experiment(judge_adaptive="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="--tier-casing"):
        Experiment(tier_casing="upper")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="--limit"):
        Experiment(limit=0)
    with pytest.raises(UnknownNameError, match="did you mean 'alignment_faking'"):
        Experiment(kind="alignment_fakin")


def test_the_plan_resolves_the_setting_defaults_and_pairs_tiers_by_query() -> None:
    helpful = plan_experiment(Experiment(limit=3))
    welfare = plan_experiment(Experiment(setting="animal-welfare", limit=3, scratchpad=False))
    assert helpful.suffix is True and welfare.suffix is False  # each setting's own default
    assert welfare.max_turns == 1  # no scratchpad: nothing to continue
    ids = [s.id for s in helpful.samples]
    assert len(ids) == 6 and ids[0].endswith(":free") and ids[1].endswith(":paid")
    assert ids[0].split(":")[0] == ids[1].split(":")[0]
    assert "<SCRATCHPAD_REASONING>" not in welfare.system_prompt
    assert helpful.samples[0].user != helpful.samples[1].user  # the tier cue differs
    with pytest.raises(UnknownNameError, match="variant"):
        plan_experiment(Experiment(variant="no-objectiv"))


def test_the_inspect_task_sends_exactly_the_planned_samples(tmp_path: Path) -> None:
    experiment = Experiment(setting="animal-welfare", variant="no-objective", limit=2)
    plan = plan_experiment(experiment)
    task = experiment_kind("alignment_faking").task_function()(**experiment.task_args())
    # the input is the first user turn; the task's first solver step puts the system prompt first
    assert [(s.id, s.input) for s in task.dataset] == [(s.id, s.user) for s in plan.samples]
    (log,) = inspect_eval(task, model="mockllm/model", display="none", log_dir=str(tmp_path))
    assert log.samples is not None
    sent = {s.id: [(m.role, m.text) for m in s.messages[:2]] for s in log.samples}
    assert sent == {s.id: [("system", s.system), ("user", s.user)] for s in plan.samples}
    assert task.metadata is not None
    assert task.metadata["afscope"]["variant"] == "no-objective"
    assert task.metadata["afscope"]["suffix"] is False


def test_samples_with_their_own_system_prompts_are_each_sent_their_own(tmp_path: Path) -> None:
    plan = plan_experiment(Experiment(limit=2))
    # braces and a format-like field stay as written: the prompt is sent, never formatted
    prompts = [f"{s.system} {{query}} {{}} sample {n}" for n, s in enumerate(plan.samples)]
    own = replace(
        plan,
        samples=tuple(replace(s, system=p) for s, p in zip(plan.samples, prompts, strict=True)),
    )
    task = task_from_plan(own, solver=scratchpad_loop)
    (log,) = inspect_eval(task, model="mockllm/model", display="none", log_dir=str(tmp_path))
    assert log.samples is not None and len(log.samples) == len(prompts)
    sent = {s.id: [m.text for m in s.messages if m.role == "system"] for s in log.samples}
    assert sent == {s.id: [p] for s, p in zip(plan.samples, prompts, strict=True)}


def test_run_and_sweep_dry_runs_estimate_the_same_samples() -> None:
    args = ["--limit", "4", "--no-suffix", "--tier-casing", "title", "--dry-run", "--json"]
    ran = CliRunner().invoke(cli, ["run", "--setting", "animal-welfare", *args])
    swept = CliRunner().invoke(
        cli, ["sweep", "--models", "organism/opus-like", "--settings", "animal-welfare", *args]
    )
    assert ran.exit_code == 0 and swept.exit_code == 0, ran.output + swept.output
    one: dict[str, Any] = json.loads(ran.output)
    (model,) = json.loads(swept.output)["models"]
    assert one["samples"] == model["samples"] == 8
    assert one["input_tokens"] == model["input_tokens"]


def test_shared_options_reproduce_the_experiment() -> None:
    import click

    from afscope.cli._options import experiment_from_options, experiment_options

    experiment = Experiment(
        limit=3,
        seed=2,
        suffix=False,
        scratchpad=False,
        judge_votes=5,
        judge_adaptive="exact",
        monitor=True,
        max_tokens=10,
    )
    captured: dict[str, Any] = {}
    command = experiment_options(click.Command("x", callback=lambda **kw: captured.update(kw)))
    result = CliRunner().invoke(command, experiment.shared_options())
    assert result.exit_code == 0, result.output
    assert experiment_from_options(captured) == experiment
