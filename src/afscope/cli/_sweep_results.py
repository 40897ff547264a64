"""What `afscope sweep` prints when its grid is done: per cell (and condition, or environment x
nudge) the rates with their intervals, the failed samples and the command that reruns them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from afscope.cli._limits import redact
from afscope.sweep import CellResult, RetryPolicy, SweepPlan

__all__ = ["agentic_results", "print_results", "scheming_results"]


def agentic_results(
    plan: SweepPlan, outcome: Any, policy: RetryPolicy, log_dir: str, report: Path, as_json: bool
) -> None:
    """An agentic sweep: per cell and condition, the rates of the kind's own summary."""
    from rich.console import Console
    from rich.table import Table

    from afscope.agentic._summary import TABLE_HEADER
    from afscope.harness import agentic_run, read_faults
    from afscope.report import write_agentic_report
    from afscope.sweep import rerun_command

    cells = [(agentic_run(path), read_faults(path)) for _cell, path in outcome.logs]
    write_agentic_report([run for run, _ in cells], report)
    failed = sum(len(faults.failed) for _, faults in cells)
    rerun = redact(rerun_command(plan, policy, log_dir))
    unfinished = bool(failed) or not outcome.complete
    if as_json:
        click.echo(
            json.dumps(
                {
                    "complete": not unfinished,
                    "cells": [
                        {
                            **summary.to_json(),
                            "retries": faults.retries,
                            "sample_errors": faults.errors,
                            "failed": list(faults.failed),
                        }
                        for (summary, _), faults in cells
                    ],
                    "failed_samples": failed,
                    "rerun": rerun if unfinished else None,
                    "report": str(report),
                }
            )
        )
    else:
        table = Table(title=f"afscope sweep: {plan.experiment.kind}, rates per condition")
        for name in TABLE_HEADER:
            table.add_column(name, overflow="fold")
        for (summary, _), _faults in cells:
            for row in summary.table_rows():
                table.add_row(*row)
        console = Console(highlight=False, width=None if Console().is_terminal else 200)
        console.print(table)
        if any(summary.run.simulated for (summary, _), _ in cells):
            console.print("[bold yellow]SIMULATED rows: afscope's simulated organism, not a model.")
        if unfinished:
            console.print(f"{failed} samples failed; retry them with:")
            console.print(f"  {rerun}", markup=False, soft_wrap=True)
        console.print(f"report: {report}", markup=False)
    if unfinished:
        raise SystemExit(1)


def scheming_results(
    plan: SweepPlan, outcome: Any, policy: RetryPolicy, log_dir: str, report: Path, as_json: bool
) -> None:
    """A scheming sweep: per cell, the rates per environment x nudge and the confession rate."""
    from afscope.harness import read_faults, scheming_run
    from afscope.report import write_scheming_report
    from afscope.sweep import rerun_command

    cells = [(cell, scheming_run(path), read_faults(path)) for cell, path in outcome.logs]
    write_scheming_report([run for _, run, _ in cells], report)
    failed = sum(len(faults.failed) for _, _, faults in cells)
    rerun = redact(rerun_command(plan, policy, log_dir))
    unfinished = bool(failed) or not outcome.complete
    if as_json:
        rows = [
            {"cell": cell.label, **run[1].to_json(), "failed": list(faults.failed)}
            for cell, run, faults in cells
        ]
        click.echo(
            json.dumps(
                {
                    "complete": not unfinished,
                    "cells": rows,
                    "failed_samples": failed,
                    "rerun": rerun if unfinished else None,
                    "report": str(report),
                }
            )
        )
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


def print_results(
    results: list[CellResult],
    complete: bool,
    rerun: str,
    report: Path,
    refused: Sequence[str] = (),
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from afscope.sweep import TABLE_HEADER, failed_samples, table_rows

    table = Table(title="afscope sweep: compliance per tier, gap with 95% interval")
    for name in TABLE_HEADER:
        table.add_column(name, overflow="fold")
    for row in table_rows(results):
        table.add_row(*row)
    console = Console(highlight=False)
    if not console.is_terminal:  # a log file or pipe: keep one line per cell
        console = Console(highlight=False, width=200)
    console.print(table)
    if any(r.run.simulated for r in results):
        console.print("[bold yellow]SIMULATED rows: afscope's simulated organism, not a model.")
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
