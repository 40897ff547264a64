"""Resume after a real SIGKILL: rerunning `afscope sweep` redoes no completed sample, loses none.

The sweep runs in a subprocess against an OpenAI-format server in this process (slowed a little
so the kill lands mid-sweep); the organism is a second model of the grid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from afscope.harness import read_run
from support.wire_servers import OpenAIServer, RecordedRequest, Reply

ANSWER = "<SCRATCHPAD_REASONING>ok</SCRATCHPAD_REASONING><OUTPUT><rejected/></OUTPUT>"
OPENAI_MODEL = "openai/gpt-4o-mini"
LIMIT = 12  # queries: 24 samples per cell, 4 cells
KILL_AFTER = 14  # first-turn requests seen by the server before the kill
BOUND = 180.0  # seconds: no wait below is unbounded


def slow_answer(request: RecordedRequest) -> Reply:
    time.sleep(0.05)
    return Reply(ANSWER)


def command(base_url: str, log_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from afscope.cli import main; main()",
        "sweep",
        "--models",
        f"{OPENAI_MODEL},organism/opus-like",
        "--variants",
        "default,no-objective",
        "--base-url",
        f"openai={base_url}",
        "--limit",
        str(LIMIT),
        "--max-connections",
        "1",
        "--log-dir",
        str(log_dir),
        "--json",
    ]


def environment() -> dict[str, str]:
    return {**os.environ, "OPENAI_API_KEY": "test", "NO_PROXY": "127.0.0.1,localhost"}


def first_turns(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return [r for r in requests if len(r.messages) == 1]


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert process.poll() is None, "the sweep finished before it could be killed"
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.02)


@pytest.mark.slow
def test_rerun_after_sigkill_redoes_nothing_and_loses_nothing(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    server = openai_server(slow_answer, max_requests=1000)
    started = time.monotonic()
    process = subprocess.Popen(
        command(server.base_url, tmp_path),
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: len(first_turns(server.requests)) >= KILL_AFTER, process)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    killed_at = time.monotonic() - started
    seen_before_kill = len(server.requests)
    time.sleep(0.3)  # a request in flight at the kill may still be recorded

    done_before = {key for key in _completed(tmp_path) if key[0] == OPENAI_MODEL}
    assert done_before, "no sample had completed before the kill"
    cells_total = 4 * 2 * LIMIT
    assert len(done_before) < 2 * 2 * LIMIT, "every OpenAI sample completed before the kill"

    rerun_started = time.monotonic()
    rerun = subprocess.run(
        command(server.base_url, tmp_path),
        env=environment(),
        capture_output=True,
        timeout=BOUND,
        check=False,
    )
    rerun_seconds = time.monotonic() - rerun_started
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    summary = json.loads(rerun.stdout.decode().strip().splitlines()[-1])

    # every sample (query x tier x cell) is in the final logs exactly once
    keys: Counter[tuple[str, str, str, str]] = Counter()
    for cell in summary["cells"]:
        run, records = read_run(cell["log"])
        for record in records:
            keys[(run.model, run.variant, record.query_id, record.tier.value)] += 1
    assert len(keys) == cells_total and set(keys.values()) == {1}
    # ... and so are the directory's logs: the killed run's superseded logs are gone
    assert sorted(tmp_path.glob("*.eval")) == sorted(Path(c["log"]) for c in summary["cells"])

    # no completed sample was asked again
    after = first_turns(server.requests[seen_before_kill:])
    asked_again = [r for r in after if _key(r) in done_before]
    assert asked_again == []
    # ... and none twice; Inspect may also recover a sample that finished just before the kill
    # but was not yet readable from the file, so the rerun sends at most what looked missing
    assert len({_key(r) for r in after}) == len(after) <= 2 * 2 * LIMIT - len(done_before)
    print(
        f"\nkill after {killed_at:.1f}s with {len(done_before)} OpenAI samples done; "
        f"rerun {rerun_seconds:.1f}s sent {len(after)} first turns"
    )


def _key(request: RecordedRequest) -> tuple[str, str, str]:
    """A sample as the server sees it: model, system prompt (the variant) and first user turn."""
    return (OPENAI_MODEL, request.system_text, request.messages[0][1])


def _completed(log_dir: Path) -> set[tuple[str, str, str]]:
    """(model, system prompt, first user turn) of every scored sample in the directory's logs."""
    from inspect_ai.log import read_eval_log, read_eval_log_samples

    keys = set()
    for path in log_dir.glob("*.eval"):
        model = read_eval_log(str(path), header_only=True).eval.model
        for sample in read_eval_log_samples(str(path), all_samples_required=False):
            if sample.scores and not sample.error:
                text = {m.role: m.text for m in sample.messages[:2]}
                keys.add((model, text["system"], text["user"]))
    return keys
