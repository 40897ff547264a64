"""`afscope monitor`: score, evaluate and scan with the offline alignment-faking monitor."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from afscope._atomic import atomic_open
from afscope.errors import DataError
from afscope.monitor import FLAG_MEANINGS, Monitor, MonitorResult, load_monitor
from afscope.monitor._io import LogSample, Record, iter_labelled, iter_records
from afscope.monitor._metrics import Figures, figures
from afscope.records import Decision, VerdictKind
from afscope.stats import Validation

_BATCH = 64
F = TypeVar("F", bound=Callable[..., Any])


def _batches(records: Iterable[Record], size: int = _BATCH) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _scored(monitor: Monitor, records: Iterable[Record]) -> Iterator[tuple[Record, MonitorResult]]:
    """Score records lazily, one batch at a time, in input order (no evidence)."""
    for batch in _batches(records):
        results = monitor.score([record.text for record in batch], evidence=False)
        yield from zip(batch, results, strict=True)


def _all_records(paths: Iterable[Path]) -> Iterator[Record]:
    for path in paths:
        yield from iter_records(path, _log_samples)


def _log_samples(path: Path) -> Iterator[LogSample]:
    from afscope.harness import log_samples  # Inspect is imported only for an Inspect log

    return log_samples(path)


_MONITOR_MODEL = click.option(
    "--monitor-model",
    "monitor_model",
    default=None,
    metavar="NAME|PATH",
    help="A monitor fitted with 'afscope monitor fit' (its name, or an artefact path); "
    "default: the shipped one.",
)


def _output(help: str, **options: Any) -> Callable[[F], F]:
    """-o/--output: the file a monitor command writes."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=help, **options
    )


@click.group()
def monitor() -> None:
    """The offline alignment-faking monitor (no API, CPU only)."""


@monitor.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@_output("JSONL file to write: one {id, score} object per input, in order.", required=True)
@_MONITOR_MODEL
def score(input_path: Path, output: Path, monitor_model: str | None) -> None:
    """Score every text of INPUT (JSONL with a `text` field, or an Inspect log)."""
    mon = load_monitor(monitor_model)
    count = 0
    with atomic_open(output) as out:
        for record, result in _scored(mon, iter_records(input_path, _log_samples)):
            out.write(json.dumps({"id": record.id, "score": round(result.score, 6)}) + "\n")
            count += 1
        if not count:  # inside the block: no empty output file is left behind
            raise DataError("no texts to score (the file is empty)", file=str(input_path))
    click.echo(f"scored {count} texts with {mon.spec.label} -> {output}")


def _format_figures(fig: Figures) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    lines = [f"samples {fig.n} ({fig.positives} alignment faking), threshold {fig.threshold}"]
    if fig.auroc is not None and fig.auroc_ci is not None:
        low, high = fig.auroc_ci
        lines.append(f"AUROC {fig.auroc:.3f} (95% bootstrap interval {low:.3f}-{high:.3f})")
    lines += [
        f"precision {pct(fig.precision)}  recall {pct(fig.recall)}",
        f"TPR at 1% FPR {pct(fig.tpr_at_1pct_fpr)}  TPR at 5% FPR {pct(fig.tpr_at_5pct_fpr)}",
    ]
    return "\n".join(lines)


