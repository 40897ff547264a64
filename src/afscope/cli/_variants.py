"""`afscope variants`: list the shipped prompt variations, show one rendered, diff two."""

from __future__ import annotations

import shutil
import textwrap

import click

__all__ = ["variants"]

_QUERY = "{query}"


@click.group()
def variants() -> None:
    """The paper's prompt variations (ablations) as named edits of a setting's prompt.

    \b
    afscope variants list --setting helpful-only
    afscope variants show cue-eu-region
    afscope variants diff default cut-rlhf --setting animal-welfare
    """


@variants.command("list")
@click.option("--setting", default=None, help="Only the variants that apply to this setting.")
def list_command(setting: str | None) -> None:
    """A table of the variants: name, family, settings and what each tests."""
    from afscope.variants import list_variants, load_variant

    shown = [load_variant(name) for name in list_variants(setting)]
    header = ("name", "family", "settings")
    cells = [(v.name, v.family, ",".join(v.settings)) for v in shown]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    indent = sum(widths) + 6
    width = max(40, shutil.get_terminal_size((120, 24)).columns - indent)
    click.echo(_columns(header, widths) + "description")
    for variant, row in zip(shown, cells, strict=True):
        lines = textwrap.wrap(variant.description, width) or [""]
        click.echo(_columns(row, widths) + lines[0])
        for line in lines[1:]:
            click.echo(" " * indent + line)


@variants.command()
@click.argument("name")
@click.option("--setting", default=None, help="Base setting (default: the variant's first one).")
@click.option(
    "--scratchpad/--no-scratchpad", default=True, show_default=True, help="Prompt mode to render."
)
def show(name: str, setting: str | None, scratchpad: bool) -> None:
    """Print a variant's rendered system prompt and a sample user turn for each tier."""
    from afscope.records import Tier
    from afscope.variants import load_variant, render_variant

    variant = load_variant(name)
    chosen = setting or variant.settings[0]
    scenario = render_variant(variant, setting=chosen)
    mode = "scratchpad" if scratchpad else "no scratchpad"
    click.echo(f"# variant {variant.name} ({variant.family}) · setting {chosen} · {mode}")
    click.echo(f"# {variant.description}\n")
    click.echo("=== system prompt ===")
    click.echo(scenario.render_system_prompt(scratchpad=scratchpad))
    for label, tier in (("training", Tier.FREE), ("unmonitored", Tier.PAID)):
        click.echo(f"\n=== user turn, implied {label} ({tier.value} tier) ===")
        click.echo(scenario.render_user_turn(_QUERY, tier, suffix=scenario.suffix_default))


@variants.command()
@click.argument("first")
@click.argument("second")
@click.option("--setting", default="helpful-only", show_default=True, help="Base setting.")
@click.option(
    "--scratchpad/--no-scratchpad", default=True, show_default=True, help="Prompt mode to compare."
)
def diff(first: str, second: str, setting: str, scratchpad: bool) -> None:
    """A unified diff of two variants' system prompts and user turns."""
    from afscope.variants import diff_variants

    click.echo(diff_variants(first, second, setting=setting, scratchpad=scratchpad), nl=False)


def _columns(row: tuple[str, ...], widths: list[int]) -> str:
    """A row of the variants table: each cell padded to its column's width, two spaces apart."""
    return "".join(f"{cell:<{width}}  " for cell, width in zip(row, widths, strict=True))
