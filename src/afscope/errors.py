"""The exceptions afscope raises.

Every error a user can fix derives from :class:`AfscopeError`; the CLI prints such an error as one
line and exits with status 2, without a traceback. Anything else is a bug and keeps its traceback.

    AfscopeError
    ├── ConfigError        a scenario, variant, preset or option is wrong (names file, key and fix)
    ├── DataError          a query file or log cannot be read or has a bad row (names file and row)
    ├── UnknownNameError   a setting, preset, query set or variant does not exist ("did you mean")
    └── ProviderError      a provider cannot be used (e.g. its API key variable is not set)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AfscopeError",
    "ConfigError",
    "DataError",
    "ProviderError",
    "UnknownNameError",
]


class AfscopeError(Exception):
    """Base class for errors caused by input the user can fix."""


class ConfigError(AfscopeError):
    """A configuration file or option is invalid."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        where = ": ".join(part for part in (file, key) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.key = key


class DataError(AfscopeError):
    """A data file (queries, transcripts, logs) cannot be read or has an invalid row."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None) -> None:
        where = file or ""
        if row is not None:
            where = f"{where}, row {row}" if where else f"row {row}"
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.row = row


class UnknownNameError(AfscopeError):
    """A named thing (setting, preset, query set, variant) does not exist."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        known = sorted(known)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"unknown {kind} {name!r}{hint} (known: {', '.join(known)})")
        self.kind = kind
        self.name = name
        self.known = tuple(known)


class ProviderError(AfscopeError):
    """A model provider cannot be used as configured."""
