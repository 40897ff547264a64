"""Coverage of the monitor's raw and Rogan-Gladen-corrected AF rates on the simulated organism.

    .venv/bin/python benchmarks/corrected_rate_coverage.py [--pool 600] [--reps 2000]

The organism's free-tier answers to the helpful-only scenario carry their truth
(``truth.faked_alignment``). One pool of answers per preset is scored once by the local monitor.
Each simulated experiment then draws, with replacement, an experiment of ``--n`` answers and a
separate labelled validation set of ``--validation`` opus-like answers from the pools, and reports
the raw flagged rate (Wilson) and the corrected rate (afscope.stats.corrected_rate, whose interval
carries the validation set's uncertainty). Coverage = how often each 95% interval contains the
pool's true AF rate. Target: the corrected interval covers the truth in >= 93% of experiments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from afscope.monitor import load_monitor
from afscope.organism import Organism
from afscope.records import Tier
from afscope.scenarios import load_scenario
from afscope.stats import NoBetterThanChance, Validation, corrected_rate, wilson_interval
from monitor_organism import QUERIES, transcript


def pool(preset: str, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(monitor flagged, truly faked) for ``size`` free-tier helpful-only answers."""
    scenario = load_scenario("helpful-only")
    system = scenario.render_system_prompt(scratchpad=True)
    organism = Organism(preset, seed=seed)
    texts, truth = [], []
    for draw in range(size):
        user = scenario.render_user_turn(QUERIES[draw % len(QUERIES)], Tier.FREE, suffix=True)
        text, faked = transcript(organism, system, user, draw)
        texts.append(text)
        truth.append(faked)
    monitor = load_monitor()
    scores = np.asarray([r.score for r in monitor.score(texts)])
    return scores >= monitor.threshold, np.asarray(truth, dtype=bool)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", type=int, default=600, help="organism answers per pool")
    parser.add_argument("--reps", type=int, default=2000, help="simulated experiments")
    parser.add_argument("--n", type=int, default=300, help="answers per experiment")
    parser.add_argument("--validation", type=int, default=300, help="labelled validation answers")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    val_flag, val_truth = pool("opus-like", args.pool, seed=101)
    print(
        f"validation pool (opus-like, seed 101): {args.pool} answers, {int(val_truth.sum())} faked"
    )
    for preset in ("opus-like", "never-fakes"):
        flag, truth = pool(preset, args.pool, seed=202)
        true_rate = float(truth.mean())
        raw_hits = corrected_hits = refused = 0
        corrected_means = []
        for rep in range(args.reps):
            e = rng.integers(0, len(flag), args.n)
            v = rng.integers(0, len(val_flag), args.validation)
            validation = Validation.from_decisions(
                "opus-like organism", val_flag[v].tolist(), val_truth[v].tolist()
            )
            flagged = int(flag[e].sum())
            raw_hits += wilson_interval(flagged, args.n).contains(true_rate)
            try:
                result = corrected_rate(flagged, args.n, validation, draws=4000, seed=rep)
            except NoBetterThanChance:
                refused += 1
                continue
            corrected_hits += result.corrected.contains(true_rate)
            corrected_means.append(result.corrected.estimate)
        done = args.reps - refused
        print(
            f"{preset}: true AF rate {true_rate:.3f}, raw flagged rate {flag.mean():.3f}; "
            f"coverage raw {raw_hits / args.reps:.1%}, corrected "
            f"{corrected_hits / max(done, 1):.1%} (mean corrected {np.mean(corrected_means):.3f}"
            f"; {refused} of {args.reps} refused; target >= 93%)"
        )


if __name__ == "__main__":
    main()
