"""The rows of a foreign transcript file: JSONL, CSV or JSON, each row with its number.

Row numbers are what a user finds in an editor: the line of a JSONL file, the line of a CSV row
(the header is line 1), the position of an object in a JSON list. Every error names the file
and row and says how to fix it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from afscope.errors import DataError
from afscope.queries._load import _jsonl_rows as jsonl_rows

__all__ = ["FILE_TYPES", "Row", "read_rows"]

FILE_TYPES = (".jsonl", ".ndjson", ".csv", ".json")

# (row number, the row's fields)
Row = tuple[int, dict[str, Any]]


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    """(the columns in order of first appearance, the rows) of a transcript file."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        kinds = ", ".join(FILE_TYPES)
        raise DataError(f"unsupported file type {suffix or '(none)'!r}; use {kinds}", file=file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("no such file; check the path", file=file) from None
    except OSError as error:
        raise DataError(f"cannot read the file ({error.strerror})", file=file) from None
    text = _decode(data, file)
    if suffix == ".csv":
        rows = _csv_rows(text, file)
    elif suffix == ".json":
        rows = _json_rows(text, file)
    else:
        # the query loader's reader: the same rules and errors
        rows = [(number, dict(row)) for number, row in jsonl_rows(text, file)]
    if not rows:
        raise DataError("no transcripts (the file has no rows)", file=file)
    columns: dict[str, None] = {}
    for _, row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns), rows


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise DataError(
            f"not UTF-8 text (byte {error.start + 1} of the file); save the file as UTF-8",
            file=file,
            row=row,
        ) from None


def _json_rows(text: str, file: str) -> list[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(f"not valid JSON ({error.msg})", file=file, row=error.lineno) from None
    items = data.get("samples") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise DataError(
            'expected a JSON list of objects or {"samples": [...]}; for one object per line '
            "name the file .jsonl",
            file=file,
        )
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            kind = type(item).__name__
            raise DataError(f"expected a JSON object, got {kind}", file=file, row=number)
        rows.append((number, item))
    return rows


_CSV_CELL_LIMIT = 64 * 1024 * 1024  # transcripts are long; the csv module's default is 128 KiB


def _csv_rows(text: str, file: str) -> list[Row]:
    if csv.field_size_limit() < _CSV_CELL_LIMIT:
        csv.field_size_limit(_CSV_CELL_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    try:
        header = [column.strip() for column in next(reader, [])]
        for record in reader:
            number = reader.line_num  # the last line of the record (cells may span lines)
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise DataError(
                    f"has {len(record)} cells but the header has {len(header)} columns; quote "
                    "cells that contain commas or line breaks",
                    file=file,
                    row=number,
                )
            rows.append((number, dict(zip(header, record, strict=True))))
    except csv.Error as error:
        raise DataError(f"invalid CSV ({error})", file=file, row=reader.line_num) from None
    return rows
