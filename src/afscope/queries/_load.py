"""Load query sets: the shipped JSONL sets by name, or a user's CSV/JSONL file by path.

Files are read as UTF-8. Rows are numbered as a user sees them: the line number in a JSONL file,
and the spreadsheet row in a CSV file (the header is row 1). Repeated texts are dropped, keeping
the first; two different texts with the same id are an error.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from afscope.errors import ConfigError, DataError, UnknownNameError
from afscope.queries._formats import RowFormat, column_mapping, detect_format, missing_column
from afscope.queries._query import Query, normalise

__all__ = ["list_query_sets", "load_queries"]

_DATA = files("afscope.queries") / "data"
_FILE_TYPES = (".csv", ".jsonl", ".ndjson")

Rows = Iterator[tuple[int, Mapping[str, object]]]


def list_query_sets() -> list[str]:
    """The names of the shipped query sets."""
    names = (entry.name for entry in _DATA.iterdir())
    return sorted(name.removesuffix(".jsonl") for name in names if name.endswith(".jsonl"))


def load_queries(spec: str, *, columns: Mapping[str, str] | None = None) -> list[Query]:
    """A shipped query set by name (e.g. ``harmful``) or the queries in a CSV/JSONL file.

    AdvBench, HarmBench and StrongREJECT CSVs are recognised by their header. For any other file,
    ``columns`` maps "text" (and optionally "id" and "category") to the file's column names;
    without it the columns are expected to be called text, id and category.
    """
    if spec in list_query_sets():
        if columns is not None:
            raise ConfigError("a column mapping applies to files only, not to built-in sets")
        entry = _DATA / f"{spec}.jsonl"
        label = f"afscope/{spec}"
        rows = _jsonl_rows(_read(entry, label), label)
        queries = _convert(
            rows, column_mapping({"id": "id", "category": "category"}, label, spec), label
        )
        return [Query(q.id, q.text, q.category, label) for q in queries]
    path = Path(spec)
    if path.suffix.lower() in _FILE_TYPES or path.exists() or "/" in spec:
        return _load_file(path, columns)
    raise UnknownNameError("query set", spec, list_query_sets())


def _load_file(path: Path, columns: Mapping[str, str] | None) -> list[Query]:
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in _FILE_TYPES:
        raise DataError(
            f"unsupported file type {suffix or '(none)'!r}; use {', '.join(_FILE_TYPES)}", file=file
        )
    text = _read(path, file)
    if suffix == ".csv":
        header, rows = _csv_rows(text, file)
        found = detect_format(header, file) if columns is None else None
        row_format = found or column_mapping(columns, file, path.stem)
        missing = [column for column in row_format.required if column not in header]
        if missing:
            raise missing_column(missing[0], list(header), file, 1)
        return _convert(rows, row_format, file)
    return _convert(_jsonl_rows(text, file), column_mapping(columns, file, path.stem), file)


def _read(entry: Traversable, file: str) -> str:
    if not entry.is_file():
        raise DataError("file not found; check the path", file=file)
    try:
        return entry.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(
            f"not UTF-8 text (byte {error.start}); save the file as UTF-8", file=file
        ) from None
    except OSError as error:
        raise DataError(f"cannot read the file ({error.strerror})", file=file) from None


def _csv_rows(text: str, file: str) -> tuple[list[str], Rows]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader, [])]
    except csv.Error as error:
        raise DataError(f"invalid CSV ({error})", file=file, row=1) from None

    def rows() -> Rows:
        number = 1
        try:
            for number, record in enumerate(reader, start=2):
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) > len(header):
                    raise DataError(
                        f"has {len(record)} cells but the header has {len(header)} columns; "
                        "quote cells that contain commas",
                        file=file,
                        row=number,
                    )
                yield number, dict(zip(header, record, strict=False))
        except csv.Error as error:
            raise DataError(f"invalid CSV ({error})", file=file, row=number + 1) from None

    return header, rows()


def _jsonl_rows(text: str, file: str) -> Rows:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(
                f"invalid JSON ({error.msg}); fix the line", file=file, row=number
            ) from None
        if not isinstance(value, dict):
            raise DataError(
                f"expected a JSON object per line, got {type(value).__name__}",
                file=file,
                row=number,
            )
        yield number, value


def _convert(rows: Rows, row_format: RowFormat, file: str) -> list[Query]:
    """Queries from rows, skipping repeated texts and refusing a reused id."""
    texts: set[str] = set()
    ids: dict[str, int] = {}
    queries = []
    for number, values in rows:
        query = row_format.convert(number, values)
        key = normalise(query.text)
        if key in texts:
            continue
        if query.id in ids:
            raise DataError(
                f"id {query.id!r} was already used in row {ids[query.id]}; ids must be unique",
                file=file,
                row=number,
            )
        texts.add(key)
        ids[query.id] = number
        queries.append(query)
    return queries
