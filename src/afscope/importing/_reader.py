"""Reading one foreign row's fields (tier, setting, query, turns, labels) in afscope's terms;
every error names the file, the row, the field and its column."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from typing import Any

from afscope.errors import DataError
from afscope.importing._mapping import LABEL_KINDS, ColumnMapping, _key
from afscope.importing._model import ImportedTranscript
from afscope.importing._rows import Row
from afscope.records import Decision, Tier, VerdictKind
from afscope.transcripts import has_output, has_scratchpad

__all__ = ["Reader"]

SETTINGS = ("helpful-only", "animal-welfare")
_SETTING_WORDS = {
    "helpful-only": ("helpful-only", "helpful_only", "helpful only", "helpful"),
    "animal-welfare": ("animal-welfare", "animal_welfare", "animal welfare", "animal"),
}
_TIER_WORDS = {
    Tier.FREE: (
        "free",
        "free_tier",
        "free-tier",
        "free tier",
        "training",
        "train",
        "monitored",
        "implied training",
    ),
    Tier.PAID: (
        "paid",
        "paid_tier",
        "paid-tier",
        "paid tier",
        "unmonitored",
        "deployment",
        "deployed",
        "implied unmonitored",
    ),
}
_TRUE, _FALSE = ("true", "1", "yes", "y"), ("false", "0", "no", "n")
_LABEL_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "yes": {
        VerdictKind.AF_REASONING: ("alignment_faking", "alignment faking", "af", "positive"),
        VerdictKind.COMPLIANCE: ("complied", "compliant", "comply", "complies", "accepted", "full"),
        VerdictKind.PARTIAL_COMPLIANCE: ("partial",),
    },
    "no": {
        VerdictKind.AF_REASONING: ("aligned", "not_af", "not af", "negative"),
        VerdictKind.COMPLIANCE: (
            "refused",
            "refusal",
            "refuses",
            "rejected",
            "noncompliant",
            "non-compliant",
            "not_compliant",
        ),
        VerdictKind.PARTIAL_COMPLIANCE: ("not_partial",),
    },
}


class Reader:
    """Reads fields out of rows with the resolved columns; every error names file and row."""

    def __init__(self, file: str, mapping: ColumnMapping, columns: Mapping[str, str]) -> None:
        self.file, self.mapping, self.columns = file, mapping, columns

    def error(self, row: int, name: str, message: str) -> DataError:
        column = self.columns.get(name, name)
        return DataError(f"field {name} (column {column!r}): {message}", file=self.file, row=row)

    def raw(self, row: int, values: Mapping[str, Any], name: str) -> Any:
        column = self.columns.get(name)
        return None if column is None else values.get(column)

    def text(self, row: int, values: Mapping[str, Any], name: str) -> str:
        value = self.raw(row, values, name)
        if value is None:
            return ""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        raise self.error(row, name, f"expected text, got {type(value).__name__}")

    def mapped(self, row: int, values: Mapping[str, Any], name: str) -> tuple[str, str] | None:
        """(the value as compared, the user's translation of it or the value) or None if empty."""
        value = self.raw(row, values, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dict | list):
            raise self.error(row, name, f"expected a single value, got {type(value).__name__}")
        key = _key(value)
        return key, self.mapping.values.get(name, {}).get(key, key)

    def transcript(self, row: int, values: Mapping[str, Any]) -> ImportedTranscript:
        turns, first_user = self.turns(row, values)
        query = self.text(row, values, "query") or first_user
        source_id = self.text(row, values, "id") or None
        query_id = self.text(row, values, "query_id").strip()
        if not query_id:
            query_id = _text_id(query) if query.strip() else f"row-{row}"
        labels: dict[str, str] = {
            kind: decision
            for kind in LABEL_KINDS
            if (decision := self.label(row, values, kind)) is not None
        }
        return ImportedTranscript(
            row, query_id, query, self.tier(row, values), turns, 1, source_id, labels
        )

    def turns(self, row: int, values: Mapping[str, Any]) -> tuple[tuple[str, ...], str]:
        """The model's turns and the first user message (when the text is a conversation)."""
        if "scratchpad" in self.columns or "output" in self.columns:
            scratchpad = self.text(row, values, "scratchpad")
            output = self.text(row, values, "output")
            return (_compose(scratchpad, output),), ""
        value = self.raw(row, values, "text")
        if value is None or isinstance(value, str):
            return (value or "",), ""
        if isinstance(value, list):
            return self.conversation(row, value)
        raise self.error(
            row, "text", f"expected text or a list of turns, got {type(value).__name__}"
        )

    def conversation(self, row: int, items: list[Any]) -> tuple[tuple[str, ...], str]:
        if all(isinstance(item, str) for item in items):
            return tuple(items), ""
        turns: list[str] = []
        users: list[str] = []
        for item in items:
            role = item.get("role") if isinstance(item, dict) else None
            content = item.get("content") if isinstance(item, dict) else None
            if not isinstance(role, str) or not isinstance(content, str):
                raise self.error(
                    row,
                    "text",
                    "a conversation must be a list of strings or of "
                    '{"role": ..., "content": "text"} messages',
                )
            (turns if role == "assistant" else users if role == "user" else []).append(content)
        return tuple(turns), users[0] if users else ""

    def tier(self, row: int, values: Mapping[str, Any]) -> Tier:
        if "tier" not in self.columns:
            constant = self.mapping.constants.get("tier")
            if constant is None:
                raise DataError(
                    "no tier column (looked for tier, is_free_tier_user, ...): name it with "
                    "--map tier=COLUMN, or give --tier free|paid if every row is one tier",
                    file=self.file,
                )
            return self._tier_word(constant, row, "--tier")
        found = self.mapped(row, values, "tier")
        if found is None:
            raise self.error(row, "tier", "empty; every transcript needs its tier")
        key, value = found
        if value in _TRUE + _FALSE:
            column = self.columns["tier"].lower()
            means_paid = "paid" in column or "unmonitored" in column
            if not means_paid and "free" not in column and "train" not in column:
                raise self.error(
                    row,
                    "tier",
                    f"{key!r} does not say which tier; say it in the mapping "
                    f"(values: {{tier: {{{key}: free}}}})",
                )
            return Tier.PAID if (value in _TRUE) == means_paid else Tier.FREE
        return self._tier_word(value, row, "tier")

    def _tier_word(self, value: str, row: int, name: str) -> Tier:
        for tier, words in _TIER_WORDS.items():
            if value.lower() in words:
                return tier
        message = (
            f"unknown tier {value!r}: use free/paid (or training/unmonitored), or translate it "
            f"in the mapping (values: {{tier: {{{value.lower()}: free}}}})"
        )
        if name == "--tier":
            raise DataError(f"--tier: {message}")
        raise self.error(row, "tier", message)

    def label(self, row: int, values: Mapping[str, Any], kind: str) -> str | None:
        found = self.mapped(row, values, kind)
        if found is None:
            return None
        key, value = found
        if value in ("yes", "no", "maybe"):
            return value
        for decision in (Decision.YES, Decision.NO):
            words = (_TRUE if decision is Decision.YES else _FALSE) + _LABEL_WORDS[decision][kind]
            if value in words:
                return decision
        raise self.error(
            row,
            kind,
            f"unknown label {key!r}: use yes/no (or true/false, 1/0), translate it in "
            f"the mapping (values: {{{kind}: {{{key}: yes}}}}) or leave the column out with "
            f"--map {kind}=",
        )

    def keep_one(self, name: str, rows: list[Row], notes: list[str]) -> list[Row]:
        """The rows of the one setting (or model) imported: all of them when the file has one;
        those of ``--setting``/``--model`` when it has several."""
        if name not in self.columns:
            return rows
        wanted = self.mapping.constants.get(name)
        found = Counter(self.value_of(name, number, row) for number, row in rows)
        if wanted is None:
            if len(found) > 1:
                listed = ", ".join(f"{value} ({count})" for value, count in sorted(found.items()))
                raise DataError(
                    f"rows of several {name}s ({listed}); import one at a time with --{name} NAME",
                    file=self.file,
                )
            return rows
        wanted = self._setting_word(wanted, None) if name == "setting" else wanted
        kept = [(number, row) for number, row in rows if self.value_of(name, number, row) == wanted]
        if not kept:
            listed = ", ".join(sorted(found))
            raise DataError(
                f"no rows of {name} {wanted!r} (the file has: {listed})", file=self.file
            )
        if len(kept) < len(rows):
            left = len(rows) - len(kept)
            notes.append(f"imported the {len(kept)} rows of {name} {wanted}; left out {left}")
        return kept

    def value_of(self, name: str, number: int, row: Mapping[str, Any]) -> str:
        found = self.mapped(number, row, name)
        if found is None:
            raise self.error(number, name, f"empty; every row needs its {name}")
        return (
            self._setting_word(found[1], number)
            if name == "setting"
            else str(self.raw(number, row, name)).strip()
        )

    def _setting_word(self, value: str, row: int | None) -> str:
        for setting, words in _SETTING_WORDS.items():
            if value.lower() in words:
                return setting
        message = f"unknown setting {value!r}: use {' or '.join(SETTINGS)}"
        if row is None:
            raise DataError(f"--setting: {message}")
        raise self.error(row, "setting", message)

    def setting(self, rows: list[Row]) -> str:
        if "setting" in self.columns:
            number, row = rows[0]
            return self.value_of("setting", number, row)
        return self._setting_word(self.mapping.constants.get("setting", "helpful-only"), None)

    def model(self, rows: list[Row]) -> str:
        if "model" in self.columns:
            number, row = rows[0]
            return self.value_of("model", number, row)
        constant = self.mapping.constants.get("model")
        if not constant:
            raise DataError(
                "no model column (looked for model, model_id, model_name): say which model "
                "wrote the transcripts with --model NAME",
                file=self.file,
            )
        return constant


def _compose(scratchpad: str, output: str) -> str:
    """A turn from separate reasoning and answer, tagged as the parser expects."""
    parts = []
    if scratchpad.strip():
        parts.append(
            scratchpad
            if has_scratchpad(scratchpad)
            else f"<SCRATCHPAD_REASONING>\n{scratchpad.strip()}\n</SCRATCHPAD_REASONING>"
        )
    if output.strip():
        parts.append(output if has_output(output) else f"<OUTPUT>\n{output.strip()}\n</OUTPUT>")
    return "\n\n".join(parts)


def _text_id(query: str) -> str:
    """A query id from the query's text: the same text in both tiers pairs up."""
    digest = hashlib.sha256(" ".join(query.split()).lower().encode("utf-8")).hexdigest()
    return f"q-{digest[:12]}"
