"""Ctrl-C of a real `afscope sweep`: no "successfully", exit 130, what was kept and the rerun.

Inspect's eval-set printed "Completed all tasks ... successfully" after a Ctrl-C (its eval returns
no log for a cancelled run), then the sweep failed on the missing log with exit 2.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log_sample_summaries

pytestmark = pytest.mark.slow  # a real sweep on the organism, interrupted, then finished

SAMPLES = 40 * 2 * 2  # queries x tiers x epochs
BOUND = 120.0  # seconds for any wait below


def finished(log_dir: Path) -> int:
    done = 0
    for log in log_dir.glob("*.eval"):
        with contextlib.suppress(Exception):  # the file is being written
            done += len(read_eval_log_sample_summaries(str(log)))
    return done


def sweep_command(log_dir: Path) -> list[str]:
    afscope = str(Path(sys.executable).with_name("afscope"))
    return [
        afscope,
        "sweep",
        "--models",
        "organism/opus-like",
        "--limit",
        "40",
        "--epochs",
        "2",
        "--max-connections",
        "2",
        "--log-buffer",
        "5",
        "--log-dir",
        str(log_dir),
    ]


def test_ctrl_c_of_a_sweep_says_what_was_kept_and_how_to_finish(tmp_path: Path) -> None:
    process = subprocess.Popen(
        sweep_command(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + BOUND
        while finished(tmp_path) < 10:
            assert process.poll() is None, "the sweep ended before it could be interrupted"
            assert time.monotonic() < deadline, "the sweep wrote no samples"
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=BOUND)
    finally:
        process.kill()
    assert process.returncode == 130, err[-2000:]
    assert "successfully" not in out + err
    assert "Traceback" not in err and "error:" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("interrupted")]
    kept, _, command = line.partition("; finish the sweep with: ")
    assert kept.endswith(f"finished samples kept in {tmp_path}")
    assert 10 <= int(kept.split()[1]) < SAMPLES
    assert f"--log-dir {tmp_path}" in command

    # the printed command finishes the sweep
    rerun = shlex.split(command)
    assert rerun[:2] == ["afscope", "sweep"]
    rerun[0] = sweep_command(tmp_path)[0]
    result = subprocess.run(
        [*rerun, "--json"], capture_output=True, text=True, timeout=BOUND, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["complete"] is True
    assert [cell["samples"] for cell in summary["cells"]] == [SAMPLES]
