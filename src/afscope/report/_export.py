"""Per-sample exports: one row per sample as CSV, Parquet or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from afscope._atomic import atomic_open, atomic_path
from afscope.errors import ConfigError, DataError
from afscope.report._samples import Run, sample_rows

__all__ = ["EXPORT_FORMATS", "ExportFormat", "export_samples", "write_rows"]

ExportFormat = Literal["csv", "parquet", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "parquet", "json")


def export_samples(runs: Sequence[Run], path: str | Path, format: ExportFormat) -> Path:
    """Write one row per sample of every run to ``path``; returns the path written.

    Columns: run index and label, model, setting, variant, ids, tier, query, outcome, derived
    compliance and figure category, tokens, then ``<kind>_decision/_score/_classifier/_tokens``
    for every verdict kind present, the organism's ground truth (simulated runs) and the
    scratchpad and output text.
    """
    return write_rows(sample_rows(runs), Path(path), format)


def write_rows(rows: list[dict[str, Any]], target: Path, format: ExportFormat) -> Path:
    """Write rows (one dict per row, the same keys in each) as ``format``; returns ``target``."""
    if format not in EXPORT_FORMATS:
        raise ConfigError(
            f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}",
            key="format",
        )
    try:
        if format == "csv":
            _write_csv(rows, target)
        elif format == "json":
            _write_json(rows, target)
        else:
            _write_parquet(rows, target)
    except OSError as error:
        raise DataError(
            f"cannot write the {format} export: {error.strerror}", file=str(target)
        ) from None
    return target


# A spreadsheet evaluates a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value: Any) -> Any:
    """Model text is untrusted: a leading quote keeps a spreadsheet from running it as a formula.

    Only text cells are touched (numbers stay numbers); Parquet and JSON keep text exactly.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _write_csv(rows: list[dict[str, Any]], target: Path) -> None:
    with atomic_open(target, newline="") as handle:
        if not rows:
            return
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            {key: _spreadsheet_safe(value) for key, value in row.items()} for row in rows
        )


def _write_json(rows: list[dict[str, Any]], target: Path) -> None:
    with atomic_open(target) as handle:
        json.dump(rows, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def _write_parquet(rows: list[dict[str, Any]], target: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ConfigError(
            "Parquet export needs pyarrow: pip install 'afscope[report]'", key="--parquet"
        ) from error
    columns = list(rows[0]) if rows else []
    table = pa.table({name: pa.array([row[name] for row in rows]) for name in columns})
    with atomic_path(target) as temporary:
        pq.write_table(table, temporary)
