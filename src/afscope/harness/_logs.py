"""Read afscope runs back from Inspect logs as typed records (RunInfo + SampleRecords).

A finished ``.eval`` log's header and samples are read straight from its zip
(:mod:`afscope.harness._eval_zip`), so ``afscope report`` and the other readers of such a log
never import Inspect (about 3 s of CPU); Inspect's reader, imported where it is called, reads
everything else (``.json`` logs, a running log's journal) and writes logs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from afscope.harness._eval_zip import RawSample, raw_samples
from afscope.harness._header import (
    inspect_header,
    read_header,
    read_run_info,
)
from afscope.importing import IMPORTED_LABEL
from afscope.monitor import MONITOR_NAME
from afscope.records import (
    SAMPLE_ERROR_PREFIX,
    ClassifierRef,
    OrganismTruth,
    Outcome,
    RunInfo,
    SampleRecord,
    Tier,
    Verdict,
    VerdictKind,
)
from afscope.transcripts import parse_turns
from afscope.two_stage import classifier_spec

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog, EvalSample

__all__ = [
    "iter_records",
    "iter_samples",
    "log_samples",
    "read_log",
    "read_run",
    "with_verdict_specs",
    "without_unreadable",
]

OUTCOME_SCORER = "outcome_scorer"


def _raw(sample: EvalSample) -> RawSample:
    """What a record is made of, from a sample Inspect's reader validated."""
    return RawSample(
        id=sample.id,
        epoch=sample.epoch,
        metadata=sample.metadata,
        score_metadata={
            name: score.metadata or {} for name, score in (sample.scores or {}).items()
        },
        error=sample.error.message if sample.error else None,
        assistant_texts=[m.text for m in sample.messages if m.role == "assistant"],
        system_text=_system_prompt(sample),
        output_text=sample.output.completion if sample.output is not None else "",
    )


# a log's classifier specs by their fields, so that the records read from it share one spec per
# classifier (each sample stores its own copy: ~1 kB a record held by a run's summary)
_Specs = dict[tuple[tuple[str, Any], ...], ClassifierRef]


def _verdict(data: Mapping[str, Any], specs: _Specs) -> Verdict:
    spec: Any = data.get("spec")
    try:
        key = tuple(spec.items())
        shared = specs.get(key)
    except (AttributeError, TypeError):  # not a mapping, or a field that is a list or a mapping
        return Verdict.from_dict(dict(data))
    if shared is None:
        shared = specs[key] = ClassifierRef(spec)
    return Verdict.from_dict({**data, "spec": shared})


def _record(sample: RawSample, run: RunInfo, specs: _Specs | None = None) -> SampleRecord:
    """``specs``: the specs of the log's records read so far, shared with this one."""
    specs = {} if specs is None else specs
    meta = sample.metadata
    fields: Mapping[str, Any] = sample.score_metadata.get(OUTCOME_SCORER, {})
    verdicts: dict[str, Verdict] = {}
    skipped: dict[str, str] = {}
    # the outcome scorer's own verdicts (the local monitor's, since the monitor stopped being a
    # scorer of its own) come first: where a later scorer (classify --monitor-model) judged the
    # same kind with the same classifier, its verdict replaces the run's, as a separate
    # monitor_scorer's did in earlier logs
    scorers = sorted(sample.score_metadata.items(), key=lambda item: item[0] != OUTCOME_SCORER)
    for _, metadata in scorers:
        for kind, data in (metadata.get("verdicts") or {}).items():
            _add_verdict(verdicts, kind, _verdict(data, specs))
        skipped.update(metadata.get("skipped") or {})
    truth = fields.get("truth")
    transcript = parse_turns(sample.assistant_texts, suffix=run.suffix)
    reason: str | None
    if sample.error is not None and not fields:
        outcome, reason = Outcome.MALFORMED, f"{SAMPLE_ERROR_PREFIX}: {sample.error}"
    else:
        outcome = Outcome(fields.get("outcome", Outcome.MALFORMED.value))
        reason = fields.get("malformed_reason") or (None if fields else "not scored")
    return SampleRecord(
        sample_id=str(sample.id),
        query_id=str(meta.get("query_id", sample.id)),
        category=str(meta.get("category", "")),
        tier=Tier(meta.get("tier", "free")),
        setting=run.setting,
        outcome=outcome,
        query=str(meta.get("query", "")),
        epoch=sample.epoch,
        variant=run.variant,
        model=run.model,
        malformed_reason=reason,
        scratchpad=transcript.scratchpad,
        output=transcript.output,
        turns=int(fields.get("turns", 0)),
        input_tokens=int(fields.get("input_tokens", 0)),
        output_tokens=int(fields.get("output_tokens", 0)),
        cached_input_tokens=int(fields.get("cached_input_tokens", 0)),
        cache_write_tokens=int(fields.get("cache_write_tokens", 0)),
        truth=OrganismTruth.from_dict(truth) if truth else None,
        verdicts=verdicts,
        skipped={kind: str(why) for kind, why in skipped.items() if kind not in verdicts},
    )


