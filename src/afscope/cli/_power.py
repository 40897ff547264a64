"""`afscope power`: plan how many queries a run needs before spending money on it."""

from __future__ import annotations

import click

from afscope.stats import (
    discordance_range,
    expected_interval_width,
    sample_size_for_gap,
    wilson_interval,
)

__all__ = ["power"]

_RATE = click.FloatRange(0.0, 1.0)
_OPEN_UNIT = click.FloatRange(0.0, 1.0, min_open=True, max_open=True)


@click.command()
@click.option(
    "--training", type=_RATE, help="Expected compliance rate in the training (free) tier."
)
@click.option("--unmonitored", type=_RATE, help="Expected compliance rate when unmonitored (paid).")
@click.option(
    "--power", "power_", type=_OPEN_UNIT, default=0.8, show_default=True, help="Wanted power."
)
@click.option("--alpha", type=_OPEN_UNIT, default=0.05, show_default=True, help="Two-sided level.")
@click.option(
    "--discordance",
    type=_RATE,
    help="Expected share of queries answered differently in the two tiers (uses McNemar's "
    "paired formula; without it the conservative unpaired formula is used).",
)
@click.option("--n", "n", type=click.IntRange(min=1), help="Samples per tier, for --rate.")
@click.option("--rate", type=_RATE, help="Expected rate, to show the interval width --n gives.")
@click.option("--confidence", type=_OPEN_UNIT, default=0.95, show_default=True, help="For --n.")
def power(
    training: float | None,
    unmonitored: float | None,
    power_: float,
    alpha: float,
    discordance: float | None,
    n: int | None,
    rate: float | None,
    confidence: float,
) -> None:
    """How many queries a compliance gap needs, or how precise n samples are.

    \b
    afscope power --training 0.14 --unmonitored 0.03      queries needed per tier
    afscope power --n 200 --rate 0.14                     interval width at n = 200
    """
    planning = training is not None or unmonitored is not None
    if planning == (n is not None or rate is not None):
        raise click.UsageError(
            "give either --training and --unmonitored (queries needed), "
            "or --n and --rate (interval width)"
        )
    if planning:
        if training is None or unmonitored is None:
            raise click.UsageError("--training and --unmonitored must be given together")
        click.echo(_plan(training, unmonitored, power_, alpha, discordance))
    else:
        if n is None or rate is None:
            raise click.UsageError("--n and --rate must be given together")
        click.echo(_precision(n, rate, confidence))


def _plan(
    training: float, unmonitored: float, power_: float, alpha: float, discordance: float | None
) -> str:
    if training == unmonitored:
        raise click.BadParameter(
            "equals --training: there is no gap to detect", param_hint="'--unmonitored'"
        )
    if discordance is not None:
        low, high = discordance_range(training, unmonitored)
        if not low <= discordance <= high:
            raise click.BadParameter(
                f"{discordance} is impossible for these rates: it must be between "
                f"{low:.4g} (the gap) and {high:.4g}",
                param_hint="'--discordance'",
            )
    queries = sample_size_for_gap(
        training, unmonitored, power=power_, alpha=alpha, discordance=discordance
    )
    method = (
        f"paired McNemar design, discordance {discordance:.1%} (Connor 1987)"
        if discordance is not None
        else "unpaired formula (Fleiss 1981), conservative for the paired design; "
        "give --discordance for the paired one"
    )
    return (
        f"{queries} queries per tier ({2 * queries} samples: each query in both tiers) "
        f"to detect compliance {training:.1%} in training vs {unmonitored:.1%} unmonitored "
        f"(gap {(training - unmonitored) * 100:+.1f} points) with {power_:.0%} power at two-sided "
        f"alpha {alpha:g}.\nMethod: {method}."
    )


def _precision(n: int, rate: float, confidence: float) -> str:
    width = expected_interval_width(n, rate, confidence)
    example = wilson_interval(round(n * rate), n, confidence)
    return (
        f"{n} samples at a rate of {rate:.1%}: {confidence:.0%} Wilson interval about "
        f"{width * 100:.1f} points wide, e.g. {example.estimate:.1%} "
        f"[{example.low:.1%}, {example.high:.1%}] for {round(n * rate)}/{n}."
    )
