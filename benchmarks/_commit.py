"""The commit a benchmark measures: the tree's HEAD, marked ``+dirty`` when tracked files differ."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    result = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed in {ROOT}: {result.stderr.strip()}")
    return result.stdout.strip()


def commit() -> str:
    """The tree's commit, with ``+dirty`` when its tracked files differ from it."""
    head = _git("rev-parse", "--short", "HEAD")
    return f"{head}+dirty" if _git("status", "--porcelain", "--untracked-files=no") else head
