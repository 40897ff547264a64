"""Read the samples of an ``.eval`` log straight from its zip, for the readers that need only
a sample's metadata, scores, error and message texts.

Inspect's public readers validate every sample into pydantic models through an async zip reader
(about 5 ms of CPU per sample on 2 cores, more when fields are excluded, since exclusion streams
the JSON through a second parser): 50 s of the 55 s an ``afscope report`` over 10,000 samples
took. An ``.eval`` log is a zip holding one JSON member per sample
(``samples/<id>_epoch_<epoch>.json``); reading a member and parsing it (pydantic-core's JSON
parser) costs about 0.25 ms. Only the fields of :class:`RawSample` are taken. What this reader
does not recognise (a ``.json`` log, a zip without sample members) returns None, and the
caller uses Inspect's reader. ``tests/test_log_reading.py`` holds the two readers to the same
samples and records.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_core import from_json

if sys.version_info < (3, 14):  # zstd members, as Inspect writes them (stdlib from 3.14)
    import zipfile_zstd  # type: ignore[import-untyped]  # noqa: F401

__all__ = ["RawSample", "raw_header", "raw_samples"]

_HEADER = "header.json"  # written when a run ends (a running log has only its journal)
_SAMPLES_DIR = "samples/"
_EPOCH = "_epoch_"
_ATTACHMENT = "attachment://"


@dataclass(frozen=True)
class RawSample:
    """What afscope's records are made of, from either reader (see ``logs._record``)."""

    id: str | int
    epoch: int
    metadata: Mapping[str, Any]
    # scorer name -> that score's metadata
    score_metadata: Mapping[str, Mapping[str, Any]]
    error: str | None
    assistant_texts: Sequence[str]
    system_text: str = ""
    # the output's completion (what the monitor reads of a sample without messages)
    output_text: str = ""


def raw_header(path: Path) -> Mapping[str, Any] | None:
    """The header of a finished ``.eval`` log as JSON (no reductions, no validation, no
    Inspect import), or None when it has none (a running or cut-off log, another format): then
    the caller uses Inspect's reader, which also says what is wrong with a broken file."""
    if path.suffix.lower() != ".eval":
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            data = from_json(archive.read(_HEADER), cache_strings=False)
    except Exception:  # not a zip, no header member, damaged: Inspect's reader decides
        return None
    return data if isinstance(data, Mapping) else None


def raw_samples(
    path: Path, sample_ids: Sequence[str | int], warn: Callable[[str], None]
) -> Iterator[RawSample] | None:
    """The log's samples in dataset order (``sample_ids``, then epoch), or None when ``path`` is
    not an ``.eval`` zip this reader knows. A member that cannot be read or parsed is named
    through ``warn`` and skipped, as Inspect's reader does for a damaged sample."""
    if path.suffix.lower() != ".eval" or not zipfile.is_zipfile(path):
        return None
    archive = zipfile.ZipFile(path)
    # a re-logged sample appends a second member under one name; by name the last one is read
    names = [n for n in dict.fromkeys(archive.namelist()) if _is_sample(n)]
    if not names and "header.json" not in archive.namelist():
        archive.close()
        return None
    order = {str(sample_id): i for i, sample_id in enumerate(sample_ids)}
    names.sort(key=lambda name: _sort_key(name, order))
    return _read(archive, names, path, warn)


def _is_sample(name: str) -> bool:
    return name.startswith(_SAMPLES_DIR) and name.endswith(".json") and _EPOCH in name


def _sort_key(name: str, order: Mapping[str, int]) -> tuple[int, int, str]:
    sample_id, epoch = _id_epoch(name)
    return order.get(sample_id, len(order)), epoch, sample_id


def _id_epoch(name: str) -> tuple[str, int]:
    """``samples/<id>_epoch_<epoch>.json`` -> (id, epoch)."""
    sample_id, _, epoch = name[len(_SAMPLES_DIR) : -len(".json")].rpartition(_EPOCH)
    return sample_id, int(epoch) if epoch.isdigit() else 0


def _read(
    archive: zipfile.ZipFile, names: list[str], path: Path, warn: Callable[[str], None]
) -> Iterator[RawSample]:
    skipped = 0
    with archive:
        for name in names:
            try:
                data = from_json(archive.read(name), cache_strings="keys")
                sample = _raw(data)
            except Exception as error:  # zstd, zip, JSON or shape errors: one damaged sample
                skipped += 1
                sample_id, epoch = _id_epoch(name)
                warn(
                    f"{path}: sample {sample_id} (epoch {epoch}) is unreadable "
                    f"({type(error).__name__}); skipped"
                )
                continue
            yield sample
    if skipped:
        warn(f"{path}: {skipped} unreadable samples skipped, {len(names) - skipped} read")


def _raw(data: Mapping[str, Any]) -> RawSample:
    attachments: Mapping[str, str] = data.get("attachments") or {}
    messages = data.get("messages") or []
    error = data.get("error")
    return RawSample(
        id=data["id"],
        epoch=int(data["epoch"]),
        metadata=data.get("metadata") or {},
        score_metadata={
            name: (score or {}).get("metadata") or {}
            for name, score in (data.get("scores") or {}).items()
        },
        error=str(error.get("message", "")) if isinstance(error, Mapping) else None,
        assistant_texts=[_text(m, attachments) for m in messages if m.get("role") == "assistant"],
        system_text=next(
            (_text(m, attachments) for m in messages if m.get("role") == "system"), ""
        ),
        output_text=_completion(data.get("output") or {}, attachments),
    )


def _completion(output: Mapping[str, Any], attachments: Mapping[str, str]) -> str:
    """The output's completion as Inspect's ``ModelOutput`` gives it: the stored one, else the
    first choice's text."""
    if output.get("completion"):
        return _resolved(str(output["completion"]), attachments)
    choices = output.get("choices") or []
    return _text(choices[0].get("message") or {}, attachments) if choices else ""


def _text(message: Mapping[str, Any], attachments: Mapping[str, str]) -> str:
    """A message's text as Inspect's ``ChatMessage.text`` gives it: the string content, or its
    text parts joined by newlines; ``attachment://`` references resolved."""
    content = message.get("content", "")
    if isinstance(content, str):
        return _resolved(content, attachments)
    return "\n".join(
        _resolved(str(part.get("text", "")), attachments)
        for part in content
        if isinstance(part, Mapping) and part.get("type") == "text"
    )


def _resolved(text: str, attachments: Mapping[str, str]) -> str:
    if text.startswith(_ATTACHMENT):
        return attachments.get(text[len(_ATTACHMENT) :], text)
    return text
