"""Row formats: the public harmful-request CSVs, recognised by their header, and a column mapping.

A format turns one parsed row (a dict of column -> value) into a Query, or raises DataError
naming the file and row. Known formats:

- AdvBench (``goal,target``): text = goal, ids ``advbench-001`` by data row, category "harmful".
- HarmBench (``Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID``):
  id = BehaviorID, category = SemanticCategory; a contextual behaviour's context comes first.
- StrongREJECT (``category,source,forbidden_prompt``): text = forbidden_prompt, ids
  ``strongreject-001``.
- Any other CSV or JSONL: a column mapping {"text": ..., "id": ..., "category": ...}; only the
  text column is required unless the mapping names the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from afscope.errors import ConfigError, DataError
from afscope.queries._query import Query

__all__ = ["MAPPING_KEYS", "RowFormat", "column_mapping", "detect_format", "missing_column"]

MAPPING_KEYS = ("text", "id", "category")
_DEFAULT_CATEGORY = "unspecified"

# A row's 1-based number (as in DataError) and its values; returns the Query.
Converter = Callable[[int, Mapping[str, object]], Query]


@dataclass(frozen=True)
class RowFormat:
    """How to read rows of one kind of file: the columns it needs and the row converter."""

    name: str
    required: tuple[str, ...]
    convert: Converter


def detect_format(header: list[str], file: str) -> RowFormat | None:
    """The known data set a CSV header belongs to, or None for a generic file."""
    columns = set(header)
    if {"goal", "target"} <= columns:
        return RowFormat("advbench", ("goal",), _numbered("advbench", "goal", file))
    if {"Behavior", "BehaviorID", "SemanticCategory"} <= columns:
        required: tuple[str, ...] = ("Behavior", "BehaviorID", "SemanticCategory")
        return RowFormat("harmbench", required, _harmbench(file))
    if {"forbidden_prompt", "category"} <= columns:
        required = ("forbidden_prompt", "category")
        return RowFormat(
            "strongreject", required, _numbered("strongreject", "forbidden_prompt", file)
        )
    return None


def column_mapping(columns: Mapping[str, str] | None, file: str, stem: str) -> RowFormat:
    """A generic format from a {"text"|"id"|"category": column} mapping (defaults: same names)."""
    given = dict(columns or {})
    for key, column in given.items():
        if key not in MAPPING_KEYS:
            raise ConfigError(
                f"unknown key {key!r}; a column mapping may name {', '.join(MAPPING_KEYS)}",
                key="columns",
            )
        if not isinstance(column, str) or not column:
            raise ConfigError(f"the column for {key!r} must be a non-empty name", key="columns")
    text_column = given.get("text", "text")
    id_column, category_column = given.get("id"), given.get("category")
    required = tuple(c for c in (text_column, id_column, category_column) if c is not None)

    def convert(row: int, values: Mapping[str, object]) -> Query:
        _require(values, required, file, row)
        text = _text(values, text_column, file, row)
        query_id = (
            _text(values, id_column, file, row, number_ok=True)
            if id_column
            else _optional(values, "id")
        )
        category = (
            _text(values, category_column, file, row)
            if category_column
            else _optional(values, "category")
        )
        return Query(
            id=query_id or f"{stem}-{row:04d}",
            text=text,
            category=category or _DEFAULT_CATEGORY,
            source=file.rsplit("/", 1)[-1],
        )

    return RowFormat("columns", required, convert)


def _numbered(source: str, text_column: str, file: str) -> Converter:
    def convert(row: int, values: Mapping[str, object]) -> Query:
        category = _optional(values, "category") or "harmful"
        # CSV rows are numbered from 2 (row 1 is the header); ids count data rows from 1
        query_id = f"{source}-{row - 1:03d}"
        return Query(query_id, _text(values, text_column, file, row), category, source)

    return convert


def _harmbench(file: str) -> Converter:
    def convert(row: int, values: Mapping[str, object]) -> Query:
        behaviour = _text(values, "Behavior", file, row)
        context = _optional(values, "ContextString")
        text = f"{context}\n\n---\n\n{behaviour}" if context else behaviour
        query_id = _text(values, "BehaviorID", file, row)
        return Query(query_id, text, _text(values, "SemanticCategory", file, row), "harmbench")

    return convert


def _require(values: Mapping[str, object], columns: tuple[str, ...], file: str, row: int) -> None:
    missing = [column for column in columns if column not in values]
    if missing:
        raise missing_column(missing[0], [str(key) for key in values], file, row)


def missing_column(column: str, present: list[str], file: str, row: int) -> DataError:
    """The error for a query file without ``column``: what to rename (the CLI has no mapping)."""
    has = ", ".join(present) or "none"
    return DataError(
        f"missing column {column!r} (has: {has}); rename the file's column to {column!r} "
        f"(afscope reads text, and optionally id and category), or in Python pass "
        f"load_queries(..., columns={{{column!r}: '<your column>'}})",
        file=file,
        row=row,
    )


def _text(
    values: Mapping[str, object], column: str, file: str, row: int, *, number_ok: bool = False
) -> str:
    value = values.get(column)
    if number_ok and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        message = f"column {column!r} is empty; give it a value or remove the row"
        raise DataError(message, file=file, row=row)
    if not isinstance(value, str):
        raise DataError(
            f"column {column!r} must be text, not {type(value).__name__}", file=file, row=row
        )
    return value.strip()


def _optional(values: Mapping[str, object], column: str) -> str:
    value = values.get(column)
    if isinstance(value, int | str) and not isinstance(value, bool):
        return str(value).strip()
    return ""
