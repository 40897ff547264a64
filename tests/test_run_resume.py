"""An `afscope run` killed mid-way loses no finished sample, and `afscope resume` finishes it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai.log import read_eval_log

from afscope.cli import cli
from afscope.harness import read_run

QUERIES = 110  # every built-in harmful request: 220 samples


def finished_samples(log_dir: Path) -> int:
    logs = list(log_dir.glob("*.eval"))
    if not logs:
        return 0
    try:
        return len(read_eval_log(str(logs[0])).samples or [])
    except Exception:  # the file is being written
        return 0


def start_run(log_dir: Path, *, until: int, output: int | None) -> subprocess.Popen[str]:
    """`afscope run` over every built-in query, returned once `until` samples are in its log."""
    afscope = Path(sys.executable).with_name("afscope")
    command = [
        str(afscope),
        "run",
        "--limit",
        str(QUERIES),
        "--log-dir",
        str(log_dir),
        "-M",
        "multi_turn=0",
        "--max-connections",
        "2",
    ]
    process = subprocess.Popen(command, stdout=output, stderr=output, text=True)
    deadline = time.monotonic() + 60
    while finished_samples(log_dir) < until and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.2)
    return process


@pytest.mark.slow
def test_a_killed_run_is_resumed_without_redoing_or_losing_samples(tmp_path: Path) -> None:
    process = start_run(tmp_path, until=20, output=subprocess.DEVNULL)
    process.kill()
    process.wait(timeout=30)
    (killed,) = tmp_path.glob("*.eval")
    before = read_eval_log(str(killed))
    assert before.status == "started", "the run finished before it could be killed"
    # a sample's uuid is drawn when it runs: a sample generated again would get a new one
    done_before = {sample.id: sample.uuid for sample in before.samples or []}
    assert 0 < len(done_before) < 2 * QUERIES
    partial = CliRunner().invoke(cli, ["report", str(killed), "-o", str(tmp_path / "p.html")])
    assert partial.exit_code == 0, partial.output
    assert "· incomplete" in (tmp_path / "p.html").read_text()

    result = CliRunner().invoke(cli, ["resume", str(killed), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["samples"] == 2 * QUERIES and summary["simulated"] is True
    _, records = read_run(summary["log"])
    assert len({r.sample_id for r in records}) == 2 * QUERIES == len(records)
    after = {s.id: s.uuid for s in read_eval_log(summary["log"]).samples or []}
    # samples finished before the kill were kept as they were, not generated again
    assert all(after[sample_id] == uuid for sample_id, uuid in done_before.items())
    assert len(set(after.values())) == 2 * QUERIES

    # a report over the directory counts each sample once: the resumed log stands for both
    report = CliRunner().invoke(cli, ["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output
    assert f"1 run(s), {2 * QUERIES} samples" in report.stdout
    assert f"note: {killed} left out" in report.stderr
    assert "incomplete" not in (tmp_path / "r.html").read_text()


@pytest.mark.slow
def test_ctrl_c_keeps_a_resumable_log_and_prints_the_resume_command(tmp_path: Path) -> None:
    """A real SIGINT mid-run: exit 130, a line with what was kept and the exact resume command."""
    process = start_run(tmp_path, until=10, output=subprocess.PIPE)
    process.send_signal(signal.SIGINT)
    try:
        _out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    (log,) = tmp_path.glob("*.eval")
    lines = [line for line in err.splitlines() if line.startswith("interrupted")]
    assert len(lines) == 1 and f"finish the run with: afscope resume {log}" in lines[0]
    assert "finished samples kept" in lines[0]

    result = CliRunner().invoke(cli, ["resume", str(log), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["samples"] == 2 * QUERIES
