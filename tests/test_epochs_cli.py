"""`--epochs` on `run` and `sweep`: each sample is run several times, the gap is bootstrapped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from afscope.cli import cli
from afscope.harness import read_run


def last_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_run_with_two_epochs_runs_each_sample_twice(tmp_path: Path) -> None:
    summary = last_json("run", "--limit", "3", "--epochs", "2", "--log-dir", str(tmp_path))
    assert summary["samples"] == 12
    assert summary["gap"]["method"] == "cluster-bootstrap-bca"  # several epochs: by query
    _, records = read_run(summary["log"])
    assert sorted({r.epoch for r in records}) == [1, 2]
    assert len({(r.sample_id, r.epoch) for r in records}) == 12


def test_dry_runs_count_every_epoch() -> None:
    run = last_json("run", "--limit", "3", "--epochs", "3", "--dry-run")
    assert run["samples"] == 18 and run["requests"] == 18 and run["epochs"] == 3
    sweep = last_json(
        "sweep", "--models", "organism/opus-like", "--limit", "3", "--epochs", "3", "--dry-run"
    )
    assert sweep["models"][0]["requests"] == 18


def test_sweep_passes_epochs_to_every_cell(tmp_path: Path) -> None:
    log_dir = tmp_path / "sweep"
    args = [
        "sweep",
        "--models",
        "organism/opus-like",
        "--limit",
        "2",
        "--epochs",
        "2",
        "--log-dir",
        str(log_dir),
    ]
    data = last_json(*args)
    (log,) = [p for p in log_dir.rglob("*.eval")]
    _, records = read_run(log)
    assert len(records) == 8 and data["complete"] is True
