"""One sweep per log directory at a time: two sweeps writing the same eval-set race each other.

The lock is an ``flock`` on a file in the directory, so the kernel releases it when its holder dies
(even by SIGKILL): a killed sweep never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from afscope.errors import ConfigError

__all__ = ["LOCK_NAME", "directory_lock"]

LOCK_NAME = ".afscope-sweep.lock"


@contextlib.contextmanager
def directory_lock(log_dir: str | Path) -> Iterator[None]:
    """Hold the sweep lock of ``log_dir`` for the block, or refuse at once if another holds it."""
    path = Path(log_dir) / LOCK_NAME
    with path.open("a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ConfigError(
                f"another afscope sweep (pid {holder}) is running in {log_dir}; wait for it to "
                "finish, or give this one another --log-dir",
                key="--log-dir",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
