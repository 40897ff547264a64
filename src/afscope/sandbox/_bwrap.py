"""Run commands inside a bubblewrap sandbox: one writable work directory, nothing else of the host.

Each command is its own ``bwrap`` process with fresh user, PID, network, IPC and UTS namespaces
(no network at all, not even the host's loopback), a cleared environment, the system directories
read-only, a private size-limited ``/tmp`` and the sample's work directory bound at ``/workspace``.
As root, commands run as an unprivileged uid of their own so the process limit is enforced.
Limits (wall time, memory, processes, output, file size, disk) stop the command and say which.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import resource
import shutil
import signal
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afscope.errors import AfscopeError

__all__ = [
    "BWRAP_INSTALL_HINT",
    "WORKDIR",
    "BwrapMissingError",
    "CommandResult",
    "Limits",
    "Sandbox",
    "remove_stale_sandboxes",
]

WORKDIR = "/workspace"
BWRAP_INSTALL_HINT = (
    "bubblewrap (bwrap) is not installed; install it with `apt-get install -y bubblewrap` "
    "(agentic commands never run on the host without it)"
)
_ROOT_PREFIX = "afscope-sandbox-"
_PATH = "/usr/local/bin:/usr/bin:/bin"
_MIB = 1024 * 1024
_UIDS = itertools.count()
_POLL_SECONDS = 0.02
# limits the kernel enforces by failing a call: recognised by the error the command printed
_SOFT_LIMIT_SIGNS = {
    "processes": (
        "fork: Resource temporarily unavailable",
        "fork: retry",
        "Cannot fork",
        "can't fork",
    ),
    "memory": ("Cannot allocate memory", "MemoryError", "memory exhausted", "std::bad_alloc"),
}


class BwrapMissingError(AfscopeError):
    """bubblewrap is not installed: agentic runs refuse rather than run on the host."""


@dataclass(frozen=True)
class Limits:
    """What one command may use; each limit, when hit, stops it with a line saying which."""

    wall_seconds: float = 20.0
    memory_bytes: int = 1024 * _MIB
    processes: int = 128
    output_bytes: int = 1 * _MIB
    file_bytes: int = 64 * _MIB
    disk_bytes: int = 128 * _MIB
    tmp_bytes: int = 64 * _MIB


@dataclass
class CommandResult:
    """A finished command: ``limit`` names the limit that stopped it (None when none did)."""

    returncode: int
    stdout: str
    stderr: str
    limit: str | None = None

    @property
    def success(self) -> bool:
        return self.returncode == 0 and self.limit is None


def _bwrap_path() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise BwrapMissingError(BWRAP_INSTALL_HINT)
    return path


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        host = Path("/") / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", str(host), f"/{name}"]
    return [*args, "--ro-bind", "/etc", "/etc"]


@dataclass
class Sandbox:
    """One sample's sandbox: a host directory holding its work directory, removed by cleanup()."""

    root: Path
    limits: Limits = field(default_factory=Limits)
    uid: int | None = None

    @classmethod
    def create(
        cls,
        files: Mapping[str, str | bytes] | None = None,
        limits: Limits | None = None,
        *,
        parent: Path | None = None,
    ) -> Sandbox:
        """Make a fresh work directory seeded with ``files`` (paths relative to it)."""
        _bwrap_path()
        root = Path(tempfile.mkdtemp(prefix=_ROOT_PREFIX, dir=parent))
        (root / "owner").write_text(str(os.getpid()), encoding="ascii")
        work = root / "work"
        work.mkdir()
        uid = None
        if os.geteuid() == 0:
            # a uid of its own (no host user has it) so RLIMIT_NPROC counts only this sandbox
            uid = 200_000 + (os.getpid() % 1000) * 1000 + next(_UIDS) % 1000
        sandbox = cls(root=root, limits=limits or Limits(), uid=uid)
        root.chmod(0o711)
        if uid is not None:
            os.chown(work, uid, uid)
        for relative, content in (files or {}).items():
            sandbox.write_file(relative, content)
        return sandbox

    @property
    def work(self) -> Path:
        return self.root / "work"

    def host_path(self, file: str) -> Path:
        """The host path of a sandbox path (relative, or under /workspace); refuses escapes."""
        relative = file[len(WORKDIR) :].lstrip("/") if file.startswith(WORKDIR) else file
        if relative.startswith("/"):
            raise PermissionError(f"{file}: only files under {WORKDIR} can be read or written")
        path = (self.work / relative).resolve()
        if path != self.work.resolve() and self.work.resolve() not in path.parents:
            raise PermissionError(f"{file}: outside the sandbox's work directory")
        return path

    def write_file(self, file: str, content: str | bytes) -> None:
        path = self.host_path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        self._own(path)

    def read_file(self, file: str) -> bytes:
        return self.host_path(file).read_bytes()

    def _own(self, path: Path) -> None:
        if self.uid is None:
            return
        current = path
        while current != self.root:
            os.lchown(current, self.uid, self.uid)
            current = current.parent

    def snapshot(self) -> dict[str, dict[str, object]]:
        """Every file of the work directory: size, sha256 and (short UTF-8 files) its text."""
        files: dict[str, dict[str, object]] = {}
        for path in sorted(self.work.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            entry: dict[str, object] = {
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            if len(data) <= 4096:
                with contextlib.suppress(UnicodeDecodeError):
                    entry["text"] = data.decode("utf-8")
            files[path.relative_to(self.work).as_posix()] = entry
        return files

    def disk_usage(self) -> int:
        total = 0
        for directory, _, names in os.walk(self.work):
            for name in names:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(directory, name)).st_blocks * 512
        return total

    def argv(
        self, cmd: Sequence[str], *, cwd: str | None = None, env: Mapping[str, str] | None = None
    ) -> list[str]:
        """The bwrap command line that runs ``cmd`` in this sandbox."""
        chdir = WORKDIR if cwd is None else (cwd if cwd.startswith("/") else f"{WORKDIR}/{cwd}")
        args = [
            _bwrap_path(),
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "--hostname",
            "sandbox",
            *_system_binds(),
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--size",
            str(self.limits.tmp_bytes),
            "--tmpfs",
            "/tmp",
            "--bind",
            str(self.work),
            WORKDIR,
            "--chdir",
            chdir,
            "--setenv",
            "PATH",
            _PATH,
            "--setenv",
            "HOME",
            WORKDIR,
            "--setenv",
            "LANG",
            "C.UTF-8",
            "--setenv",
            "TMPDIR",
            "/tmp",
        ]
        for key, value in (env or {}).items():
            args += ["--setenv", key, value]
        return [*args, "--", *cmd]

    def _preexec(self) -> None:  # runs in the child, before bwrap
        limits = self.limits
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    async def run(
        self,
        cmd: Sequence[str],
        *,
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> CommandResult:
        """Run ``cmd`` in the sandbox; a limit hit kills it and is named in the result."""
        wall = (
            self.limits.wall_seconds if timeout is None else min(timeout, self.limits.wall_seconds)
        )
        ids = {} if self.uid is None else {"user": self.uid, "group": self.uid, "extra_groups": []}
        process = await asyncio.create_subprocess_exec(
            *self.argv(cmd, cwd=cwd, env=env),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            preexec_fn=self._preexec,
            env={"PATH": _PATH},
            **ids,  # type: ignore[arg-type]
        )
        limit: list[str] = []
        budget = [self.limits.output_bytes]
        stop = asyncio.Event()

        async def drain(stream: asyncio.StreamReader, out: bytearray) -> None:
            while chunk := await stream.read(65536):
                keep = chunk[: max(budget[0], 0)]
                out.extend(keep)
                budget[0] -= len(chunk)
                if budget[0] < 0 and not limit:
                    limit.append("output")
                    stop.set()
                # keep reading (and dropping) until EOF: an unread pipe would keep it open

        start_usage = self.disk_usage()

        async def watch_disk() -> None:
            # over the limit and growing: a command that deletes files may still run
            while not stop.is_set():
                usage = self.disk_usage()
                if usage > self.limits.disk_bytes and usage > start_usage:
                    limit.append("disk")
                    stop.set()
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), _POLL_SECONDS)

        stdout, stderr = bytearray(), bytearray()
        assert process.stdin and process.stdout and process.stderr
        data = input.encode("utf-8") if isinstance(input, str) else input
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if data:
                process.stdin.write(data)
                await process.stdin.drain()
            process.stdin.close()
        readers = asyncio.gather(drain(process.stdout, stdout), drain(process.stderr, stderr))
        watcher = asyncio.create_task(watch_disk())
        waiter = asyncio.create_task(stop.wait())
        try:
            either: set[asyncio.Future[Any]] = {readers, waiter}
            done, _ = await asyncio.wait(either, timeout=wall, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                limit.append("wall_time")
            if limit:
                _kill(process)
            await process.wait()
            readers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await readers
        finally:
            stop.set()
            waiter.cancel()
            await watcher
            if process.returncode is None:
                _kill(process)
                await process.wait()
        code = process.returncode if process.returncode is not None else -9
        text_err = stderr.decode("utf-8", errors="replace")
        if limit:
            text_err += (
                "\n" if text_err and not text_err.endswith("\n") else ""
            ) + self._limit_line(limit[0])
            code = 124 if limit[0] == "wall_time" else 137
        elif code == -signal.SIGXFSZ or code == 128 + signal.SIGXFSZ:
            limit.append("file_size")
            size = _mib(self.limits.file_bytes)
            text_err += f"[sandbox] file size limit reached: files are limited to {size}\n"
        if not limit:
            for name, signs in _SOFT_LIMIT_SIGNS.items():
                if any(sign in text_err for sign in signs):
                    limit.append(name)
                    text_err += self._limit_line(name)
                    break
        return CommandResult(
            code, stdout.decode("utf-8", errors="replace"), text_err, limit[0] if limit else None
        )

    def _limit_line(self, name: str) -> str:
        limits = self.limits
        text = {
            "wall_time": f"wall time limit of {limits.wall_seconds:g} s reached",
            "output": f"output limit of {_mib(limits.output_bytes)} reached; output truncated",
            "disk": f"disk limit of {_mib(limits.disk_bytes)} for {WORKDIR} reached",
            "processes": f"process limit of {limits.processes} reached; new processes failed",
            "memory": f"memory limit of {_mib(limits.memory_bytes)} per process reached",
        }[name]
        verb = "limit hit" if name in _SOFT_LIMIT_SIGNS else "command stopped"
        return f"[sandbox] {verb}: {text}\n"

    def cleanup(self) -> None:
        """Remove the sandbox's host directory (its processes die with their bwrap parent)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _mib(size: int) -> str:
    return f"{size / _MIB:g} MiB"


def _kill(process: asyncio.subprocess.Process) -> None:
    # bwrap is the session leader; killing it tears down its PID namespace and everything in it
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()


def remove_stale_sandboxes(parent: Path | None = None) -> int:
    """Remove sandbox directories whose owning process is gone (a run killed mid-sample)."""
    base = Path(parent or tempfile.gettempdir())
    removed = 0
    for root in base.glob(f"{_ROOT_PREFIX}*"):
        try:
            pid = int((root / "owner").read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(root, ignore_errors=True)
            removed += 1
        except PermissionError:
            continue
    return removed
