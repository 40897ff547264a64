"""What Ctrl-C leaves behind ends cleanly: a log cut off before its start, threads left waiting.

Measured on a terminal (Ctrl-C 6-8 s into `afscope run` on the organism): 4 of 14 interrupted
runs printed their "interrupted" line and then never exited (the interpreter waited on an anyio
worker thread of the cancelled run's closed loop), and one left an .eval file with no start in
it that every reader refused with KeyError '_journal/start.json'.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from afscope.cli._interrupted import Interrupted
from afscope.errors import DataError
from afscope.harness import read_run_info
from afscope.harness._header import cut_off_before_start


def cut_off_log(folder: Path) -> Path:
    """An .eval zip as Inspect leaves it when Ctrl-C lands before it wrote the run's start."""
    log = folder / "2026-01-01T00-00-00-00-00_alignment-faking_abc.eval"
    with zipfile.ZipFile(log, "w"):
        pass
    return log


def test_a_log_cut_off_before_its_start_is_removed_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = cut_off_log(tmp_path)
    Interrupted(log).show()
    err = capsys.readouterr().err
    assert err.startswith("interrupted before the run's log was started: no sample was kept")
    assert "run the same command again" in err and "afscope resume" not in err
    assert not log.exists()  # a report over the directory no longer trips on it


def test_readers_name_a_cut_off_log_and_say_what_to_do(tmp_path: Path) -> None:
    log = cut_off_log(tmp_path)
    with pytest.raises(DataError) as raised:
        read_run_info(log)
    assert "cut off before its run started" in str(raised.value)
    assert "run the command again" in str(raised.value) and str(log) in str(raised.value)


def test_a_started_log_is_not_taken_for_a_cut_off_one(tmp_path: Path) -> None:
    started = tmp_path / "started.eval"
    with zipfile.ZipFile(started, "w") as archive:
        archive.writestr("_journal/start.json", "{}")
    with_samples = tmp_path / "samples.eval"
    with zipfile.ZipFile(with_samples, "w") as archive:
        archive.writestr("samples/a_epoch_1.json", "{}")
    assert cut_off_before_start(cut_off_log(tmp_path))
    assert not cut_off_before_start(started) and not cut_off_before_start(with_samples)


# Ctrl-C escapes a run's loop while the task that started a worker thread is still pending:
# anyio stops its worker when that task is done, which never comes, so the worker waits for
# work from a closed loop, and it is not a daemon
LEFT_WAITING = textwrap.dedent(
    """
    import asyncio, anyio.to_thread

    def ctrl_c():
        raise KeyboardInterrupt

    async def run():
        await anyio.to_thread.run_sync(lambda: None)
        asyncio.get_running_loop().call_soon(ctrl_c)
        await asyncio.sleep(100)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(run())
    except KeyboardInterrupt:
        loop.close()
    print("ended", flush=True)
    """
)


@pytest.mark.parametrize("release", [False, True], ids=["as-before", "released"])
def test_threads_an_interrupted_run_left_waiting_do_not_hold_the_exit(release: bool) -> None:
    script = LEFT_WAITING
    if release:
        script += "from afscope.cli._interrupted import release_worker_threads\n"
        script += "release_worker_threads()\n"
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "ended\n"
        if release:
            assert process.wait(timeout=20) == 0
        else:  # the hang this guards against: the interpreter waits on the worker at exit
            time.sleep(2)
            assert process.poll() is None
    finally:
        process.kill()
        process.wait()
