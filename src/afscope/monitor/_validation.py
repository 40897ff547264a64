"""How often the monitor is wrong: the validation counts a corrected rate rests on.

Two sources of counts:

* shipped: ``data/validation.json`` holds the confusion counts of monitor 2.0.0 at its threshold,
  measured by leave-one-source-out cross-validation (each labelled set scored by the model trained
  without it; counts only, no rows). The default validation pools the five labelled sets written
  by others (``../shared/data/af_labelled``); afscope's own corpus is listed in the file but left
  out of the pool, since its negatives are our own writing.
* the user's: a labelled file (JSONL ``text`` + ``label``, or JSON ``{"samples": [...]}``) scored
  by the monitor that made the run (``--validation FILE``).

A fitted monitor (``afscope monitor fit``) carries its own counts, cross-validated against the
judge whose verdicts it was fitted to, in its spec.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from afscope.errors import DataError
from afscope.monitor._io import iter_labelled
from afscope.stats import Validation

__all__ = [
    "SHIPPED_POOL",
    "shipped_validation",
    "validation_from_file",
    "validation_from_texts",
    "validation_of",
]

VALIDATION_FILE = "data/validation.json"
OWN_SOURCE = "afscope-corpus"
# the labelled sets of ../shared/data/af_labelled pooled into the shipped validation
SHIPPED_POOL = (
    "mixed_180",
    "opus46_500",
    "sycophant_organism_319",
    "vocab_constrained_201",
    "vocab_supermix_265",
)
_COUNTS = ("true_positives", "false_negatives", "true_negatives", "false_positives")


@cache
def _shipped_table() -> dict[str, Any]:
    raw = resources.files("afscope.monitor").joinpath(VALIDATION_FILE).read_text("utf-8")
    table: dict[str, Any] = json.loads(raw)
    return table


def shipped_validation() -> tuple[Validation, str]:
    """The shipped monitor's pooled left-out counts, and the artefact SHA-256 they belong to."""
    table = _shipped_table()
    rows = [row for row in table["sources"] if row["source"] in SHIPPED_POOL]
    counts = {key: sum(int(row[key]) for row in rows) for key in _COUNTS}
    name = (
        f"local-monitor {table['monitor_version']} {table['method']} on "
        f"{len(rows)} labelled sets of shared/data/af_labelled ({', '.join(SHIPPED_POOL)}; "
        f"{sum(counts.values())} scratchpads, labels from generation and automated checks, "
        "not humans)"
    )
    return Validation(name=name, **counts), str(table["artefact_sha256"])


def validation_of(spec: Mapping[str, Any]) -> Validation | None:
    """The validation counts of the monitor that wrote ``spec``, or None when none are known.

    A spec carrying ``validation`` (a fitted monitor) gives its own; the shipped monitor's spec is
    matched to the shipped counts by its artefact's SHA-256 (older logs carry no counts)."""
    own = spec.get("validation")
    if isinstance(own, Mapping):
        return Validation(name=str(own["name"]), **{key: int(own[key]) for key in _COUNTS})
    validation, sha256 = shipped_validation()
    return validation if spec.get("artefact_sha256") == sha256 else None


def validation_from_file(path: Path, monitor: Any) -> Validation:
    """Counts of ``monitor`` (scored at its threshold) against the labels of ``path``."""
    texts, labels = [], []
    for record in iter_labelled(path):
        texts.append(record.text)
        labels.append(record.label == 1)
    if not texts:
        raise DataError("no labelled texts (the file is empty)", file=str(path))
    name = f"{path.name} ({len(texts)} labelled transcripts, scored by {_monitor_name(monitor)})"
    return validation_from_texts(name, texts, labels, monitor, file=str(path))


def validation_from_texts(
    name: str, texts: list[str], labels: list[bool], monitor: Any, *, file: str
) -> Validation:
    """Counts of ``monitor`` at its threshold against ``labels`` (a file's, named ``file``)."""
    flagged = [result.score >= monitor.threshold for result in monitor.score(texts, evidence=False)]
    try:
        return Validation.from_decisions(name, flagged, labels)
    except ValueError as error:
        raise DataError(
            f"{error}: a validation set needs transcripts of both labels (AF and not AF)",
            file=file,
        ) from None


def _monitor_name(monitor: Any) -> str:
    return str(monitor.spec.label)


def counts_dict(validation: Validation) -> dict[str, Any]:
    """A validation as the spec of a fitted monitor stores it."""
    return {"name": validation.name, **{key: getattr(validation, key) for key in _COUNTS}}
