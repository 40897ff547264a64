"""The command-line options `run` and `sweep` share, and the one experiment value built from them.

Each option is a field of :class:`afscope.experiment.Experiment`; :meth:`Experiment.shared_options`
writes them back (a sweep's rerun command). A command adds its own options for the model(s),
setting(s) and variant(s), then calls :func:`experiment_from_options`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

import click

from afscope.classifiers import ADAPTIVE_RULES
from afscope.experiment import KINDS, Experiment

__all__ = ["add_options", "experiment_from_options", "experiment_options"]

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "--experiment",
        "kind",
        type=click.Choice(sorted(KINDS)),
        default="alignment_faking",
        show_default=True,
        help="Kind of experiment.",
    ),
    click.option("--queries", default=None, help="Built-in query set or a file (csv/jsonl)."),
    click.option("--limit", type=click.IntRange(min=1), default=None, help="First N queries."),
    click.option("--seed", type=int, default=0, show_default=True),
    click.option(
        "--no-scratchpad", is_flag=True, help="Answer directly, without hidden reasoning."
    ),
    click.option(
        "--suffix/--no-suffix", default=None, help="Accept/reject suffix (setting default)."
    ),
    click.option(
        "--tier-casing",
        type=click.Choice(["lower", "title"]),
        default="lower",
        show_default=True,
        help="Casing of the tier cue's value in the user turn: lower (true) or title (True).",
    ),
    click.option(
        "--max-turns",
        type=click.IntRange(min=1),
        default=None,
        help="Model turns per sample: reasoning without <OUTPUT> gets <NEXT/> "
        "and a new turn [default: 4; agentic kinds: the environment's bound].",
    ),
    click.option("--max-tokens", type=click.IntRange(min=1), default=None),
    click.option(
        "--epochs",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Times each sample is run (several: the gap's interval is a bootstrap over queries).",
    ),
    click.option(
        "--judge",
        default=None,
        metavar="MODEL",
        help="LLM judge model (any Inspect model); default: the local monitor.",
    ),
    click.option(
        "--judge-votes", type=click.IntRange(min=1), default=None, help="Votes per verdict."
    ),
    click.option(
        "--adaptive",
        type=click.Choice(ADAPTIVE_RULES),
        default=None,
        help="When to stop drawing judge votes "
        "(default: sequential; exact = same verdicts as all).",
    ),
    click.option(
        "--monitor/--no-monitor",
        default=None,
        help="Score AF reasoning with the local monitor (default: when no judge is given).",
    ),
    click.option(
        "--monitor-model",
        default=None,
        metavar="NAME|PATH",
        help="Run a monitor fitted with 'afscope monitor fit' (its name or artefact path) "
        "instead of the shipped one.",
    ),
    click.option(
        "--interrogation-turns",
        type=click.IntRange(min=0),
        default=None,
        help="Scheming kinds: management's questions after an episode that schemed [default: 3].",
    ),
    click.option(
        "--dry-run", is_flag=True, help="Print what would be sent and its cost; send nothing."
    ),
    click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object (no progress display)."
    ),
)


def add_options(command: F, options: Sequence[Callable[[F], F]]) -> F:
    """Add click ``options`` to a command, in the order ``--help`` lists them."""
    for option in reversed(options):
        command = option(command)
    return command


def experiment_options(command: F) -> F:
    """Add the shared options to a click command (in the order ``--help`` lists them)."""
    return add_options(command, _OPTIONS)


def experiment_from_options(options: dict[str, Any], **cell: Any) -> Experiment:
    """The experiment named by the shared options and ``cell`` (setting, variant, model): the
    option of a field's name sets it, but --no-scratchpad and --adaptive (``judge_adaptive``)."""
    named = {item.name: options[item.name] for item in fields(Experiment) if item.name in options}
    renamed = {"scratchpad": not options["no_scratchpad"], "judge_adaptive": options["adaptive"]}
    return replace(Experiment(), **{**named, **renamed, **cell})
