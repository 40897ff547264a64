"""Foreign rows -> :class:`ImportedSet`: one transcript per row, in afscope's terms.

A transcript is kept as the model wrote it: its turns go into the log untouched and are parsed
exactly as a run's are (an unclosed scratchpad is malformed there as here). Only when the file
gives the reasoning and the answer in separate columns are they put in the
``<SCRATCHPAD_REASONING>`` / ``<OUTPUT>`` tags the parser reads (where they are not already).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from afscope.errors import DataError
from afscope.importing._mapping import LABEL_KINDS, ColumnMapping
from afscope.importing._model import ImportedSet, ImportedTranscript
from afscope.importing._reader import Reader
from afscope.importing._rows import read_rows
from afscope.records import Tier
from afscope.transcripts import has_answer_tag, has_scratchpad

__all__ = ["import_transcripts"]


def import_transcripts(path: Path, mapping: ColumnMapping) -> ImportedSet:
    """Read a JSONL, CSV or JSON file of foreign transcripts with ``mapping``.

    Raises DataError (file, row, field, fix) for a row that cannot be read, ConfigError for a
    mapping that does not fit the file.
    """
    file = str(path)
    available, rows = read_rows(path)
    columns = _one_transcript_form(mapping.resolve(available), mapping)
    reader = Reader(file, mapping, columns)
    if not {"text", "scratchpad", "output"} & columns.keys():
        raise DataError(
            "no transcript column (looked for text, transcript, response, scratchpad, output, "
            f"...; the file has: {', '.join(available)}); name it with --map text=COLUMN, or "
            "--map scratchpad=COLUMN --map output=COLUMN",
            file=file,
        )
    notes: list[str] = []
    rows = reader.keep_one("setting", rows, notes)
    rows = reader.keep_one("model", rows, notes)
    transcripts = _number_epochs([reader.transcript(number, row) for number, row in rows])
    turns = [turn for transcript in transcripts for turn in transcript.turns]
    suffix = mapping.suffix
    if suffix is None:
        suffix = any(has_answer_tag(turn) for turn in turns)
    if "query_id" not in columns:
        notes.append(
            "no query id column: free and paid transcripts are paired by identical query text"
            if "query" in columns
            else "no query id or query column: the tiers cannot be paired, so there is no gap "
            "(map one with --map query_id=COLUMN)"
        )
    return ImportedSet(
        source=file,
        model=reader.model(rows),
        setting=reader.setting(rows),
        suffix=suffix,
        scratchpad=any(has_scratchpad(turn) for turn in turns),
        transcripts=tuple(transcripts),
        columns=dict(columns),
        labels={kind: columns[kind] for kind in LABEL_KINDS if kind in columns},
        notes=tuple(notes),
    )


def _one_transcript_form(columns: dict[str, str], mapping: ColumnMapping) -> dict[str, str]:
    """Whole text or reasoning + answer, not both: what the user mapped wins, else the split."""
    split = {"scratchpad", "output"} & columns.keys()
    if "text" not in columns or not split:
        return columns
    if mapping.columns.get("text") and not split & {k for k, v in mapping.columns.items() if v}:
        return {k: v for k, v in columns.items() if k not in split}
    return {k: v for k, v in columns.items() if k != "text"}


def _number_epochs(transcripts: Sequence[ImportedTranscript]) -> list[ImportedTranscript]:
    seen: Counter[tuple[str, Tier]] = Counter()
    numbered = []
    for transcript in transcripts:
        seen[(transcript.query_id, transcript.tier)] += 1
        epoch = seen[(transcript.query_id, transcript.tier)]
        numbered.append(transcript if epoch == 1 else replace(transcript, epoch=epoch))
    return numbered
