"""What `afscope sweep` prints when its grid is done: per cell (and condition, or environment x
nudge) the rates with their intervals, the failed samples and the command that reruns them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afscope.sweep import CellResult

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["agentic_results", "print_results", "results_json", "scheming_results"]

_SIMULATED = "[bold yellow]SIMULATED rows: afscope's simulated organism, not a model."


def agentic_results(kind: str, outcome: Any, rerun: str, report: Path, as_json: bool) -> None:
    """An agentic sweep: per cell and condition, the rates of the kind's own summary."""
    from afscope.agentic._summary import TABLE_HEADER
    from afscope.harness import agentic_run, read_faults
    from afscope.report import write_agentic_report

    cells = [(agentic_run(path), read_faults(path)) for _cell, path in outcome.logs]
    write_agentic_report([run for run, _ in cells], report)
    failed = sum(len(faults.failed) for _, faults in cells)
    unfinished = bool(failed) or not outcome.complete
    if as_json:
        rows = [
            {
                **summary.to_json(),
                "retries": faults.retries,
                "sample_errors": faults.errors,
                "failed": list(faults.failed),
            }
            for (summary, _), faults in cells
        ]
        click.echo(results_json(outcome.complete, rows, failed, rerun, report))
    else:
        title = f"afscope sweep: {kind}, rates per condition"
        by_condition = [row for (summary, _), _faults in cells for row in summary.table_rows()]
        console = _console()
        console.print(_table(title, TABLE_HEADER, by_condition))
        if any(summary.run.simulated for (summary, _), _ in cells):
            console.print(_SIMULATED)
        if unfinished:
            console.print(f"{failed} samples failed; retry them with:")
            console.print(f"  {rerun}", markup=False, soft_wrap=True)
        console.print(f"report: {report}", markup=False)
    if unfinished:
        raise SystemExit(1)


def scheming_results(outcome: Any, rerun: str, report: Path, as_json: bool) -> None:
    """A scheming sweep: per cell, the rates per environment x nudge and the confession rate."""
    from afscope.harness import read_faults, scheming_run
    from afscope.report import write_scheming_report

    cells = [(cell, scheming_run(path), read_faults(path)) for cell, path in outcome.logs]
    write_scheming_report([run for _, run, _ in cells], report)
    failed = sum(len(faults.failed) for _, _, faults in cells)
    unfinished = bool(failed) or not outcome.complete
    if as_json:
        rows = [
            {"cell": cell.label, **run[1].to_json(), "failed": list(faults.failed)}
            for cell, run, faults in cells
        ]
        click.echo(results_json(outcome.complete, rows, failed, rerun, report))
    else:
        for cell, run, _faults in cells:
            click.echo(cell.label)
            for line in run[1].lines():
                click.echo(f"  {line}")
        if unfinished:
            click.echo(f"{failed} samples failed; retry them with:\n  {rerun}")
        click.echo(f"report: {report}")
    if unfinished:
        raise SystemExit(1)


def results_json(
    complete: bool, cells: list[Any], failed: int, rerun: str, report: Path, **more: Any
) -> str:
    """A finished sweep's --json object: the ``rerun`` command only when a sample failed or the
    grid is not ``complete``."""
    unfinished = bool(failed) or not complete
    return json.dumps(
        {
            "complete": not unfinished,
            "cells": cells,
            "failed_samples": failed,
            "rerun": rerun if unfinished else None,
            **more,
            "report": str(report),
        }
    )


def print_results(
    results: list[CellResult],
    complete: bool,
    rerun: str,
    report: Path,
    refused: Sequence[str] = (),
) -> None:
    from rich.markup import escape

    from afscope.sweep import TABLE_HEADER, failed_samples, table_rows

    title = "afscope sweep: compliance per tier, gap with 95% interval"
    console = _console()
    console.print(_table(title, TABLE_HEADER, table_rows(results)))
    if any(r.run.simulated for r in results):
        console.print(_SIMULATED)
    failed = failed_samples(results)
    if failed:
        console.print(f"[bold red]{len(failed)} samples failed after all retries:")
        for label, sample_id in failed:
            console.print(f"  {label}: {sample_id}", markup=False)
    for line in refused:
        console.print(f"[bold red]refused:[/] {escape(line)}")
    if refused:
        console.print("no retry fixes a refusal: fix it, then rerun (completed samples are kept):")
    elif failed or not complete:
        console.print("retry them (completed samples are kept) with:")
    if refused or failed or not complete:
        console.print(f"  {rerun}", markup=False, soft_wrap=True)
    console.print(f"report: {report}", markup=False)


def _console() -> Console:
    """A rich console; into a log file or pipe, wide enough for one line per cell."""
    from rich.console import Console

    return Console(highlight=False, width=None if Console().is_terminal else 200)


def _table(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    from rich.table import Table

    table = Table(title=title)
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table
