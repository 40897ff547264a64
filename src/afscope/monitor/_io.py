"""Reading what the monitor scores: JSONL files, Inspect logs, and labelled sets.

Everything is a generator, so JSONL files and Inspect ``.eval`` logs of any size are read in
constant memory (a line or a sample at a time); a ``.json`` file is read whole. A bad line raises
:class:`~afscope.errors.DataError` naming the file and line. Inspect logs are read by the
``read_log`` the caller gives (the CLI gives :func:`afscope.harness.log_samples`), so this
package does not import Inspect.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from afscope.errors import DataError

__all__ = ["LabelledRecord", "LogSample", "Record", "iter_labelled", "iter_records"]

_POSITIVE = {"alignment_faking", "af", "yes", "true", "1", "positive"}
_NEGATIVE = {"aligned", "not_af", "no", "false", "0", "negative"}


@dataclass(frozen=True)
class Record:
    """One text to score; ``id`` defaults to the line number (or the Inspect sample id)."""

    id: str
    text: str
    source: str


class LogSample(Protocol):
    """One sample of an Inspect log as a log reader gives it."""

    @property
    def id(self) -> str | int: ...
    @property
    def epoch(self) -> int: ...
    @property
    def assistant_texts(self) -> Sequence[str]: ...
    @property
    def output_text(self) -> str: ...


@dataclass(frozen=True)
class LabelledRecord:
    """One text with its label (1 = alignment faking)."""

    text: str
    label: int


def iter_records(path: Path, read_log: Callable[[Path], Iterable[LogSample]]) -> Iterator[Record]:
    """Texts from a JSONL file (a ``text`` field, optional ``id``), an Inspect log (``.eval``, or
    ``.json`` with an ``eval`` header; its samples from ``read_log``), or JSON
    ``{"samples": [{"text": ...}, ...]}``."""
    if not path.is_file():
        raise DataError("no such file", file=str(path))
    if path.suffix == ".eval" or (path.suffix == ".json" and _is_inspect_json(path)):
        yield from _iter_inspect(path, read_log)
        return
    rows = _json_samples(path) if path.suffix == ".json" else _iter_jsonl(path)
    for row_number, row in rows:
        yield Record(str(row.get("id", row_number)), _text(row, path, row_number), str(path))


def iter_labelled(path: Path) -> Iterator[LabelledRecord]:
    """Labelled texts: JSONL rows with ``text`` and ``label``, or JSON ``{"samples": [...]}``."""
    if not path.is_file():
        raise DataError("no such file", file=str(path))
    if path.suffix == ".eval":
        raise DataError(
            "an Inspect log has no labels: give JSONL rows or JSON samples with text and label"
            " (score a log with 'afscope monitor score')",
            file=str(path),
        )
    rows = _json_samples(path) if path.suffix == ".json" else _iter_jsonl(path)
    for row_number, row in rows:
        yield LabelledRecord(_text(row, path, row_number), _label(row, path, row_number))


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as lines:
        for line_number, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DataError(
                    f"not UTF-8 text (byte {error.start + 1} of the line); save the file as UTF-8",
                    file=str(path),
                    row=line_number,
                ) from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(
                    f"not a JSON object ({error.msg})", file=str(path), row=line_number
                ) from None
            if not isinstance(row, dict):
                raise DataError("each line must be a JSON object", file=str(path), row=line_number)
            yield line_number, row


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise DataError(
            f"not UTF-8 text (byte {error.start + 1}); save the file as UTF-8", file=str(path)
        ) from None
    except json.JSONDecodeError as error:
        raise DataError(f"not JSON ({error.msg})", file=str(path)) from None


def _is_inspect_json(path: Path) -> bool:
    data = _load_json(path)
    return isinstance(data, dict) and "eval" in data


def _json_samples(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    data = _load_json(path)
    samples = data.get("samples") if isinstance(data, dict) else None
    if not isinstance(samples, list):
        raise DataError('expected {"samples": [{"text": ..., "label": ...}, ...]}', file=str(path))
    for index, row in enumerate(samples, start=1):
        if not isinstance(row, dict):
            raise DataError("each sample must be a JSON object", file=str(path), row=index)
        yield index, row


def _text(row: dict[str, Any], path: Path, row_number: int) -> str:
    text = row.get("text")
    if not isinstance(text, str):
        raise DataError('needs a string "text" field', file=str(path), row=row_number)
    return text


def _label(row: dict[str, Any], path: Path, row_number: int) -> int:
    value = str(row.get("label", "")).strip().lower()
    if value in _POSITIVE:
        return 1
    if value in _NEGATIVE:
        return 0
    raise DataError(
        f'label {row.get("label")!r} is not one of "alignment_faking"/"aligned" (or 1/0)',
        file=str(path),
        row=row_number,
    )


def _iter_inspect(path: Path, read_log: Callable[[Path], Iterable[LogSample]]) -> Iterator[Record]:
    """Each sample of an Inspect log: its assistant messages joined (reasoning is in there), or
    its output's completion when it has none."""
    try:
        for sample in read_log(path):
            texts = [text for text in sample.assistant_texts if text] or [sample.output_text]
            sample_id = str(sample.id) if sample.epoch == 1 else f"{sample.id}#{sample.epoch}"
            yield Record(sample_id, "\n\n".join(texts), str(path))
    except (ValueError, KeyError, OSError) as error:
        raise DataError(f"cannot read as an Inspect log ({error})", file=str(path)) from None
