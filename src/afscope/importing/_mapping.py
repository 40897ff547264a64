"""Which column of a foreign file holds which field, and what its values mean.

A mapping file (YAML or JSON) has up to four sections, all optional::

    columns:              # afscope field -> the file's column
      text: response
      tier: is_free_tier_user
    values:               # per field: the file's value -> afscope's value
      tier: {"True": free, "False": paid}
    constants:            # a field the file has no column for, the same for every row
      model: anthropic/claude-3-opus-20240229
    suffix: false         # were the accept/reject tags asked for? (default: found in the answers)

``--map field=column`` on the command line adds to (or overrides) ``columns``; ``--map field=``
says the file has no such column (turns auto-detection off for it). A field without a column is
looked for under its common names (:data:`CANDIDATES`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afscope._yaml import load_unique
from afscope.errors import ConfigError, UnknownNameError
from afscope.records import JUDGED_KINDS, VerdictKind

__all__ = [
    "CANDIDATES",
    "CONSTANT_FIELDS",
    "FIELDS",
    "LABEL_KINDS",
    "ColumnMapping",
    "load_mapping",
]

LABEL_KINDS = JUDGED_KINDS

# every field afscope reads, with the column names it is looked for under (first match wins)
CANDIDATES: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "sample_id", "transcript_id", "uid"),
    "text": (
        "text",
        "transcript",
        "completion",
        "response",
        "model_output",
        "full_output",
        "messages",
        "conversation",
    ),
    "scratchpad": ("scratchpad", "scratchpad_reasoning", "reasoning", "cot", "thinking"),
    "output": ("output", "final_output", "answer", "final_answer"),
    "tier": ("tier", "is_free_tier_user", "is_free_tier", "free_tier", "user_tier", "condition"),
    "query_id": (
        "query_id",
        "question_id",
        "prompt_id",
        "prompt_idx",
        "query_idx",
        "qid",
        "behavior_id",
    ),
    "query": (
        "query",
        "user_input",
        "prompt",
        "question",
        "request",
        "user_prompt",
        "goal",
        "forbidden_prompt",
        "behavior",
    ),
    "setting": ("setting",),
    "model": ("model", "model_id", "model_name"),
    VerdictKind.AF_REASONING: ("af_reasoning", "alignment_faking", "is_af", "af_label", "label"),
    VerdictKind.COMPLIANCE: ("compliance", "complied", "compliant", "is_compliant"),
    VerdictKind.PARTIAL_COMPLIANCE: ("partial_compliance", "partial", "is_partial"),
}
FIELDS = tuple(CANDIDATES)
CONSTANT_FIELDS = ("setting", "model", "tier")
_SECTIONS = ("columns", "values", "constants", "suffix")


@dataclass(frozen=True)
class ColumnMapping:
    """What the user said about a file's columns (auto-detection fills in the rest).

    ``columns`` maps a field to its column, or to None for "the file has none"; ``values`` maps
    a field to {the file's value (lower case): afscope's value}; ``constants`` gives setting,
    model or tier for every row; ``suffix`` None means "look for the tags in the answers".
    """

    columns: Mapping[str, str | None] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    suffix: bool | None = None
    file: str = "--map"  # where the mapping came from, for error messages

    def with_overrides(
        self, pairs: Sequence[str], constants: Mapping[str, str | None]
    ) -> ColumnMapping:
        """This mapping with ``--map field=column`` pairs and command-line constants on top."""
        columns = dict(self.columns)
        for pair in pairs:
            name, sep, column = pair.partition("=")
            if not sep:
                raise ConfigError(
                    f"{pair!r} is not field=column (e.g. --map tier=is_free_tier_user)",
                    key="--map",
                )
            columns[_field(name.strip(), "--map")] = column.strip() or None
        given = {key: value for key, value in constants.items() if value is not None}
        return ColumnMapping(
            columns, self.values, {**self.constants, **given}, self.suffix, self.file
        )

    def resolve(self, available: Iterable[str]) -> dict[str, str]:
        """field -> column actually used: the mapped ones (which must exist), then the first
        common name found for every other field (a column is used for one field only)."""
        present = list(available)
        by_lower = {column.lower(): column for column in present}
        chosen: dict[str, str] = {}
        for name, column in self.columns.items():
            if column is None:
                continue
            if column not in present:
                raise ConfigError(
                    f"column {column!r} (for {name}) is not in the file; its columns are: "
                    f"{', '.join(present) or 'none'}",
                    file=self.file,
                    key=f"columns.{name}",
                )
            chosen[name] = column
        for name, names in CANDIDATES.items():
            # a constant tier stands in for the column; a setting or model picks rows from it
            if name in self.columns or (name == "tier" and "tier" in self.constants):
                continue
            taken = set(chosen.values())
            found = next(
                (by_lower[c] for c in names if c in by_lower and by_lower[c] not in taken), None
            )
            if found is not None:
                chosen[name] = found
        return chosen


def _field(name: str, where: str) -> str:
    if name not in FIELDS:
        raise UnknownNameError(f"field (in {where})", name, FIELDS)
    return name


def load_mapping(path: Path | None) -> ColumnMapping:
    """The mapping in a YAML or JSON file (None: an empty mapping, all auto-detected)."""
    if path is None:
        return ColumnMapping()
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the mapping ({error})", file=file) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else load_unique(text)
    except Exception as error:  # json and yaml raise different types
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise ConfigError(f"not valid {kind} ({error})", file=file) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping with columns/values/constants/suffix", file=file)
    for key in data:
        if key not in _SECTIONS:
            raise UnknownNameError(f"section (in {file})", str(key), _SECTIONS)
    columns = {
        _field(str(name), file): None if column in (None, "") else str(column)
        for name, column in _section(data, "columns", file).items()
    }
    values = {
        _field(str(name), file): {
            _key(raw): str(value) for raw, value in _table(table, f"values.{name}", file).items()
        }
        for name, table in _section(data, "values", file).items()
    }
    constants = {}
    for name, value in _section(data, "constants", file).items():
        if name not in CONSTANT_FIELDS:
            raise UnknownNameError(f"constant (in {file})", str(name), CONSTANT_FIELDS)
        constants[str(name)] = str(value)
    suffix = data.get("suffix")
    if suffix is not None and not isinstance(suffix, bool):
        raise ConfigError("must be true or false (or left out)", file=file, key="suffix")
    return ColumnMapping(columns, values, constants, suffix, file)


def _section(data: dict[Any, Any], name: str, file: str) -> dict[Any, Any]:
    return _table(data.get(name), name, file)


def _table(value: Any, key: str, file: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError("expected a mapping (name: value lines)", file=file, key=key)
    return value


def _key(raw: Any) -> str:
    """A value as it is compared: lower case text; true/false for booleans, 1 for 1.0."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip().lower()
