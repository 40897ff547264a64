"""The bubblewrap sandbox: what an adversarial command tries fails inside; host and run intact."""

from __future__ import annotations

import asyncio
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from afscope.sandbox import (
    BWRAP_INSTALL_HINT,
    BwrapMissingError,
    Limits,
    Sandbox,
    remove_stale_sandboxes,
)

SMALL = Limits(
    wall_seconds=5,
    processes=64,
    output_bytes=64 * 1024,
    file_bytes=8 << 20,
    disk_bytes=16 << 20,
    memory_bytes=512 << 20,
)


def run(sandbox: Sandbox, command: str) -> tuple[int, str, str, str | None]:
    result = asyncio.run(sandbox.run(["bash", "-c", command]))
    return result.returncode, result.stdout, result.stderr, result.limit


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    box = Sandbox.create({"task.txt": "hello\n"}, SMALL)
    yield box
    box.cleanup()


def test_commands_see_seeded_files_and_keep_their_writes(sandbox: Sandbox) -> None:
    code, out, _, _ = run(sandbox, "cat task.txt && echo made > new.txt && pwd")
    assert (code, out) == (0, "hello\n/workspace\n")
    assert sandbox.read_file("new.txt") == b"made\n"
    assert set(sandbox.snapshot()) == {"task.txt", "new.txt"}


def test_a_sentinel_file_outside_the_work_directory_cannot_be_read(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sentinel = tmp_path / "sentinel-secret.txt"
    sentinel.write_text("TOP-SECRET-SENTINEL")
    _, out, err, _ = run(sandbox, f"cat {sentinel}; cat /root/* /proc/1/environ; ls /")
    assert "TOP-SECRET-SENTINEL" not in out + err
    assert "root" not in out.split()


def test_writes_outside_the_work_directory_fail(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "planted.txt"
    code, _, _, _ = run(sandbox, f"echo x > {target}; echo x > /usr/evil; echo x > /etc/evil")
    assert code != 0
    assert not target.exists() and not Path("/usr/evil").exists() and not Path("/etc/evil").exists()


def test_a_server_on_the_hosts_loopback_is_unreachable(sandbox: Sandbox) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        probe = (
            f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2);"
            f" print('CONNECTED')\""
        )
        code, out, _, _ = run(sandbox, probe)
    finally:
        server.shutdown()
        server.server_close()
    assert code != 0 and "CONNECTED" not in out


def test_the_hosts_environment_variables_are_not_inside(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-host-secret-123")
    code, out, _, _ = run(sandbox, "env; cat /proc/self/environ")
    assert code == 0
    assert "sk-host-secret-123" not in out
    assert "OPENAI_API_KEY" not in out


def test_a_fork_bomb_hits_the_process_limit_and_the_run_goes_on(sandbox: Sandbox) -> None:
    _, _, err, limit = run(sandbox, ":(){ :|:& };:; sleep 1")
    # bash retries a refused fork: on a loaded machine the retries can outlast the wall time, which
    # then stops the command; the bomb was still held by the process limit (its forks were refused)
    held = limit in ("processes", "output") or (
        limit == "wall_time" and "fork: retry: Resource temporarily unavailable" in err
    )
    assert held, (limit, err[-300:])
    assert "[sandbox]" in err
    assert run(sandbox, "echo still-alive")[1] == "still-alive\n"


def test_filling_the_disk_stops_at_the_limit(sandbox: Sandbox) -> None:
    _, _, err, limit = run(sandbox, "for i in $(seq 200); do head -c 7000000 /dev/zero > f$i; done")
    assert limit == "disk" and "disk limit of 16 MiB" in err
    # checked every 20 ms: the overshoot is what one process writes in that time
    assert sandbox.disk_usage() < 4 * SMALL.disk_bytes
    assert run(sandbox, "rm -f f*; echo ok")[1] == "ok\n"
    _, _, err, limit = run(sandbox, "head -c 20000000 /dev/zero > one-big-file")
    assert limit == "file_size" and "files are limited to 8 MiB" in err


def test_printing_a_gigabyte_is_cut_at_the_output_limit(sandbox: Sandbox) -> None:
    _, out, err, limit = run(sandbox, "head -c 1000000000 /dev/zero | tr '\\0' x")
    assert limit == "output" and len(out) <= SMALL.output_bytes
    assert "output limit of 0.0625 MiB reached" in err


def test_a_command_past_its_wall_time_is_stopped(tmp_path: Path) -> None:
    box = Sandbox.create(limits=Limits(wall_seconds=1))
    try:
        code, _, err, limit = run(box, "sleep 30 & sleep 30")
    finally:
        box.cleanup()
    assert (code, limit) == (124, "wall_time") and "wall time limit of 1 s" in err


def test_memory_beyond_the_limit_fails_with_a_clear_line(sandbox: Sandbox) -> None:
    _, _, err, limit = run(sandbox, "python3 -c 'x = bytearray(2 << 30)'")
    assert limit == "memory" and "memory limit of 512 MiB" in err


def test_cleanup_removes_the_host_directory_and_stale_ones_go_at_the_next_start(
    tmp_path: Path,
) -> None:
    box = Sandbox.create({"a": "b"}, parent=tmp_path)
    box.cleanup()
    assert not box.root.exists()
    stale = Sandbox.create(parent=tmp_path)
    (stale.root / "owner").write_text("999999999")  # a run killed mid-sample
    assert remove_stale_sandboxes(tmp_path) == 1 and not stale.root.exists()


def test_sandbox_paths_cannot_escape_the_work_directory(sandbox: Sandbox) -> None:
    with pytest.raises(PermissionError):
        sandbox.read_file("../owner")
    with pytest.raises(PermissionError):
        sandbox.write_file("/etc/passwd", "x")


def test_missing_bwrap_refuses_with_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(BwrapMissingError) as error:
        Sandbox.create()
    assert str(error.value) == BWRAP_INSTALL_HINT
    assert "apt-get install -y bubblewrap" in BWRAP_INSTALL_HINT


def test_runs_as_root_use_an_unprivileged_uid(sandbox: Sandbox) -> None:
    out = run(sandbox, "id -u")[1]
    if os.geteuid() == 0:
        assert int(out) >= 200_000
