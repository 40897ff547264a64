"""`afscope report`: one self-contained HTML report (and optional per-sample tables) from logs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afscope.errors import DataError

if TYPE_CHECKING:
    from afscope.records import RunInfo, SampleRecord
    from afscope.report import ExportFormat
    from afscope.stats import Validation

    Run = tuple[RunInfo, list[SampleRecord]]

__all__ = ["report"]

_LOG_SUFFIXES = (".eval", ".json")
# files an Inspect eval-set (afscope sweep) keeps beside its logs: bookkeeping, not runs
_EVAL_SET_FILES = frozenset({"eval-set.json", "logs.json"})
# the export options and their formats
_EXPORTS: dict[str, ExportFormat] = {"--csv": "csv", "--parquet": "parquet", "--json": "json"}
_FilePath = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=_FilePath,
    default=Path("report.html"),
    show_default=True,
    help="Where to write the HTML report.",
)
@click.option("--title", default=None, help="Report title (default: from the runs).")
@click.option("--csv", "csv_path", type=_FilePath, default=None, help="Also write samples as CSV.")
@click.option("--parquet", "parquet_path", type=_FilePath, default=None, help="... as Parquet.")
@click.option("--json", "json_path", type=_FilePath, default=None, help="... as a JSON array.")
@click.option(
    "--figures",
    "figures_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the figures into this folder as PNG, SVG and PDF.",
)
@click.option(
    "--validation",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled transcripts (JSONL text+label, or an organism run's log: its ground truth) "
    "the monitor's corrected AF rates and the figure's split rest on [default: the monitor's "
    "own validation counts].",
)
def report(
    logs: tuple[Path, ...],
    output: Path,
    title: str | None,
    csv_path: Path | None,
    parquet_path: Path | None,
    json_path: Path | None,
    figures_dir: Path | None,
    validation: Path | None,
) -> None:
    """Build a report from one or more afscope logs (several logs: a comparison report).

    A directory stands for the .eval and .json logs directly inside it.

    \b
    afscope report logs/run.eval -o report.html
    afscope report logs/opus.eval logs/sonnet.eval -o compare.html --csv samples.csv
    """
    from afscope.extras import require_extra

    require_extra("report", "matplotlib", needed_by="afscope report")
    if parquet_path is not None:
        require_extra("report", "pyarrow", needed_by="--parquet")
    from afscope.harness import read_run
    from afscope.report import export_samples, save_figures, write_report

    files = _log_files(logs)
    extras = {
        "--csv": csv_path,
        "--parquet": parquet_path,
        "--json": json_path,
        "--figures": figures_dir,
        "--validation": validation,
    }
    given = {option: path for option, path in extras.items() if path is not None}
    if _agentic_report(files, output, title, given):
        return
    runs = _without_superseded([read_run(path) for path in files])
    counts = None if validation is None else _validation(validation, runs)
    written = [write_report(runs, output, title=title, validation=counts)]
    for option, format in _EXPORTS.items():
        if option in given:
            written.append(export_samples(runs, given[option], format))
    if figures_dir is not None:
        written.extend(save_figures(runs, figures_dir, counts))
    samples = sum(len(records) for _, records in runs)
    simulated = any(info.simulated for info, _ in runs)
    _print_written(f"{len(runs)} run(s)", samples, simulated, written)


def _print_written(runs: str, samples: int, simulated: bool, written: list[Path]) -> None:
    """What a report holds (``runs``: how many, of which kind) and the files written."""
    click.echo(f"{runs}, {samples} samples")
    if simulated:
        click.secho("SIMULATED: the report includes runs of the simulated organism", fg="yellow")
    for path in written:
        click.echo(f"wrote {path}")


def _validation(path: Path, runs: list[Run]) -> Validation:
    """The user's validation counts, scored by the monitor that scored the runs (one monitor:
    counts of another monitor say nothing about this one's errors)."""
    from afscope.cli._monitor import validation_counts
    from afscope.monitor import load_monitor
    from afscope.screening import monitor_spec

    specs = [(info.log_path, spec) for info, _ in runs if (spec := monitor_spec(info)) is not None]
    if not specs:
        raise DataError(
            "--validation corrects the local monitor's AF rate, and no run was scored by it "
            "(its AF numbers are a judge's, or two-stage on a judge's scale); drop --validation",
            file=str(path),
        )
    if len({spec.get("artefact_sha256") for _, spec in specs}) > 1:
        raise DataError(
            "the runs were scored by different monitors, so one validation file cannot correct "
            "them all; report them separately, each with its own --validation",
            file=str(path),
        )
    log_path, spec = specs[0]
    name = spec.get("fitted")
    if load_monitor(name).spec["artefact_sha256"] != spec.get("artefact_sha256"):
        raise DataError(
            f"the monitor that scored {log_path} ({name or 'the shipped one'}) has changed "
            "since: its counts would not describe that run; report without --validation, or "
            "score the log again with 'afscope classify LOG --monitor-model NAME'",
            file=str(path),
        )
    return validation_counts(path, name)


