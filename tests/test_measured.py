"""benchmarks/measured.py prints the README's Measured table from what the benchmarks measure."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "measured.py"


def _measured(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT
    )


def _head() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_a_row_names_its_commit_and_gives_cpu_beside_wall(tmp_path: Path) -> None:
    out = tmp_path / "table.md"
    done = _measured("--only", "help", "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| `afscope --help`")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    figure, cpu, wall, peak, at = cells[1:6]
    assert re.fullmatch(r"\d+\.\d\d s wall, \d+\.\d\d s CPU", figure)
    assert re.fullmatch(r"\d+(\.\d\d)? s", cpu) and re.fullmatch(r"\d+(\.\d\d)? s", wall)
    assert re.fullmatch(r"\d+ MB", peak)
    assert at.removesuffix("+dirty") == _head()
    assert rows[0] in out.read_text(encoding="utf-8")


def test_an_unknown_row_is_refused_with_the_list_to_pick_from() -> None:
    done = _measured("--only", "helpp")
    assert done.returncode == 2
    assert "unknown rows helpp (see --list)" in done.stderr


@pytest.mark.slow
def test_the_rows_after_the_scale_curve_read_its_logs(tmp_path: Path) -> None:
    done = _measured("--quick", "--only", "scale,report,log-reading")
    assert done.returncode == 0, done.stderr
    scale = next(line for line in done.stdout.splitlines() if "cost per sample" in line)
    assert re.search(r"10: [\d.]+ s CPU .*20: [\d.]+ s CPU .*ms CPU per added sample", scale)
    reading = next(line for line in done.stdout.splitlines() if "log reading" in line)
    assert reading.count("iter_records") == 2  # one per log of the curve
    report = next(line for line in done.stdout.splitlines() if "`afscope report` over" in line)
    assert re.search(r"afscope report \S+\.eval: 1 run\(s\), 20 samples; [\d.]+ s CPU", report)


def _curve(script: str, tmp_path: Path) -> dict[str, Any]:
    """The JSON a curve benchmark writes at sizes 4 and 8, checked to name this tree's commit."""
    figures, path = tmp_path / "curve.json", ROOT / "benchmarks" / script
    done = subprocess.run(
        [sys.executable, str(path), "--samples", "4,8", "--json", str(figures)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(figures.read_text(encoding="utf-8"))
    assert data["commit"].removesuffix("+dirty") == _head()
    return data


@pytest.mark.slow
def test_the_scale_curve_writes_its_rows_and_commit(tmp_path: Path) -> None:
    data = _curve("scale_curve.py", tmp_path)
    assert [row["samples"] for row in data["rows"]] == [4, 8]
    first, second = data["rows"]
    assert first["added_cpu_ms"] is None  # CPU per added sample: against the size before
    added = (second["cpu_s"] - first["cpu_s"]) / 4 * 1000  # noise at these sizes: may be < 0
    assert second["added_cpu_ms"] == pytest.approx(added)
    assert all(row["cpu_s"] > 0 and row["peak_rss_mb"] > 0 for row in data["rows"])


@pytest.mark.slow
def test_the_memory_curve_writes_each_runs_rows_and_commit(tmp_path: Path) -> None:
    data = _curve("memory_curve.py", tmp_path)
    runs = ["bare Inspect + includes()", "afscope task", "afscope run"]
    assert [(row["run"], row["samples"]) for row in data["rows"]] == [
        (run, n) for run in runs for n in (4, 8)
    ]
    for first, second in zip(data["rows"][::2], data["rows"][1::2], strict=True):
        assert first["added_rss_kb"] is None  # per added sample: against the same run's size before
        added = (second["peak_rss_mb"] - first["peak_rss_mb"]) * 1024 / 4
        assert second["added_rss_kb"] == pytest.approx(added)
    assert all(row["cpu_s"] > 0 and row["peak_rss_mb"] > 0 for row in data["rows"])
