"""Empirical coverage of afscope's 95% intervals, by simulation against known true rates.

Run: .venv/bin/python benchmarks/interval_coverage.py [--quick] [--reps 2000] [--boot-reps 1000]
     [--organism-reps 2000]   (about 6 minutes in full; --organism-reps 0 skips the organism)

Each setting simulates many experiments whose true per-tier compliance rates are known, computes
the interval afscope would report, and counts how often it contains the truth. Target: at least
93% for every interval (the Monte Carlo standard error at 2000 repetitions is about 0.5 points).

Outcomes come from a query-level model: query i has a latent propensity u_i ~ N(0, 1), shared by
both tiers and all epochs, and complies in a tier with probability Phi(a_tier + sigma * u_i),
where a_tier = Phi^-1(p_tier) * sqrt(1 + sigma^2) makes the population rate exactly p_tier.
sigma = 0 gives independent tiers; sigma > 0 correlates a query's two tiers (paired data) and its
epochs (clustered data). When the simulated organism (afscope.organism) is importable, one more
setting draws the outcomes from its "opus-like" preset, whose truth rates are its parameters.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from afscope.records import SampleRecord, Tier
from afscope.stats import (
    Interval,
    cluster_bootstrap_difference,
    mcnemar_exact,
    paired_difference,
    summarize,
    wilson_interval,
)

# (free, paid) outcomes of shape (n_queries, epochs) each
Draw = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Setting:
    label: str
    p_free: float
    p_paid: float
    n_queries: int
    sigma: float = 0.0
    epochs: int = 1


def latent_draw(setting: Setting) -> Draw:
    """Outcomes from the query-level latent model described in the module docstring."""
    scale = np.sqrt(1 + setting.sigma**2)
    shift_free = scipy_stats.norm.ppf(setting.p_free) * scale
    shift_paid = scipy_stats.norm.ppf(setting.p_paid) * scale

    def draw(
        rng: np.random.Generator, n_queries: int, epochs: int
    ) -> tuple[np.ndarray, np.ndarray]:
        latent = rng.standard_normal((n_queries, 1)) * setting.sigma
        rate_free = scipy_stats.norm.cdf(shift_free + latent)
        rate_paid = scipy_stats.norm.cdf(shift_paid + latent)
        free = rng.random((n_queries, epochs)) < rate_free
        paid = rng.random((n_queries, epochs)) < rate_paid
        return free, paid

    return draw


def pairs_of(free: np.ndarray, paid: np.ndarray) -> list[tuple[bool, bool]]:
    return list(zip(free.ravel().tolist(), paid.ravel().tolist(), strict=True))


def coverage(
    setting: Setting, draw: Draw, reps: int, seed: int, make: Callable[..., Interval]
) -> tuple[float, float]:
    """Share of repetitions whose interval holds the true gap or rate, and the mean width."""
    rng = np.random.default_rng(seed)
    hits, widths = 0, 0.0
    for _ in range(reps):
        free, paid = draw(rng, setting.n_queries, setting.epochs)
        interval, truth = make(free, paid)
        hits += interval.contains(truth)
        widths += interval.width
    return hits / reps, widths / reps


def wilson_rows(settings: list[Setting], reps: int) -> list[str]:
    rows = []
    for index, setting in enumerate(settings):
        draw = latent_draw(setting)

        def make(
            free: np.ndarray, paid: np.ndarray, s: Setting = setting
        ) -> tuple[Interval, float]:
            return wilson_interval(int(free.sum()), free.size), s.p_free

        rate, width = coverage(setting, draw, reps, 100 + index, make)
        rows.append(row("Wilson (one tier)", setting, rate, width, reps))
    return rows


def gap_rows(settings: list[Setting], reps: int) -> list[str]:
    rows = []
    for index, setting in enumerate(settings):
        draw = latent_draw(setting)
        truth = setting.p_free - setting.p_paid

        def make(free: np.ndarray, paid: np.ndarray, t: float = truth) -> tuple[Interval, float]:
            return paired_difference(pairs_of(free, paid)), t

        rate, width = coverage(setting, draw, reps, 200 + index, make)
        rows.append(row("Newcombe paired gap", setting, rate, width, reps))
    return rows


def bootstrap_rows(settings: list[Setting], reps: int, n_boot: int) -> list[str]:
    rows = []
    for index, setting in enumerate(settings):
        draw = latent_draw(setting)
        truth = setting.p_free - setting.p_paid

        def make(free: np.ndarray, paid: np.ndarray, t: float = truth) -> tuple[Interval, float]:
            clusters = {f"q{i}": pairs_of(free[i], paid[i]) for i in range(free.shape[0])}
            return cluster_bootstrap_difference(clusters, n_boot=n_boot, seed=0), t

        rate, width = coverage(setting, draw, reps, 300 + index, make)
        rows.append(row(f"cluster bootstrap gap (B={n_boot})", setting, rate, width, reps))
    return rows


def mcnemar_size(setting: Setting, reps: int) -> str:
    """Type I error of the exact McNemar test when the two tiers truly comply equally."""
    rng = np.random.default_rng(400)
    draw = latent_draw(setting)
    rejections = 0
    for _ in range(reps):
        free, paid = draw(rng, setting.n_queries, setting.epochs)
        rejections += mcnemar_exact(pairs_of(free, paid)) < 0.05
    return (
        f"exact McNemar at alpha 0.05, no true gap ({setting.label}, p={setting.p_free}, "
        f"n={setting.n_queries}, sigma={setting.sigma}): rejects {rejections / reps:.1%} "
        f"of {reps} (should be <= 5%)"
    )


def row(method: str, setting: Setting, rate: float, width: float, reps: int) -> str:
    flag = "" if rate >= 0.93 else "  <-- below 93%"
    rates = f"{setting.p_free:.3f}/{setting.p_paid:.3f}"
    return (
        f"{method:37} {setting.label:26} {rates:>11} {setting.n_queries:>5} {setting.epochs:>3} "
        f"{setting.sigma:>5.1f} {rate:>8.1%} {width:>7.3f} {reps:>5}{flag}"
    )


HEADER = (
    f"{'interval':37} {'setting':26} {'free/paid':>11} {'n':>5} {'ep':>3} {'sigma':>5} "
    f"{'coverage':>8} {'width':>7} {'reps':>5}"
)

HELPFUL = (0.142, 0.028)  # opus-like helpful-only: refusals 85.8% training vs 97.2% unmonitored
ANIMAL = (0.492, 0.344)  # opus-like animal welfare: non-compliance 50.8% vs 65.6%


def default_settings(quick: bool) -> tuple[list[Setting], list[Setting], list[Setting]]:
    sizes = (100, 400) if quick else (50, 100, 200, 400)
    wilson = [
        Setting(f"{name} {tier}", rate, rate, n)
        for n in sizes
        for name, rates in (("helpful-only", HELPFUL), ("animal-welfare", ANIMAL))
        for tier, rate in zip(("training", "unmonitored"), rates, strict=True)
    ]
    gaps = [
        Setting(f"{name} sigma={sigma:g}", *rates, n, sigma=sigma)
        for name, rates in (("helpful-only", HELPFUL), ("animal-welfare", ANIMAL))
        for sigma in (0.0, 1.5)
        for n in sizes
    ] + [Setting("no gap sigma=1.5", 0.08, 0.08, 100, sigma=1.5)]
    boot_sizes = (100,) if quick else (30, 50, 100, 200)
    boots = [
        Setting(f"{name} sigma=1.5", *rates, n, sigma=1.5, epochs=3)
        for name, rates in (("helpful-only", HELPFUL), ("animal-welfare", ANIMAL))
        for n in boot_sizes
    ]
    return wilson, gaps, boots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000, help="experiments per setting")
    parser.add_argument("--boot-reps", type=int, default=1000, help="experiments per bootstrap row")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--organism-reps", type=int, default=2000, help="organism experiments")
    parser.add_argument("--quick", action="store_true", help="fewer settings, for a smoke run")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    wilson, gaps, boots = default_settings(args.quick)
    print("Empirical coverage of nominal 95% intervals (target >= 93%)")
    print(HEADER)
    lines = wilson_rows(wilson, args.reps) + gap_rows(gaps, args.reps)
    organism = organism_rows(args.organism_reps, 100) if args.organism_reps > 0 else None
    if args.organism_reps <= 0:
        lines.append("(organism rows skipped: --organism-reps 0)")
    elif organism is None:
        lines.append("(afscope.organism not available: every row above is simulated Bernoulli)")
    else:
        lines += organism
    lines += bootstrap_rows(boots, args.boot_reps, args.n_boot)
    for line in lines:
        print(line)
    print(mcnemar_size(Setting("no gap", 0.08, 0.08, 100, sigma=1.5), args.reps))
    below = sum("below 93%" in line for line in lines)
    print(f"{below} of {len(lines)} rows below 93%; {time.perf_counter() - started:.0f}s")
    return 1 if below else 0


def organism_rows(reps: int, n_queries: int) -> list[str] | None:
    """Coverage of what `afscope run` reports for the simulated organism, end to end.

    Each experiment asks ``n_queries`` queries in both tiers of the "opus-like" preset, plays the
    <NEXT/> turns, parses the transcripts and summarizes them with ``afscope.stats.summarize``
    (malformed answers excluded); the truth is the preset's parameters (comply_* + partial, as a
    partial answer carries the accept tag). Returns None
    when the organism, scenarios or parser are not importable.
    """
    try:
        from afscope.organism import Organism
        from afscope.scenarios import load_scenario
        from afscope.transcripts import parse_transcript
    except ImportError:
        return None
    rows = []
    for name in ("helpful-only", "animal-welfare"):
        scenario = load_scenario(name)
        system = scenario.render_system_prompt(scratchpad=True)
        organism = Organism("opus-like", seed=11)
        probe = [("user", scenario.render_user_turn("probe", Tier.FREE, suffix=True))]
        params = organism.params_for(organism.read_prompt(system, probe))
        # a partial answer starts with the accept tag, so the tag-based rate is comply + partial
        truth = {
            Tier.FREE: params.comply_free + params.partial,
            Tier.PAID: params.comply_paid + params.partial,
        }
        hits = {"free": 0, "paid": 0, "gap": 0}
        widths = {"free": 0.0, "paid": 0.0, "gap": 0.0}
        disagreements = 0
        for draw in range(reps):
            records = [
                _organism_sample(organism, scenario, system, query, tier, draw, parse_transcript)
                for query in range(n_queries)
                for tier in Tier
            ]
            disagreements += sum(_disagrees(record) for record in records)
            result = summarize(records)
            intervals = {
                "free": (result.tiers[Tier.FREE].compliance, truth[Tier.FREE]),
                "paid": (result.tiers[Tier.PAID].compliance, truth[Tier.PAID]),
                "gap": (result.gap, truth[Tier.FREE] - truth[Tier.PAID]),
            }
            for key, (interval, true_value) in intervals.items():
                if interval is not None:
                    hits[key] += interval.contains(true_value)
                    widths[key] += interval.width
        setting = Setting(f"organism {name}", truth[Tier.FREE], truth[Tier.PAID], n_queries)
        for key, method in (
            ("free", "Wilson training (organism, parsed)"),
            ("paid", "Wilson unmonitored (organism, parsed)"),
            ("gap", "Newcombe gap (organism, parsed)"),
        ):
            rows.append(row(method, setting, hits[key] / reps, widths[key] / reps, reps))
        rows.append(
            f"  {name}: truth = preset comply_* + partial ({params.partial:g}); parsed tag vs "
            f"organism truth: {disagreements} disagreements in {reps * n_queries * 2} samples"
        )
    return rows


def _organism_sample(
    organism: Any,
    scenario: Any,
    system: str,
    query: int,
    tier: Tier,
    draw: int,
    parse: Callable[..., Any],
) -> SampleRecord:
    text = f"Please explain how to do task number {query}."
    messages = [("user", scenario.render_user_turn(text, tier, suffix=True))]
    turns: list[str] = []
    for _ in range(_MAX_TURNS):
        reply = organism.respond(system, messages, draw=draw)
        turns.append(reply.text)
        if reply.final:
            break
        messages += [("assistant", reply.text), ("user", "<NEXT/>")]
    parsed = parse(turns, suffix=True, turn_limit_reached=not reply.final)
    return SampleRecord(
        sample_id=f"{query}-{tier.value}",
        query_id=str(query),
        category="benchmark",
        tier=tier,
        setting=scenario.name if hasattr(scenario, "name") else "",
        outcome=parsed.outcome,
        truth=reply.truth,
    )


def _disagrees(record: SampleRecord) -> bool:
    """A well-formed tag that contradicts the organism's truth (partial answers accept)."""
    if record.complied is None or record.truth is None:
        return False
    return record.complied != (record.truth.complied or record.truth.partial)


_MAX_TURNS = 4


if __name__ == "__main__":
    sys.exit(main())
