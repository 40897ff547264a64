"""Where fitted monitors live, and how a name or a path finds one.

``afscope monitor fit --name NAME`` writes ``NAME.json`` into the monitors directory:
``$AFSCOPE_MONITORS`` when set, else ``$XDG_DATA_HOME/afscope/monitors`` (default
``~/.local/share/afscope/monitors``). Anything that takes a monitor (``--monitor-model``) accepts
such a name, or a path to an artefact file; ``default`` (or nothing) is the shipped monitor.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from afscope.errors import ConfigError

__all__ = ["DEFAULT_MONITOR", "monitors_dir", "resolve_artefact", "valid_name"]

DEFAULT_MONITOR = "default"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def monitors_dir() -> Path:
    """The directory fitted monitors are saved in and looked up by name."""
    if explicit := os.environ.get("AFSCOPE_MONITORS"):
        return Path(explicit)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "afscope" / "monitors"


def valid_name(name: str) -> str:
    """``name`` if it can name a fitted monitor (letters, digits, ``.``, ``_``, ``-``)."""
    if not _NAME.fullmatch(name) or name == DEFAULT_MONITOR or name.endswith(".json"):
        raise ConfigError(
            f"{name!r} cannot name a monitor: use letters, digits, '.', '_' or '-' "
            f"(not {DEFAULT_MONITOR!r}, no .json)",
            key="--name",
        )
    return name


def resolve_artefact(model: str) -> Path:
    """The artefact file ``model`` names: a path to a ``.json`` file, or a fitted monitor's name."""
    looks_like_path = model.endswith(".json") or os.sep in model or "/" in model
    path = Path(model).expanduser() if looks_like_path else monitors_dir() / f"{model}.json"
    if path.is_file():
        return path
    if looks_like_path:
        raise ConfigError(f"no monitor artefact at {path}", key="--monitor-model")
    known = sorted(p.stem for p in monitors_dir().glob("*.json")) if monitors_dir().is_dir() else []
    listed = ", ".join(known) if known else "none yet"
    raise ConfigError(
        f"no fitted monitor named {model!r} in {monitors_dir()} (fitted: {listed}); fit one with "
        "'afscope monitor fit LOG --name NAME', or give a path to an artefact",
        key="--monitor-model",
    )
