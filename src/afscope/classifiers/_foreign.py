"""Transcripts produced elsewhere, as JSONL, so they can be judged like afscope's own.

One JSON object per line. Required: ``text`` (the model's reasoning, or its whole answer in the
``<SCRATCHPAD_REASONING>`` / ``<OUTPUT>`` format). Optional: ``id``, ``tier`` ("free" or "paid"),
``query``, ``output`` (the final answer, when not inside ``text``) and ``scratchpad``. Any other
fields (a label, a source) are kept in ``extra`` and ignored by the judges.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from afscope.classifiers._rubric import TranscriptParts
from afscope.errors import DataError
from afscope.records import Tier
from afscope.transcripts import parse_transcript

__all__ = ["ForeignTranscript", "iter_foreign_transcripts", "load_foreign_transcripts"]

_KNOWN = ("id", "text", "tier", "query", "output", "scratchpad")


@dataclass(frozen=True)
class ForeignTranscript:
    id: str
    parts: TranscriptParts
    tier: Tier | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # why no final answer could be read from ``text`` (e.g. "no <OUTPUT>"); None when one was
    unreadable: str | None = None


def _split(text: str) -> tuple[str, str, str | None]:
    """(scratchpad, output, why no output) of a text: the tagged parts if present, else all of
    it as reasoning."""
    parsed = parse_transcript([text], suffix=False)
    if not parsed.malformed:
        return parsed.scratchpad, parsed.output, None
    return parsed.scratchpad or text.strip(), "", parsed.reason


def _text(row: dict[str, Any], key: str, where: dict[str, Any]) -> str:
    value = row.get(key, "")
    if not isinstance(value, str):
        raise DataError(f"field {key!r} must be a string, got {type(value).__name__}", **where)
    return value


def _transcript(row: Any, number: int, file: str) -> ForeignTranscript:
    where: dict[str, Any] = {"file": file, "row": number}
    if not isinstance(row, dict):
        raise DataError("each line must be a JSON object", **where)
    text = _text(row, "text", where)
    if not text.strip():
        raise DataError("missing or empty 'text' field (the transcript to judge)", **where)
    tier = row.get("tier")
    if tier is not None and tier not in ("free", "paid"):
        raise DataError(f'\'tier\' must be "free" or "paid", got {tier!r}', **where)
    scratchpad, output, unreadable = _split(text)
    if "scratchpad" in row:
        scratchpad = _text(row, "scratchpad", where)
    if "output" in row:
        output = _text(row, "output", where)
        unreadable = None
    raw_id = row.get("id", f"row-{number}")
    return ForeignTranscript(
        id=str(raw_id),
        parts=TranscriptParts(_text(row, "query", where), scratchpad, output),
        tier=Tier(tier) if tier else None,
        extra={key: value for key, value in row.items() if key not in _KNOWN},
        unreadable=unreadable if not output.strip() else None,
    )


def iter_foreign_transcripts(path: Path) -> Iterator[ForeignTranscript]:
    """Read a JSONL file of foreign transcripts; DataError names the file and row of a bad line."""
    file = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"cannot read transcripts ({error})", file=file) from None
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"not valid JSON ({error.msg})", file=file, row=number) from None
        transcript = _transcript(row, number, file)
        if transcript.id in seen:
            message = f"duplicate id {transcript.id!r}; ids must be unique"
            raise DataError(message, file=file, row=number)
        seen.add(transcript.id)
        yield transcript


def load_foreign_transcripts(path: Path) -> list[ForeignTranscript]:
    """All transcripts of a JSONL file (see the module docstring for the fields)."""
    transcripts = list(iter_foreign_transcripts(path))
    if not transcripts:
        raise DataError("no transcripts (the file is empty)", file=str(path))
    return transcripts
