"""Optional dependencies: say in one line which extra to install, before any work is done."""

from __future__ import annotations

import importlib.util

from afscope.errors import ConfigError

__all__ = ["require_extra"]


def require_extra(extra: str, *modules: str, needed_by: str) -> None:
    """Raise one clear line if any of ``modules`` is missing; ``extra`` names the pip extra."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"{needed_by} needs {', '.join(missing)}: install the {extra!r} extra "
            f"(pip install 'afscope[{extra}]')"
        )
