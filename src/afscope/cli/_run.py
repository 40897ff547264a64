"""`afscope run`: the alignment-faking experiment on one model, with a summary at the end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from afscope.errors import ConfigError
from afscope.providers import check_api_key, is_simulated

DEFAULT_MODEL = "organism/opus-like"


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
    default="helpful-only",
    show_default=True,
    help="Scenario setting: helpful-only, animal-welfare, or a scenario YAML file.",
)
@click.option("--variant", default="default", show_default=True, help="Prompt variant.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Any Inspect model.")
@click.option("-M", "model_arg", multiple=True, metavar="KEY=VALUE", help="Model argument.")
@click.option("--base-url", default=None, help="Base URL of the model's API (local servers).")
@click.option("--queries", default=None, help="Built-in query set or a file (csv/jsonl).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="First N queries.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--log-dir", default="logs", show_default=True, type=click.Path(file_okay=False))
@click.option("--no-scratchpad", is_flag=True, help="Answer directly, without hidden reasoning.")
@click.option("--suffix/--no-suffix", default=None, help="Accept/reject suffix (setting default).")
@click.option(
    "--tier-casing",
    type=click.Choice(["lower", "title"]),
    default="lower",
    show_default=True,
    help="Casing of the tier cue's value in the user turn: lower (true) or title (True).",
)
@click.option(
    "--max-turns",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Model turns per sample: reasoning without <OUTPUT> gets <NEXT/> and a new turn.",
)
@click.option("--max-tokens", type=click.IntRange(min=1), default=None)
@click.option("--max-connections", type=click.IntRange(min=1), default=None)
@click.option("--judge", default=None, metavar="MODEL", help="LLM judge model (any Inspect model).")
@click.option("--judge-base-url", default=None, help="Base URL of the judge model's API.")
@click.option("--judge-votes", type=click.IntRange(min=1), default=None, help="Votes per verdict.")
@click.option(
    "--adaptive",
    type=click.Choice(["exact", "sequential", "off"]),
    default=None,
    help="When to stop drawing judge votes (default: sequential; exact = same verdicts as all).",
)
@click.option(
    "--monitor/--no-monitor",
    default=None,
    help="Score AF reasoning with the local monitor (default: when no judge is given).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@click.option(
    "--prices",
    default=None,
    type=click.Path(dir_okay=False),
    help="Price table overriding the shipped one (YAML/JSON; also $AFSCOPE_PRICES).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def run(
    setting: str,
    variant: str,
    model: str,
    model_arg: tuple[str, ...],
    base_url: str | None,
    queries: str | None,
    limit: int | None,
    seed: int,
    log_dir: str,
    no_scratchpad: bool,
    suffix: bool | None,
    tier_casing: str,
    max_turns: int,
    max_tokens: int | None,
    max_connections: int | None,
    judge: str | None,
    judge_base_url: str | None,
    judge_votes: int | None,
    adaptive: str | None,
    monitor: bool | None,
    dry_run: bool,
    prices: str | None,
    as_json: bool,
) -> None:
    """Run the alignment-faking experiment (default: helpful-only on the simulated organism)."""
    from afscope.queries import first_queries, load_queries
    from afscope.scenarios import load_scenario

    scenario = load_scenario(setting)
    if variant != "default":
        from afscope.variants import apply_variant

        scenario = apply_variant(scenario, variant)  # unknown or inapplicable: one clear line
    chosen = first_queries(load_queries(queries or scenario.default_queries), limit)
    model_args = _model_args(model_arg)
    scratchpad = not no_scratchpad
    use_suffix = scenario.suffix_default if suffix is None else suffix
    if is_simulated(model):
        from afscope.organism import Organism

        Organism(model.split("/", 1)[1], seed=seed, **model_args)  # validates preset and overrides
    if dry_run:
        options = {"scratchpad": scratchpad, "suffix": use_suffix, "tier_casing": tier_casing}
        _print_dry_run(scenario, chosen, model, options, prices, as_json)
        return
    if base_url is None:
        check_api_key(model)
    if judge and judge_base_url is None:
        check_api_key(judge)
    task_args: dict[str, Any] = {
        "setting": setting,
        "variant": variant,
        "queries": queries,
        "limit": limit,
        "scratchpad": scratchpad,
        "suffix": use_suffix,
        "tier_casing": tier_casing,
        "max_turns": max_turns,
        "max_tokens": max_tokens,
        "seed": seed,
        "judge": judge is not None,
        "judge_votes": judge_votes,
        "judge_adaptive": adaptive,
        "monitor": monitor,
    }
    roles = {"grader": _judge_model(judge, judge_base_url)} if judge else {}
    from afscope.cost import load_prices

    price_table = load_prices(prices)  # a bad price file fails before anything is sent
    log_path = _evaluate(
        model, model_args, base_url, task_args, roles, log_dir, max_connections, as_json
    )
    _print_summary(log_path, as_json, price_table)
    _print_next_steps(log_path, as_json)


def _print_next_steps(log_path: Path, as_json: bool) -> None:
    if as_json:
        return
    click.echo("next:")
    click.echo(f"  afscope report {log_path} -o report.html   # figures, intervals, transcripts")
    click.echo(f"  inspect view --log-dir {log_path.parent}   # browse every sample in Inspect")


def _judge_model(judge: str, base_url: str | None) -> Any:
    if base_url is None:
        return judge
    from inspect_ai.model import get_model

    return get_model(judge, base_url=base_url)


def _evaluate(
    model: str,
    model_args: dict[str, str],
    base_url: str | None,
    task_args: dict[str, Any],
    roles: dict[str, Any],
    log_dir: str,
    max_connections: int | None,
    quiet: bool,
) -> Path:
    from inspect_ai import eval as inspect_eval

    from afscope.harness import alignment_faking

    if is_simulated(model):
        model_args = {"seed": str(task_args["seed"]), **model_args}
    logs = inspect_eval(
        alignment_faking(**task_args),
        model=model,
        model_args=model_args,
        model_base_url=base_url,
        model_roles=roles or None,
        log_dir=log_dir,
        seed=task_args["seed"],
        max_connections=max_connections,
        fail_on_error=False,
        display="none" if quiet else None,
        tags=["afscope", "simulated"] if is_simulated(model) else ["afscope"],
    )
    return _completed(logs[0])


def _completed(log: Any) -> Path:
    """The path of a finished log; a run that produced no sample at all is an error."""
    if log.status != "success" and not log.samples:
        message = log.error.message if log.error else log.status
        raise click.ClickException(f"the run did not complete ({message}); log: {log.location}")
    return Path(log.location)


def _print_summary(log_path: Path, as_json: bool, prices: Any) -> None:
    from afscope.harness import read_run
    from afscope.summary import summarize_run

    run, records = read_run(log_path)
    failed = [r for r in records if r.failed]
    scored = [r for r in records if not r.failed]
    summary = summarize_run(run, scored, errors=[r.sample_id for r in failed], prices=prices)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=None))
        return
    click.echo()
    for line in summary.lines():
        style = {"fg": "yellow", "bold": True} if line.startswith("SIMULATED") else {}
        click.secho(line, **style)  # type: ignore[arg-type]


def _print_dry_run(
    scenario: Any,
    queries: list[Any],
    model: str,
    options: dict[str, Any],
    prices_file: str | None,
    as_json: bool,
) -> None:
    from afscope.cost import estimate_requests, format_estimates, load_prices
    from afscope.records import Tier

    prices = load_prices(prices_file)
    system = scenario.render_system_prompt(scratchpad=options["scratchpad"])
    turns = [
        scenario.render_user_turn(
            q.text, tier, suffix=options["suffix"], tier_casing=options["tier_casing"]
        )
        for q in queries
        for tier in (Tier.FREE, Tier.PAID)
    ]
    estimate = estimate_requests(
        model, system, turns, scratchpad=options["scratchpad"], prices=prices
    )
    if as_json:
        data = {
            "dry_run": True,
            "model": model,
            "simulated": is_simulated(model),
            "setting": scenario.name,
            "queries": len(queries),
            "samples": len(turns),
            "prices_as_of": prices.as_of,
            **estimate.to_dict(),
        }
        click.echo(json.dumps(data))
        return
    click.echo(
        f"dry run: nothing sent. {scenario.name} · {len(queries)} queries x 2 tiers = "
        f"{len(turns)} samples (estimates; continuations after <NEXT/> add requests)"
    )
    for line in format_estimates([estimate], as_of=prices.as_of):
        click.echo(line)


@click.command()
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--max-connections", type=click.IntRange(min=1), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def resume(log: Path, max_connections: int | None, as_json: bool) -> None:
    """Finish an interrupted run: only the samples missing from LOG are sent again.

    The new log (in LOG's directory) holds every sample once; LOG itself is left as it was.
    """
    from inspect_ai import eval_retry

    from afscope.harness import log_is_finished, read_run_info

    run = read_run_info(log)  # refuses a missing file or a log that is not an afscope run
    if log_is_finished(log):
        click.echo(f"{log}: this run finished (every sample done, none failed); nothing to resume")
        _print_next_steps(log, as_json)
        return
    if not run.simulated:
        check_api_key(run.model)  # base URLs are kept in the log; keys never are
    (retried,) = eval_retry(
        str(log),
        log_dir=str(log.parent),
        max_connections=max_connections,
        fail_on_error=False,
        display="none" if as_json else None,
    )
    finished = _completed(retried)
    _print_summary(finished, as_json, None)
    _print_next_steps(finished, as_json)
