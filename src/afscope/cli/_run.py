"""`afscope run`: the alignment-faking experiment on one model, with a summary at the end."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afscope.cli._interrupted import Interrupted, newest_log
from afscope.cli._limits import (
    BATCH_PRICE_NOTE,
    check_judged,
    check_log_dir,
    check_model,
    check_queries,
    failure_causes,
    failure_line,
    policy_from,
    retry_options,
    show_retries,
    stdout_to_stderr,
)
from afscope.cli._options import experiment_from_options, experiment_options
from afscope.errors import ConfigError
from afscope.experiment import DEFAULT_MODEL
from afscope.providers import check_api_key, check_base_url, is_simulated

if TYPE_CHECKING:
    from afscope.experiment import Plan
    from afscope.sweep import RetryPolicy


def _model_args(pairs: tuple[str, ...]) -> dict[str, str]:
    args = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"-M expects key=value, got {pair!r}", key="-M")
        args[key.strip()] = value.strip()
    return args


@click.command()
@click.option(
    "--setting",
    default=None,
    help="Scenario setting: helpful-only, animal-welfare, or a scenario YAML file [default: "
    "helpful-only]; for --experiment exfiltration: all (default), a setting or a condition.",
)
@click.option("--variant", default="default", show_default=True, help="Prompt variant.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Any Inspect model.")
@click.option("-M", "model_arg", multiple=True, metavar="KEY=VALUE", help="Model argument.")
@click.option("--base-url", default=None, help="Base URL of the model's API (local servers).")
@click.option("--log-dir", default="logs", show_default=True, type=click.Path(file_okay=False))
@click.option("--judge-base-url", default=None, help="Base URL of the judge model's API.")
@click.option(
    "--sandbox",
    default="bwrap",
    show_default=True,
    help="Agentic and scheming kinds: where the model's commands run (bwrap, docker or k8s).",
)
@experiment_options
@click.option(
    "--prices",
    default=None,
    type=click.Path(dir_okay=False),
    help="Price table overriding the shipped one (YAML/JSON; also $AFSCOPE_PRICES).",
)
@click.option(
    "--validation",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Labelled transcripts (JSONL text+label, or an organism run's log: its ground truth) "
    "the monitor's corrected AF rate rests on [default: the monitor's own validation counts].",
)
@retry_options
def run(**options: Any) -> None:
    """Run the alignment-faking experiment (default: helpful-only on the simulated organism)."""
    from afscope.experiment import experiment_kind, plan_experiment

    kind = experiment_kind(options["kind"])
    experiment = experiment_from_options(
        options,
        setting=options["setting"] or kind.default_setting,
        variant=options["variant"],
        model=options["model"],
    )
    check_model(options["model"])
    if options["judge"]:
        check_model(options["judge"], "--judge")
    policy = policy_from(options, [options["model"]])
    for option in ("base_url", "judge_base_url"):
        if options[option] is not None:  # Inspect writes the URL into the log
            check_base_url(options[option], "--" + option.replace("_", "-"))
    plan = plan_experiment(experiment)  # unknown setting, variant or query set: one clear line
    sandbox = options["sandbox"]
    if kind.family == "alignment_faking" and sandbox != "bwrap":
        raise ConfigError(
            "does not apply to the alignment-faking experiment (no commands run); drop it",
            key="--sandbox",
        )
    check_queries(plan.user_turns, options["queries"] or "the setting's default query set")
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    model, model_args = experiment.model, _model_args(options["model_arg"])
    if is_simulated(model):
        from afscope.sweep import check_preset

        preset = model.split("/", 1)[1]
        check_preset(preset, experiment.seed, model_args, family=kind.family)
    as_json = options["as_json"]
    if options["dry_run"]:
        _print_dry_run(plan, options["prices"], as_json, batched=policy.batch is not None)
        return
    base_url, judge_base_url = options["base_url"], options["judge_base_url"]
    judge = experiment.judge
    if base_url is None:
        check_api_key(model)
    if judge and judge_base_url is None:
        check_api_key(judge)
    roles = {"grader": _judge_model(judge, judge_base_url)} if judge else {}
    from afscope.cost import load_prices

    price_table = load_prices(options["prices"])  # a bad price file fails before anything is sent
    validation = None
    if options["validation"] is not None:  # a bad file fails before anything is sent
        from afscope.cli._monitor import validation_counts

        validation = validation_counts(options["validation"], experiment.monitor_model)
    check_log_dir(options["log_dir"])
    show_retries()
    task_args = {} if kind.family == "alignment_faking" else {"sandbox": sandbox}
    log_path = _evaluate(
        plan, model_args, base_url, roles, options["log_dir"], policy, as_json, task_args
    )
    summary = kind.summary_function()
    if summary is None:
        _print_summary(log_path, as_json, price_table, validation)
    else:
        _print_lines(summary(log_path, price_table), as_json, log=log_path)
    _print_next_steps(log_path, as_json)


def _print_lines(summary: Any, as_json: bool, log: Path | None = None) -> None:
    """A kind's own summary: its JSON object (with the ``log`` path when given), or its lines
    (SIMULATED lines highlighted)."""
    if as_json:
        data = summary.to_json() if log is None else {**summary.to_json(), "log": str(log)}
        click.echo(json.dumps(data, indent=None))
        return
    click.echo()
    for line in summary.lines():
        style = {"fg": "yellow", "bold": True} if line.startswith("SIMULATED") else {}
        click.secho(line, **style)  # type: ignore[arg-type]


def _print_next_steps(log_path: Path, as_json: bool) -> None:
    if as_json:
        return
    click.echo("next:")
    click.echo(f"  afscope report {log_path} -o report.html   # figures, intervals, transcripts")
    click.echo(f"  inspect view --log-dir {log_path.parent}   # browse every sample in Inspect")


def _judge_model(judge: str, base_url: str | None) -> Any:
    if base_url is None:
        return judge
    from afscope.harness import model_for

    return model_for(judge, base_url)


def _evaluate(
    plan: Plan,
    model_args: dict[str, str],
    base_url: str | None,
    roles: dict[str, Any],
    log_dir: str,
    policy: RetryPolicy,
    quiet: bool,
    task_args: dict[str, Any] | None = None,
) -> Path:
    from afscope.harness import evaluate

    experiment = plan.experiment
    model = experiment.model
    if is_simulated(model):
        model_args = {"seed": str(experiment.seed), **model_args}
    sdk_args = policy.sdk_model_args(model.split("/", 1)[0])  # every retry is Inspect's, shown
    limits = policy.eval_args(len(plan.samples) * experiment.epochs)
    evaluating = partial(
        evaluate,
        experiment,
        log_dir=log_dir,
        quiet=quiet,
        task_args=task_args,
        model_args={**sdk_args, **model_args},
        model_base_url=base_url,
        model_roles=roles or None,
        **limits,
    )
    return _finished(evaluating, log_dir, quiet)


def _finished(running: Callable[[], Any], log_dir: str | Path, quiet: bool) -> Path:
    """The path of the log that ``running`` (Inspect's eval or eval_retry) finished; Ctrl-C ends
    it as :class:`Interrupted`, and a run that produced no sample at all is an error."""
    started = time.time()
    try:
        with stdout_to_stderr(quiet):
            log = running()
    except KeyboardInterrupt:
        raise Interrupted(newest_log(log_dir, since=started)) from None
    if log is None:  # interrupted before Inspect could hand back its log: the file is on disk
        raise Interrupted(newest_log(log_dir, since=started))
    if log.status == "cancelled":
        raise Interrupted(Path(log.location) if log.location else None)
    if log.status != "success" and not log.samples:
        message = log.error.message if log.error else log.status
        raise click.ClickException(f"the run did not complete ({message}); log: {log.location}")
    return Path(log.location)


def _print_summary(log_path: Path, as_json: bool, prices: Any, validation: Any = None) -> None:
    from afscope.harness import read_run
    from afscope.summary import summarize_run

    run, records = read_run(log_path, text=False)
    summary = summarize_run(run, records, prices=prices, validation=validation)
    _print_lines(summary, as_json)
    reasons = [r.malformed_reason or "" for r in records if r.failed]
    for line in failure_causes(reasons):
        click.echo(line, err=True)
    if records and not summary.records:  # nothing answered: the cause, its fix, a failing status
        raise click.ClickException(failure_line(run.model, reasons))
    check_judged(summary.records, str(log_path))


def _print_dry_run(
    plan: Plan, prices_file: str | None, as_json: bool, *, batched: bool = False
) -> None:
    from afscope.cost import estimate_plan, estimate_plan_judge, format_estimates, load_prices

    prices = load_prices(prices_file)
    experiment = plan.experiment
    model, samples = experiment.model, len(plan.samples) * experiment.epochs
    estimate = estimate_plan(plan, prices)
    if batched:  # the judge's requests are not batched
        estimate = estimate.at_batch_price(prices)
    judged = estimate_plan_judge(plan, prices)
    setting = plan.metadata["setting"]
    agentic = plan.sample_tokens is not None
    if as_json:
        data = {
            "dry_run": True,
            "experiment": experiment.kind,
            "model": model,
            "simulated": is_simulated(model),
            "setting": setting,
            "epochs": experiment.epochs,
            "samples": samples,
            "prices_as_of": prices.as_of,
            "batched": batched,
            **estimate.to_dict(),
        }
        if agentic:
            data["conditions"] = list(plan.metadata["conditions"])
            data["max_turns"], data["max_tokens_per_sample"] = plan.max_turns, plan.sample_tokens
        else:
            data["queries"] = len(plan.user_turns) // 2
        if judged is not None:
            data["judge"] = {**judged[0].to_dict(), "note": judged[1]}
        click.echo(json.dumps(data))
        return
    epochs = f" x {experiment.epochs} epochs" if experiment.epochs > 1 else ""
    if agentic:
        conditions = plan.metadata["conditions"]
        click.echo(
            f"dry run: nothing sent. {experiment.kind} · {len(conditions)} conditions x "
            f"{plan.metadata['samples_per_condition']} samples{epochs} = {samples} samples; "
            f"agent loop bound per sample: {plan.max_turns} turns, {plan.sample_tokens:,} tokens "
            "(estimates assume every sample runs to its bound)"
        )
    else:
        click.echo(
            f"dry run: nothing sent. {setting} · {len(plan.user_turns) // 2} queries x 2 "
            f"tiers{epochs} = {samples} samples (estimates; continuations after <NEXT/> add "
            "requests)"
        )
    estimates = [estimate] if judged is None else [estimate, judged[0]]
    for line in format_estimates(estimates, as_of=prices.as_of):
        click.echo(line)
    if batched:
        click.echo(BATCH_PRICE_NOTE)
    if judged is not None:
        click.echo(f"judge {experiment.judge} (included above): {judged[1]}")


@click.command()
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--max-connections", type=click.IntRange(min=1), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def resume(log: Path, max_connections: int | None, as_json: bool) -> None:
    """Finish an interrupted run: only the samples missing from LOG are sent again.

    The new log (in LOG's directory) holds every sample once; LOG itself is left as it was.
    """
    from afscope.harness import log_is_finished, read_run_info, retry, without_unreadable

    run = read_run_info(log)  # refuses a missing file or a log that is not an afscope run
    with tempfile.TemporaryDirectory() as folder:
        # a damaged sample sinks eval_retry: it is retried from a copy without the damaged ones
        source, unreadable = without_unreadable(log, Path(folder))
        if not unreadable and log_is_finished(log):
            click.echo(
                f"{log}: this run finished (every sample done, none failed); nothing to resume"
            )
            _print_next_steps(log, as_json)
            return
        if unreadable:
            click.echo(f"{log}: its {unreadable} unreadable samples are sent again", err=True)
        if not run.simulated:
            check_api_key(run.model)  # base URLs are kept in the log; keys never are
        retrying = partial(
            retry, source, log_dir=log.parent, max_connections=max_connections, quiet=as_json
        )
        finished = _finished(retrying, log.parent, as_json)
    _print_summary(finished, as_json, None)
    _print_next_steps(finished, as_json)
