"""An `afscope run` killed mid-way loses no finished sample, and `afscope resume` finishes it."""

from __future__ import annotations

import json
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


@pytest.mark.slow
def test_a_killed_run_is_resumed_without_redoing_or_losing_samples(tmp_path: Path) -> None:
    afscope = Path(sys.executable).with_name("afscope")
    command = [
        str(afscope), "run", "--limit", str(QUERIES), "--log-dir", str(tmp_path),
        "-M", "multi_turn=0", "--max-connections", "2",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while finished_samples(tmp_path) < 20 and time.monotonic() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        process.kill()
        process.wait(timeout=30)
    (killed,) = tmp_path.glob("*.eval")
    before = read_eval_log(str(killed))
    assert before.status == "started", "the run finished before it could be killed"
    # a sample's uuid is drawn when it runs: a sample generated again would get a new one
    done_before = {sample.id: sample.uuid for sample in before.samples or []}
    assert 0 < len(done_before) < 2 * QUERIES

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
