"""Two sweeps into one log directory: the second refuses in one line instead of racing the first."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from afscope.cli import cli
from afscope.sweep import LOCK_NAME

HOLD = """
import sys, time
from afscope.sweep import directory_lock
with directory_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(60)
"""


def _sweep(log_dir: Path) -> tuple[int, str]:
    args = ["sweep", "--models", "organism/opus-like", "--limit", "1", "--log-dir", str(log_dir)]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def test_a_second_sweep_refuses_while_the_first_holds_the_directory(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, output = _sweep(tmp_path)
        assert code == 2, output
        assert f"another afscope sweep (pid {holder.pid}) is running in {tmp_path}" in output
        assert len(output.strip().splitlines()) == 1 and not list(tmp_path.glob("*.eval"))
    finally:
        holder.send_signal(signal.SIGKILL)  # a killed holder must not leave a stale lock
        holder.wait(timeout=30)
    code, output = _sweep(tmp_path)
    assert code == 0, output
    assert len(list(tmp_path.glob("*.eval"))) == 1 and (tmp_path / LOCK_NAME).exists()
