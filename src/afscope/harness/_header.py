"""A log's header, read once per version of the file: straight from a finished ``.eval`` zip's
``header.json`` (no Inspect import), through Inspect's reader otherwise; what kind of run it holds
and its :class:`~afscope.records.RunInfo`."""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afscope.errors import DataError
from afscope.harness._eval_zip import raw_header
from afscope.providers import is_simulated
from afscope.records import RunInfo, VerdictKind
from afscope.two_stage import classifier_spec

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog

__all__ = [
    "LogHeader",
    "afscope_meta",
    "cut_off_before_start",
    "inspect_header",
    "is_agentic_log",
    "is_scheming_log",
    "log_is_finished",
    "read_header",
    "read_run_info",
]


@dataclass(frozen=True)
class LogHeader:
    """What afscope reads of a log's header, from either reader."""

    metadata: Mapping[str, Any]  # the EvalSpec's metadata
    model: str
    created: str
    task: str
    task_id: str
    status: str
    batched: bool
    sample_ids: Sequence[str | int]
    finished: bool  # the results say every sample completed

    @classmethod
    def from_log(cls, log: EvalLog) -> LogHeader:
        results = log.results
        return cls(
            metadata=log.eval.metadata or {},
            model=log.eval.model,
            created=log.eval.created,
            task=log.eval.task,
            task_id=log.eval.task_id,
            status=log.status,
            batched=bool(log.plan.config.batch),
            sample_ids=log.eval.dataset.sample_ids or [],
            finished=results is not None and results.completed_samples >= results.total_samples,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LogHeader:
        """From ``header.json`` as Inspect writes it (KeyError or TypeError when it is not)."""
        spec, results = data["eval"], data.get("results")
        batch = ((data.get("plan") or {}).get("config") or {}).get("batch")
        return cls(
            metadata=spec.get("metadata") or {},
            model=str(spec["model"]),
            created=str(spec["created"]),
            task=str(spec["task"]),
            task_id=str(spec["task_id"]),
            status=str(data["status"]),
            # a BatchConfig (an object) turns batching on, as true or a batch size does
            batched=isinstance(batch, Mapping) or bool(batch),
            sample_ids=(spec.get("dataset") or {}).get("sample_ids") or [],
            finished=isinstance(results, Mapping)
            and int(results["completed_samples"]) >= int(results["total_samples"]),
        )


def read_header(path: Path) -> LogHeader:
    if not path.exists():
        raise DataError("no such log file", file=str(path))
    if path.suffix.lower() in (".jsonl", ".ndjson", ".csv"):
        raise DataError(
            "not an Inspect log; to get a run's statistics and report from transcripts, import "
            f"them first: afscope import {path} -o RUN.eval",
            file=str(path),
        )
    stat = path.stat()
    try:
        header = _cached_header(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except Exception as error:  # Inspect raises many types for a bad file
        if cut_off_before_start(path):
            raise DataError(
                "this log was cut off before its run started (interrupted at once): it holds no "
                "sample, so nothing can be resumed or reported; run the command again",
                file=str(path),
            ) from None
        raise DataError(f"not a readable Inspect log ({error})", file=str(path)) from error
    return header


def cut_off_before_start(path: Path) -> bool:
    """Whether ``path`` is an .eval file cut off before Inspect wrote its start: no header, no
    sample, nothing any reader can open (Inspect creates the file before writing into it, and
    Ctrl-C in the first moments of a run can land in between)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (OSError, zipfile.BadZipFile):  # created, nothing written yet
        return path.suffix == ".eval" and path.is_file() and path.stat().st_size == 0
    if "_journal/start.json" in names or "header.json" in names:
        return False
    return not any(name.startswith("samples/") for name in names)


@functools.lru_cache(maxsize=8)
def _cached_header(path: str, mtime_ns: int, size: int) -> LogHeader:
    """A log's header, read once per version of the file (mtime and size are part of the key):
    one report asks for it up to four times (kind checks, run info, samples).

    A finished ``.eval`` log's ``header.json`` is parsed as it is; anything else goes through
    Inspect's reader, whose header read validates the per-sample reductions too (about a second
    for 10,000 samples) and needs Inspect imported."""
    del mtime_ns, size  # in the cache key only
    data = raw_header(Path(path))
    if data is not None:
        try:
            return LogHeader.from_json(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # not shaped as Inspect writes it: Inspect's reader says what is wrong
    return LogHeader.from_log(inspect_header(path))


def inspect_header(path: str) -> EvalLog:
    from inspect_ai.log import read_eval_log

    return read_eval_log(path, header_only=True)


def afscope_meta(path: str | Path) -> dict[str, Any]:
    header = read_header(Path(path))  # a missing or broken file: one line naming it
    return dict(header.metadata.get("afscope", {}))


def is_agentic_log(path: str | Path) -> bool:
    """Whether a log is an agentic run's (its afscope metadata names an environment); an
    unreadable file is not (the alignment-faking reader then says what is wrong with it)."""
    try:
        return bool(afscope_meta(path).get("environment"))
    except DataError:
        return False


def is_scheming_log(path: str | Path) -> bool:
    """Whether a log is an in-context scheming run's (``afscope scheming`` or its tasks)."""
    try:
        return afscope_meta(path).get("kind") == "scheming"
    except DataError:
        return False


def read_run_info(path: str | Path) -> RunInfo:
    """The RunInfo of a log, from its header only."""
    path = Path(path)
    log = read_header(path)
    meta: dict[str, Any] = log.metadata.get("afscope", {})
    if not meta:
        raise DataError("not an afscope log (no afscope metadata in its header)", file=str(path))
    classifiers = dict(meta.get("classifiers", {}))
    two_stage = dict(log.metadata.get("two_stage") or {})
    if two_stage:
        classifiers[VerdictKind.AF_REASONING] = classifier_spec(two_stage)
    imported = meta.get("imported") or {}
    # an imported log's header model is imported/<model>; the source's own name is shown
    model = str(imported.get("model") or log.model)
    return RunInfo(
        model=model,
        setting=str(meta.get("setting", "")),
        simulated=is_simulated(model),
        variant=str(meta.get("variant", "default")),
        seed=int(meta.get("seed", 0)),
        created=log.created,
        scratchpad=bool(meta.get("scratchpad", True)),
        suffix=bool(meta.get("suffix", True)),
        log_path=str(path),
        task=log.task,
        classifiers=classifiers,
        source=str(imported.get("source", "")),
        run_id=log.task_id,
        complete=log.status == "success",
        two_stage=two_stage,
        batched=log.batched,
    )


def log_is_finished(path: str | Path) -> bool:
    """Whether a log's run ended with every sample done and none failed (nothing to resume)."""
    log = read_header(Path(path))
    return log.status == "success" and log.finished
