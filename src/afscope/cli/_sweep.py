"""`afscope sweep`: a grid of models x settings x variants on Inspect's eval-set, resumable.

Everything is checked before anything is sent. The grid runs with Inspect's own progress display;
a rerun of the same command after any interruption redoes no completed sample. At the end: a
table per cell, the samples that finally failed (with the command that retries them) and one
comparison report.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from afscope.cli._interrupted import Interrupted
from afscope.cli._limits import (
    BATCH_PRICE_NOTE,
    check_judged,
    check_log_dir,
    check_model,
    policy_from,
    policy_option,
    redact,
    refusal_line,
    retry_options,
    show_retries,
    stdout_to_stderr,
)
from afscope.cli._options import experiment_from_options, experiment_options
from afscope.cli._sweep_results import (
    agentic_results,
    print_results,
    results_json,
    scheming_results,
)
from afscope.sweep import (
    CellPlan,
    RetryPolicy,
    SweepPlan,
    parse_base_urls,
    parse_model_args,
    split_names,
)


@click.command()
@click.option("--models", required=True, help="Comma list of Inspect models (provider/name).")
@click.option(
    "--settings",
    default=None,
    help="Comma list of helpful-only, animal-welfare or scenario YAML files "
    "[default: helpful-only; agentic kinds: each kind's own, e.g. exfiltration: all].",
)
@click.option("--variants", default="default", show_default=True, help="Comma list.")
@click.option(
    "-M",
    "model_arg",
    multiple=True,
    nargs=2,
    metavar="MODEL KEY=VALUE",
    help="Model argument for one model of --models (repeatable).",
)
@click.option(
    "--base-url",
    "base_url",
    multiple=True,
    metavar="PROVIDER=URL",
    help="Base URL for every model of a provider, e.g. openai=http://127.0.0.1:8000/v1.",
)
@click.option(
    "--log-dir", default="logs/sweep", show_default=True, type=click.Path(file_okay=False)
)
@click.option("--report", "report_path", default=None, help="[default: <log-dir>/report.html]")
@experiment_options
@policy_option("--retry-on-error", int, "Reruns of a sample that raised an error.")
@policy_option(
    "--retry-attempts",
    click.IntRange(min=0),
    "Reruns of a cell that still has failed samples (0: no reruns).",
)
@policy_option("--sdk-retries", int, "Provider SDK's own retries (not recorded in the log).")
@click.option(
    "--log-buffer",
    type=int,
    default=None,
    help="Samples written to the log file at a time (1: none lost to a kill, at a cost growing "
    "with the square of the log) [default: 2% of a cell, or a minute's].",
)
@retry_options
def sweep(**options: Any) -> None:
    """Run a grid of models x settings x variants; rerun the same command to resume."""
    from afscope.sweep import validate_plan

    plan = _plan(options)
    for model in plan.models:
        check_model(model, "--models")
    if plan.experiment.judge:
        check_model(plan.experiment.judge, "--judge")
    policy = policy_from(options, plan.models)
    log_dir = str(options["log_dir"])
    if options["dry_run"]:
        from afscope.sweep import cell_plans

        _print_dry_run(cell_plans(plan), options["as_json"], batched=policy.batch is not None)
        return
    from afscope.extras import require_extra

    require_extra("report", "matplotlib", needed_by="afscope sweep (its report)")
    validate_plan(plan)
    check_log_dir(log_dir)
    show_retries()
    report = Path(options["report_path"] or Path(log_dir) / "report.html")
    _run(plan, policy, log_dir, report, options["as_json"])


def _plan(options: dict[str, Any]) -> SweepPlan:
    return SweepPlan(
        models=split_names(options["models"], "--models"),
        settings=split_names(options["settings"] or _default_setting(options), "--settings"),
        variants=split_names(options["variants"], "--variants"),
        experiment=experiment_from_options(options),
        model_args=parse_model_args(options["model_arg"]),
        base_urls=parse_base_urls(options["base_url"]),
    )


def _default_setting(options: dict[str, Any]) -> str:
    from afscope.experiment import experiment_kind

    return experiment_kind(options["kind"]).default_setting


def _run(plan: SweepPlan, policy: RetryPolicy, log_dir: str, report: Path, as_json: bool) -> None:
    from afscope.harness import read_faults, read_run, run_grid
    from afscope.report import write_report
    from afscope.sweep import cell_result, directory_lock, rerun_command

    rerun = redact(rerun_command(plan, policy, log_dir))  # -M api_key=... is never printed
    try:
        with directory_lock(log_dir), stdout_to_stderr(as_json):
            outcome = run_grid(plan, policy, log_dir, quiet=as_json)
    except KeyboardInterrupt:  # the rerun redoes only what is missing
        raise Interrupted(Path(log_dir), command=rerun) from None
    from afscope.experiment import experiment_kind

    family = experiment_kind(plan.experiment.kind).family
    if family == "scheming":
        return scheming_results(outcome, rerun, report, as_json)
    if family != "alignment_faking":
        return agentic_results(plan.experiment.kind, outcome, rerun, report, as_json)
    results, refused = [], dict[str, str]()
    for _cell, path in outcome.logs:
        run, records = read_run(path)
        results.append(cell_result(run, records, read_faults(path)))
        line = refusal_line(run.model, [r.malformed_reason or "" for r in records if r.failed])
        if line:  # a rerun helps only once the cause of the refusal is fixed
            refused.setdefault(run.model, line)
    write_report([(r.run, r.records) for r in results], report)
    failed = sum(len(r.faults.failed) for r in results)
    refusals = list(refused.values())
    if as_json:
        cells = [r.to_json() for r in results]
        click.echo(results_json(outcome.complete, cells, failed, rerun, report, refused=refusals))
    else:
        print_results(results, outcome.complete, rerun, report, refusals)
    check_judged([record for r in results for record in r.records], f"{log_dir}/*.eval")
    if failed or not outcome.complete:
        raise SystemExit(1)


def _print_dry_run(cells: tuple[CellPlan, ...], as_json: bool, *, batched: bool = False) -> None:
    """Per model: requests, estimated tokens and price (:mod:`afscope.cost`); nothing is sent.

    ``batched``: the models' requests (not the judge's) are priced at the batch API's price."""
    from afscope.cost import combine_estimates, estimate_plan, format_estimates, load_prices

    prices = load_prices()
    estimates = [estimate_plan(c.plan, prices) for c in cells]
    if batched:
        estimates = [estimate.at_batch_price(prices) for estimate in estimates]
    from afscope.cost import estimate_plan_judge

    notes = []
    for c in cells:  # the judge's calls count under the judge model, like a cell's
        judged = estimate_plan_judge(c.plan, prices)
        if judged is not None:
            estimates.append(judged[0])
            notes.append(f"{c.cell.model} {c.cell.setting} {c.cell.variant}: {judged[1]}")
    if as_json:
        counts = Counter(c.cell.model for c in cells)
        samples = Counter({m: 0 for m in counts})
        for c in cells:
            samples[c.cell.model] += len(c.plan.samples) * c.plan.experiment.epochs
        models = [
            {**e.to_dict(), "cells": counts[e.model], "samples": samples[e.model]}
            for e in combine_estimates(estimates)
        ]
        click.echo(json.dumps({"dry_run": True, "batched": batched, "models": models}))
        return
    bound = cells[0].plan if cells else None
    if bound is not None and bound.sample_tokens is not None:
        click.echo(
            f"dry run: nothing sent. {len(cells)} cells; agent loop bound per sample: "
            f"{bound.max_turns} turns, {bound.sample_tokens:,} tokens (estimates assume "
            "every sample runs to its bound)"
        )
    else:
        click.echo(
            f"dry run: nothing sent. {len(cells)} cells (at least one request per "
            "sample; continuations after <NEXT/> add more)"
        )
    for line in format_estimates(estimates, as_of=prices.as_of):
        click.echo(line)
    if batched:
        click.echo(BATCH_PRICE_NOTE)
    if notes:
        click.echo(f"judge {cells[0].plan.experiment.judge} (included above):")
        for note in notes:
            click.echo(f"  {note}")