def _add_verdict(verdicts: dict[str, Verdict], kind: str, verdict: Verdict) -> None:
    """Add a verdict; for one kind an LLM judge's verdict takes the plain kind over an imported
    label's, which takes it over the local monitor's; the other is kept as ``<kind>_imported``
    or ``<kind>_monitor``.

    (A log classified again with a judge keeps the monitor's verdict as ``<kind>_monitor``.)
    """
    held = verdicts.get(kind)
    if held is not None:
        if _rank(verdict) < _rank(held):
            verdicts[_aside(kind, verdict)] = verdict
            return
        if _rank(held) < _rank(verdict):
            verdicts[_aside(kind, held)] = held
    verdicts[kind] = verdict


# the classifiers that give way to a judge, weakest first, and the suffix they are kept under
_GIVES_WAY = {MONITOR_NAME: "monitor", IMPORTED_LABEL: "imported"}


def _rank(verdict: Verdict) -> int:
    names = list(_GIVES_WAY)
    name = verdict.spec.get("name")
    return names.index(name) if name in names else len(names)


def _aside(kind: str, verdict: Verdict) -> str:
    return f"{kind}_{_GIVES_WAY[str(verdict.spec.get('name'))]}"


def iter_records(path: str | Path) -> Iterator[SampleRecord]:
    """Stream a log's samples as records, one at a time (constant memory)."""
    return _iter_records(path, read_run_info(path))


def _iter_records(path: str | Path, run: RunInfo) -> Iterator[SampleRecord]:
    specs: _Specs = {}
    for sample in _raw_samples(path):
        yield _record(sample, run, specs)


def _raw_samples(path: str | Path) -> Iterator[RawSample]:
    """The samples as records need them: straight from the ``.eval`` zip where it can be read
    that way (ten times cheaper, see ``_eval_zip``), else through Inspect's reader."""
    header = read_header(Path(path))
    fast = raw_samples(Path(path), header.sample_ids, _warn)
    if fast is not None:
        return fast
    return (_raw(sample) for sample in iter_samples(path))


def log_samples(path: str | Path) -> Iterator[RawSample]:
    """Every sample of a log, as :func:`iter_records` reads them; a log without a sample index
    (written whole, not by an eval run) is read whole, the only kind that costs memory in
    proportion to its size."""
    yielded = False
    try:
        for sample in _raw_samples(path):
            yielded = True
            yield sample
    except RuntimeError:
        if yielded:
            raise
        from inspect_ai.log import read_eval_log

        yield from (_raw(sample) for sample in read_eval_log(str(path)).samples or [])