def _agentic_report(
    files: list[Path], output: Path, title: str | None, extras: dict[str, Path]
) -> bool:
    """Agentic and scheming logs get their own report (rates with intervals, episodes with tool
    calls and diffs); False when the logs are alignment-faking runs. Kinds mixed are refused.
    Scheming runs also take the exports and ``--figures``; an option a kind lacks is refused."""
    from afscope import harness
    from afscope.harness import is_agentic_log, is_scheming_log
    from afscope.report import write_agentic_report, write_scheming_report

    # the readers by name: an alignment-faking report never imports the agentic glue (Inspect)
    kinds: tuple[tuple[str, Any, Any, Any, Any], ...] = (
        (
            "agentic",
            is_agentic_log,
            lambda path: harness.agentic_run(path),
            write_agentic_report,
            lambda run: run[0].run.simulated,
        ),
        (
            "scheming",
            is_scheming_log,
            lambda path: harness.scheming_run(path),
            write_scheming_report,
            lambda run: run[0].simulated or run[1].simulated,
        ),
    )
    for kind, is_kind, read_run, write, simulated in kinds:
        found = [path for path in files if is_kind(path)]
        if not found:
            continue
        if len(found) != len(files):
            other = next(path for path in files if path not in found)
            raise DataError(
                f"a log of another kind among {kind} ones: report each kind separately",
                file=str(other),
            )
        lacking = [name for name in extras if kind == "agentic" or name == "--validation"]
        if lacking:
            raise DataError(
                f"{', '.join(lacking)}: not available for {kind} runs yet (the HTML report and "
                "the command's --json carry their numbers); drop the option",
                file=str(found[0]),
            )
        runs: list[Any] = [read_run(path) for path in found]
        written = [write(runs, output, title=title)]
        if kind == "scheming":
            written += _scheming_extras(runs, extras)
        samples = sum(len(run[-1]) for run in runs)
        _print_written(f"{len(runs)} {kind} run(s)", samples, any(map(simulated, runs)), written)
        return True
    return False


def _scheming_extras(runs: list[Any], extras: dict[str, Path]) -> list[Path]:
    """A scheming report's per-episode exports and its figure files."""
    from afscope.report._scheming_figures import export_scheming, save_scheming_figures

    written = [export_scheming(runs, extras[o], f) for o, f in _EXPORTS.items() if o in extras]
    if "--figures" in extras:
        written += save_scheming_figures(runs, extras["--figures"])
    return written


def _without_superseded(runs: list[Run]) -> list[Run]:
    """One entry per run: a log and its resume share a run id; the one with most samples stays.

    `afscope resume` writes a new log holding the partial log's samples too, so counting both
    would count those samples twice.
    """
    keys = [info.run_id or f"#{index}" for index, (info, _) in enumerate(runs)]  # no id: alone
    best: dict[str, Run] = {}
    for key, run in zip(keys, runs, strict=True):
        held = best.get(key)
        if held is None or (len(run[1]), run[0].created) > (len(held[1]), held[0].created):
            best[key] = run
    for key, (info, _) in zip(keys, runs, strict=True):
        if best[key][0] is not info:
            click.echo(
                f"note: {info.log_path} left out: the same run is in {best[key][0].log_path} "
                "(resumed from it; it holds every sample of both)",
                err=True,
            )
    return [run for key, run in zip(keys, runs, strict=True) if best[key] is run]


def _log_files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix in _LOG_SUFFIXES
                and p.is_file()
                and p.name not in _EVAL_SET_FILES
                and not p.name.startswith(".")
            )
            if not found:
                raise DataError("no .eval or .json logs in this directory", file=str(path))
            files.extend(found)
        else:
            files.append(path)
    return files
