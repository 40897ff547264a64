"""What a user sees around a run: next steps, a finished log not run again, missing extras."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from afscope.cli import cli


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "matplotlib" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.fixture(scope="module")
def finished_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    log_dir = tmp_path_factory.mktemp("logs")
    result = invoke("run", "--limit", "2", "--log-dir", str(log_dir))
    assert result.exit_code == 0, result.output
    (log,) = log_dir.glob("*.eval")
    return log, result.output


def test_a_run_says_what_to_do_next(finished_log: tuple[Path, str]) -> None:
    log, output = finished_log
    assert f"afscope report {log}" in output
    assert f"inspect view --log-dir {log.parent}" in output


def test_resume_of_a_finished_log_says_so_and_runs_nothing(
    finished_log: tuple[Path, str],
) -> None:
    log, _ = finished_log
    result = invoke("resume", str(log))
    assert result.exit_code == 0, result.output
    assert "this run finished" in result.output and "nothing to resume" in result.output
    assert list(log.parent.glob("*.eval")) == [log]  # no second log written


def test_report_without_the_report_extra_is_one_line_before_any_work(
    finished_log: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_matplotlib(monkeypatch)
    log, _ = finished_log
    target = tmp_path / "report.html"
    result = invoke("report", str(log), "-o", str(target))
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: afscope report needs matplotlib: install the 'report' extra "
        "(pip install 'afscope[report]')"
    ]
    assert not target.exists()


def test_sweep_without_the_report_extra_stops_before_sending_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_matplotlib(monkeypatch)
    sweep_dir = tmp_path / "sweep"
    result = invoke(
        "sweep", "--models", "organism/opus-like", "--limit", "1", "--log-dir", str(sweep_dir)
    )
    assert result.exit_code == 2
    assert "install the 'report' extra" in result.output
    assert not list(tmp_path.rglob("*.eval"))


def test_help_lists_the_settings_and_explains_every_option() -> None:
    help_text = CliRunner().invoke(cli, ["run", "--help"], terminal_width=200).output
    assert "helpful-only, animal-welfare" in help_text
    assert "Casing of the tier cue" in help_text and "Model turns per sample" in help_text