def iter_samples(
    path: str | Path,
    *,
    events: bool = False,
    chunk: int = 200,
    unreadable: list[tuple[str | int, int]] | None = None,
) -> Iterator[EvalSample]:
    """Stream a log's samples in dataset order (id, then epoch), ``chunk`` in memory at a time.

    The log is opened once per chunk, not once per sample (Inspect's ``read_eval_log_samples``
    reopens the zip for every sample, quadratic in the log's size). Samples a log does not hold
    (an interrupted run) are skipped, and so are damaged ones (each named in one line on
    stderr, their (id, epoch) appended to ``unreadable`` if given); ``events`` (large, needed
    only to count retries) are left out unless asked for.
    """
    from inspect_ai.log import read_eval_log_sample_summaries, read_eval_log_samples_by_id

    header = read_header(Path(path))
    order = {sample_id: i for i, sample_id in enumerate(header.sample_ids)}
    summaries = read_eval_log_sample_summaries(str(path))
    keys = sorted(
        ((s.id, s.epoch) for s in summaries), key=lambda k: (order.get(k[0], len(order)), k[1])
    )
    exclude = None if events else {"events"}
    skipped = 0
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        try:
            samples = list(read_eval_log_samples_by_id(str(path), part, exclude_fields=exclude))
        except Exception:  # a damaged sample (zstd/zip errors): read the chunk one by one
            samples = []
            for key in part:
                try:
                    samples += read_eval_log_samples_by_id(str(path), [key], exclude_fields=exclude)
                except Exception as error:
                    skipped += 1
                    if unreadable is not None:
                        unreadable.append(key)
                    _warn(
                        f"{path}: sample {key[0]} (epoch {key[1]}) is unreadable "
                        f"({type(error).__name__}); skipped"
                    )
        yield from samples
    if skipped:
        _warn(f"{path}: {skipped} unreadable samples skipped, {len(keys) - skipped} read")


def read_log(path: str | Path, unreadable: list[tuple[str | int, int]] | None = None) -> EvalLog:
    """A whole log (header and every sample with its events) for Inspect's ``score`` and
    ``write_eval_log``; damaged samples are left out as in :func:`iter_samples`."""
    read_header(Path(path))  # a missing or broken file: one line naming it
    log = inspect_header(str(path))
    log.samples = list(iter_samples(path, events=True, unreadable=unreadable))
    return log


def without_unreadable(path: Path, folder: Path) -> tuple[Path, int]:
    """``path`` itself if every sample reads, else a copy in ``folder`` without the damaged
    samples (each named on stderr), so that Inspect's ``eval_retry`` runs them again; with the
    number left out."""
    unreadable: list[tuple[str | int, int]] = []
    log = read_log(path, unreadable)
    if not unreadable:
        return path, 0
    from inspect_ai.log import write_eval_log

    copy = folder / path.name
    write_eval_log(log, str(copy))
    return copy, len(unreadable)


def _warn(line: str) -> None:
    """A damaged part of a log: one line on stderr; the readable samples are still used."""
    sys.stderr.write(line + "\n")


def read_run(path: str | Path, *, text: bool = True) -> tuple[RunInfo, list[SampleRecord]]:
    """A whole run: its RunInfo and every sample as a record, in log order.

    The RunInfo's classifier specs are completed from the verdicts themselves (each carries the
    full spec it was made with: judge model, rubric hash, votes, threshold). Without ``text``
    the records leave out the query, scratchpad and answer as they stream past (statistics need
    none of them), so a large log is counted in a small fraction of its size in memory.
    """
    run = read_run_info(path)
    records, system_prompt = [], ""
    specs: _Specs = {}
    for sample in _raw_samples(path):
        record = _record(sample, run, specs)
        records.append(record if text else replace(record, query="", scratchpad="", output=""))
        system_prompt = system_prompt or sample.system_text
    run = replace(run, system_prompt=system_prompt)
    return with_verdict_specs(run, (record.verdicts for record in records)), records


def _system_prompt(sample: EvalSample) -> str:
    """The system prompt the sample was sent (every sample of a run is sent the same one)."""
    return next((m.text for m in sample.messages if m.role == "system"), "")


def with_verdict_specs(run: RunInfo, verdicts: Iterable[Mapping[str, Verdict]]) -> RunInfo:
    """``run`` with its classifier specs completed from the verdicts (each carries its spec)."""
    classifiers = dict(run.classifiers)
    for by_kind in verdicts:
        for kind, verdict in by_kind.items():
            if verdict.spec:
                classifiers[kind] = verdict.spec
    if run.two_stage:  # its AF verdicts are the monitor's and the judge's: neither alone
        classifiers[VerdictKind.AF_REASONING] = ClassifierRef(classifier_spec(run.two_stage))
    return replace(run, classifiers=classifiers)
