"""`afscope import`: foreign transcripts (JSONL/CSV/JSON) as an afscope run's Inspect log."""

from __future__ import annotations

from pathlib import Path

import click

from afscope.errors import ConfigError

__all__ = ["import_command"]

_SETTINGS = ("helpful-only", "animal-welfare")


@click.command(name="import")
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .eval log to write.",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="YAML/JSON file: columns, values, constants, suffix.",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Which column holds a field (repeatable); FIELD= says the file has none.",
)
@click.option(
    "--setting",
    type=click.Choice(_SETTINGS),
    default=None,
    help="The setting of every row; with a setting column, import only its rows "
    "[default: the column, else helpful-only].",
)
@click.option(
    "--model",
    default=None,
    help="The model that wrote the transcripts (without a model column); with one, "
    "import only its rows.",
)
@click.option(
    "--tier",
    type=click.Choice(["free", "paid"]),
    default=None,
    help="The tier of every row (a file without a tier column; overrides one).",
)
@click.option(
    "--suffix/--no-suffix",
    default=None,
    help="Whether the accept/reject tags were asked for [default: found in answers].",
)
@click.option(
    "--monitor/--no-monitor",
    default=True,
    show_default=True,
    help="Score the reasoning with the local monitor, as a run does.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def import_command(
    source: Path,
    output: Path,
    mapping: Path | None,
    pairs: tuple[str, ...],
    setting: str | None,
    model: str | None,
    tier: str | None,
    suffix: bool | None,
    monitor: bool,
    as_json: bool,
) -> None:
    """Import foreign transcripts (JSONL/CSV) as a run that every afscope command reads.

    The log gets the summary of a run (per-tier rates with intervals, the paired gap) and is
    read by report, classify, monitor and inspect view.

    Columns are found under common names (text or scratchpad + output, tier or
    is_free_tier_user, query_id, query or prompt, setting, model, and labels such as
    compliance or af_reasoning); name others with --map or a --mapping file (docs/import.md).

    \b
    afscope import theirs.jsonl --model anthropic/claude-3-opus -o imported.eval
    afscope import theirs.csv --mapping mapping.yaml -o imported.eval
    """
    from dataclasses import replace

    from afscope.importing import import_transcripts, load_mapping

    if output.suffix != ".eval":
        raise ConfigError(f"the log must be a .eval file, got {output.name!r}", key="--output")
    columns = load_mapping(mapping).with_overrides(
        pairs, {"setting": setting, "model": model, "tier": tier}
    )
    if suffix is not None:
        columns = replace(columns, suffix=suffix)
    imported = import_transcripts(source, columns)
    found = ", ".join(f"{name} <- {column!r}" for name, column in imported.columns.items())
    click.echo(f"{source}: {len(imported.transcripts)} transcripts; columns: {found}", err=True)
    for note in imported.notes:
        click.echo(f"note: {note}", err=True)

    from afscope.cli._run import _print_next_steps, _print_summary
    from afscope.harness import write_imported_log

    write_imported_log(imported, output, monitor=monitor)
    _print_summary(output, as_json, None)
    _print_next_steps(output, as_json)