@monitor.command(name="eval")
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Decision threshold (default: the monitor's own).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@_MONITOR_MODEL
def evaluate(data: Path, threshold: float | None, as_json: bool, monitor_model: str | None) -> None:
    """Evaluate the monitor on labelled DATA (JSONL rows, or JSON {"samples": [...]})."""
    mon = load_monitor(monitor_model)
    texts, labels = [], []
    for record in iter_labelled(data):
        texts.append(record.text)
        labels.append(record.label)
    if not texts:
        raise DataError("no labelled texts to evaluate on (the file is empty)", file=str(data))
    scores = [result.score for result in mon.score(texts, evidence=False)]
    fig = figures(scores, labels, mon.threshold if threshold is None else threshold)
    if as_json:
        click.echo(json.dumps({"monitor": mon.spec, "data": str(data), **fig.to_dict()}))
    else:
        click.echo(f"{mon.spec.label} on {data}")
        click.echo(_format_figures(fig))


def _write_flagged(out: TextIO, monitor: Monitor, record: Record, result: MonitorResult) -> None:
    """One flagged record with its evidence, computed here: only flagged records show it."""
    row = {
        "id": record.id,
        "source": record.source,
        "score": round(result.score, 6),
        "evidence": list(monitor.evidence([record.text])[0]),
        "criteria": dict(result.criteria),
        "flags": list(result.flags),
    }
    out.write(json.dumps(row, ensure_ascii=False) + "\n")


@monitor.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path))
@_output(
    "JSONL file for the flagged records with their evidence.",
    default=Path("flagged.jsonl"),
    show_default=True,
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Flag scores at or above this (default: the monitor's own).",
)
@click.option(
    "--alert-rate",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Exit with status 1 when the flagged fraction exceeds this.",
)
@_MONITOR_MODEL
def scan(
    logs: tuple[Path, ...],
    output: Path,
    threshold: float | None,
    alert_rate: float,
    monitor_model: str | None,
) -> None:
    """Stream deployment LOGS (JSONL or Inspect logs) and flag alignment-faking reasoning."""
    mon = load_monitor(monitor_model)
    cutoff = mon.threshold if threshold is None else threshold
    total = flagged = 0
    untrusted: Counter[str] = Counter()  # flag -> flagged records that carry it
    # streamed on purpose, not atomic: alerts are readable while a long scan is still going
    with output.open("w", encoding="utf-8") as out:
        for record, result in _scored(mon, _all_records(logs)):
            total += 1
            if result.score >= cutoff:
                flagged += 1
                untrusted.update(result.flags)
                _write_flagged(out, mon, record, result)
    if not total:
        names = ", ".join(str(path) for path in logs)
        raise DataError("no records to scan (every input is empty)", file=names)
    rate = flagged / total
    click.echo(
        f"scanned {total} records, flagged {flagged} ({rate:.2%}) at threshold {cutoff}; "
        f"flagged records -> {output}"
    )
    for flag, count in sorted(untrusted.items()):
        click.echo(f"  {count} of the flagged carry {flag}: {FLAG_MEANINGS[flag]}")
    if rate > alert_rate:
        message = f"ALERT: flagged rate {rate:.2%} exceeds --alert-rate {alert_rate:.2%}"
        click.echo(message, err=True)
        sys.exit(1)


@monitor.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--name",
    required=True,
    help="Name to save the fitted monitor under (use it as --monitor-model NAME).",
)
@_output("Artefact file to write [default: NAME.json in the monitors directory].")
@click.option(
    "--folds",
    type=click.IntRange(min=2, max=20),
    default=5,
    show_default=True,
    help="Cross-validation folds for the agreement figures.",
)
@click.option("--seed", type=int, default=0, show_default=True)
def fit(inputs: tuple[Path, ...], name: str, output: Path | None, folds: int, seed: int) -> None:
    """Fit the monitor to judged INPUTS: Inspect logs judged by `classify`/`run --judge`
    (the judge's af_reasoning verdicts are the labels), or labelled JSONL (`text`, `label`)."""
    from afscope.monitor._fit import fit_monitor
    from afscope.monitor._store import monitors_dir, valid_name

    valid_name(name)
    texts: list[str] = []
    labels: list[int] = []
    judges: set[str] = set()
    for path in inputs:
        found = _judged(path, judges)
        click.echo(f"{path}: {len(found)} judged transcripts", err=True)
        for text, label in found:
            texts.append(text)
            labels.append(label)
    provenance = {
        "judge": ", ".join(sorted(judges)) or "the files' labels",
        "inputs": [path.name for path in inputs],
        "inputs_sha256": [_sha256(path) for path in inputs],
    }
    report = fit_monitor(texts, labels, name=name, provenance=provenance, folds=folds, seed=seed)
    target = output or monitors_dir() / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(target) as out:
        out.write(json.dumps(report.artefact) + "\n")
    for line in report.lines():
        click.echo(line)
    click.echo(
        f"saved to {target}; use it with --monitor-model {name if output is None else target}"
    )


def _judged(path: Path, judges: set[str]) -> list[tuple[str, int]]:
    """(reasoning, label) pairs of a judged log (yes/no af_reasoning verdicts of an LLM judge;
    maybe and error verdicts are left out) or of a labelled JSONL/JSON file."""
    if path.suffix != ".eval":
        return [(record.text, record.label) for record in iter_labelled(path)]
    from afscope.harness import read_run
    from afscope.monitor import MONITOR_NAME

    _, records = read_run(path)
    found = []
    for record in records:
        verdict = record.verdicts.get(VerdictKind.AF_REASONING)
        if verdict is None or verdict.spec.name == MONITOR_NAME:
            continue
        if verdict.decision in (Decision.YES, Decision.NO) and record.scratchpad.strip():
            judges.add(verdict.spec.judge_model or verdict.spec.name)
            found.append((record.scratchpad, int(verdict.decision == Decision.YES)))
    if not found:
        raise DataError(
            "no yes/no af_reasoning verdicts of an LLM judge in this log; judge it first with "
            f"'afscope classify {path} --judge MODEL'",
            file=str(path),
        )
    return found


def _sha256(path: Path) -> str:
    import hashlib

    if not path.is_file():
        raise DataError("no such file", file=str(path))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def validation_counts(path: Path, monitor_model: str | None) -> Validation:
    """The monitor's confusion counts on labelled transcripts: a labelled JSONL/JSON file, or
    the log of a run on the simulated organism (its ground truth is the label)."""
    from afscope.monitor._validation import validation_from_file, validation_from_texts

    monitor = load_monitor(monitor_model)
    if path.suffix != ".eval":
        return validation_from_file(path, monitor)
    name, texts, labels = organism_labels(path)
    return validation_from_texts(name, texts, labels, monitor, file=str(path))


def labelled_texts(path: Path) -> tuple[str, list[str], list[bool]]:
    """(name, texts, labels) of a labelled JSONL/JSON file or an organism run's log."""
    if path.suffix == ".eval":
        return organism_labels(path)
    rows = [(record.text, record.label == 1) for record in iter_labelled(path)]
    if not rows:
        raise DataError("no labelled texts (the file is empty)", file=str(path))
    name = f"{path.name} ({len(rows)} labelled transcripts)"
    return name, [text for text, _ in rows], [label for _, label in rows]


def organism_labels(path: Path) -> tuple[str, list[str], list[bool]]:
    """The scratchpads of an organism run's log with its ground truth (faked alignment)."""
    from afscope.harness import read_run

    _, records = read_run(path)
    labelled = [
        (r.scratchpad, r.truth.faked_alignment)
        for r in records
        if r.truth is not None and r.scratchpad.strip()
    ]
    if not labelled:
        raise DataError(
            "no organism ground truth in this log: give labelled JSONL (text, label) instead",
            file=str(path),
        )
    texts = [text for text, _ in labelled]
    labels = [label for _, label in labelled]
    return f"{path.name} (organism ground truth of {len(texts)} scratchpads)", texts, labels
