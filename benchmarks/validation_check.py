"""How often the summary wrongly refuses a correction because a run "contradicts" its validation.

    .venv/bin/python benchmarks/validation_check.py [--reps 2000]

The summary gives no corrected AF rate when some tier is flagged at a rate whose Wilson 95%
interval lies below ``Validation.flag_floor()`` (afscope.screening). That must be rare when the
monitor does err on the run exactly as on the validation. Each simulated experiment draws the
validation's counts from true sensitivity and specificity, then a tier of ``n`` answers with true
AF rate ``p`` flagged at ``p Se + (1 - p)(1 - Sp)``, and counts the refusals. ``p = 0`` is the worst
case (the tier is flagged at the false-positive rate, the floor's own quantity).
"""

from __future__ import annotations

import argparse

import numpy as np

from afscope.stats import Validation, wilson_interval

# (sensitivity, specificity, validation positives, negatives, tier size, true AF rate)
CASES = [
    (0.881, 0.890, 1292, 173, 110, 0.0),  # the shipped pool's rates and sizes, a full run's tier
    (0.881, 0.890, 1292, 173, 1000, 0.0),
    (0.881, 0.890, 1292, 173, 110, 0.12),
    (0.90, 0.97, 200, 200, 110, 0.0),
    (0.90, 0.99, 300, 300, 500, 0.0),
]


def refusals(case: tuple[float, float, int, int, int, float], reps: int, seed: int) -> float:
    sensitivity, specificity, positives, negatives, n, p = case
    rng = np.random.default_rng(seed)
    refused = 0
    for _ in range(reps):
        tp, tn = rng.binomial(positives, sensitivity), rng.binomial(negatives, specificity)
        validation = Validation("simulated", tp, positives - tp, tn, negatives - tn)
        flagged = rng.binomial(n, p * sensitivity + (1 - p) * (1 - specificity))
        refused += wilson_interval(flagged, n).high < validation.flag_floor()
    return refused / reps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000, help="simulated experiments per case")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| Se | Sp | validation +/- | tier n | true AF | wrongly refused |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        se, sp, pos, neg, n, p = case
        share = refusals(case, args.reps, args.seed)
        print(f"| {se} | {sp} | {pos}/{neg} | {n} | {p} | {share:.2%} |")


if __name__ == "__main__":
    main()
