"""`afscope scheming`: the in-context scheming suite (or one environment) on any Inspect model."""

from __future__ import annotations

import json
from typing import Any

import click

__all__ = ["scheming"]


@click.command()
@click.argument("environment", default="all", metavar="[ENV|all]")
@click.option("--model", default="organism/o1-like", show_default=True, help="Any Inspect model.")
@click.option("--base-url", default=None, help="Base URL of the model's API (local servers).")
@click.option(
    "--nudge",
    type=click.Choice(["both", "nudge", "no-nudge"]),
    default="both",
    show_default=True,
    help="With the strong goal nudge, without it, or both.",
)
@click.option("--instances", default=None, help="Comma list of instance ids (default: all).")
@click.option("--epochs", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="First N episodes.")
@click.option(
    "--interrogation-turns",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Management's questions after a scheming episode.",
)
@click.option("--max-turns", type=click.IntRange(min=1), default=12, show_default=True)
@click.option("--judge", default=None, help="Judge model for the interrogation's answers.")
@click.option("--sandbox", default="bwrap", show_default=True, help="bwrap, docker or k8s.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--log-dir", default="logs", show_default=True, type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def scheming(**options: Any) -> None:
    """Run the in-context scheming environments (Meinke et al. 2024) in the sandbox."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.log import read_eval_log

    from afscope.errors import UnknownNameError
    from afscope.harness.scheming import scheming as scheming_suite
    from afscope.providers import is_simulated
    from afscope.scheming import ENVIRONMENT_NAMES, summarize_scheming

    name = options["environment"]
    if name not in ("all", *ENVIRONMENT_NAMES):
        raise UnknownNameError("scheming environment", name, ("all", *ENVIRONMENT_NAMES))
    task = scheming_suite(
        environments=name,
        nudge=options["nudge"],
        instances=options["instances"],
        epochs=options["epochs"],
        interrogation_turns=options["interrogation_turns"],
        max_turns=options["max_turns"],
        judge=options["judge"] is not None,
        sandbox=options["sandbox"],
    )
    model = options["model"]
    simulated = is_simulated(model)
    [log] = inspect_eval(
        task,
        model=model,
        model_args={"seed": options["seed"]} if simulated else {},
        model_base_url=options["base_url"],
        model_roles={"grader": options["judge"]} if options["judge"] else None,
        log_dir=options["log_dir"],
        limit=options["limit"],
        seed=options["seed"],
        fail_on_error=False,
        display="none" if options["as_json"] else None,
        tags=["afscope", "scheming", *(["simulated"] if simulated else [])],
    )
    if log.status != "success" and not log.samples:
        message = log.error.message if log.error else log.status
        raise click.ClickException(f"the run did not complete ({message}); log: {log.location}")
    samples = read_eval_log(log.location).samples or []
    records = [
        dict(sample.scores["scheming_scorer"].metadata or {})
        for sample in samples
        if sample.scores and "scheming_scorer" in sample.scores
    ]
    summary = summarize_scheming(records)
    if options["as_json"]:
        click.echo(json.dumps({**summary.to_json(), "log": log.location}))
        return
    click.echo()
    for line in summary.lines():
        style = {"fg": "yellow", "bold": True} if line.startswith("SIMULATED") else {}
        click.secho(line, **style)  # type: ignore[arg-type]
    failed = len(samples) - len(records)
    if failed:
        click.echo(f"{failed} episodes failed (no score); see the log", err=True)
    click.echo(f"log: {log.location}")
