"""Outputs appear whole or not at all: write to a temporary file beside the target, then rename.

A kill or an error midway leaves the previous file (if any) untouched under its name and no partial
file behind; the rename is atomic on one filesystem (POSIX ``rename``).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

__all__ = ["atomic_open", "atomic_path"]


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``."""
    target = Path(target)
    # a fresh name rather than mkstemp: the file gets the usual permissions (umask), not 0600
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target: str | Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """Open a UTF-8 text file for writing that becomes ``target`` only when the block succeeds."""
    with (
        atomic_path(target) as temporary,
        temporary.open("w", encoding="utf-8", newline=newline) as handle,
    ):
        yield handle
