"""How many judge calls does adaptive voting save, and how many verdicts does it change?

Simulates transcripts whose true yes-probability (the chance that one judge vote says yes) is
drawn from a mixture: most transcripts are clear (near 0 or near 1) and some sit near the
threshold. For each transcript one stream of ``votes`` votes is drawn; the full verdict uses all
of them, each stopping rule reads the same stream until it stops. Prints, per rule, the mean
number of calls per verdict, the share of verdicts whose decision (yes / maybe / no) differs from
the full vote ("changed") and the share that crossed the threshold ("flipped": yes vs not yes).

    .venv/bin/python benchmarks/adaptive_voting.py [--transcripts 20000] [--seed 0]

The target for the published judge's settings (20 votes, threshold 0.4, maybe band 0.2-0.4):
at most 10 calls per verdict on average, with at most 1% of verdicts changed.

Measured (20000 transcripts, seeds 0-2), "realistic" mixture: exact rule 15.3-15.4 calls, 0%
changed; sequential risk=0.03 (the default risk) 9.3-9.4 calls, 0.54-0.60% changed (0.19-0.28%
across the threshold); risk=0.02 about 10.0 calls, 0.36-0.44% changed. On the "ambiguous"
mixture no risk level meets both targets (risk=0.03: 10.2-10.3 calls, 1.1% changed). Without the
maybe band (``--maybe-band 0``) risk=0.02 needs about 6 calls for 0.3-0.5% changed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from afscope.classifiers import ClassifierSpec, settled

# (weight, alpha, beta) of the Beta components of the yes-probability mixture
MIXTURES: dict[str, tuple[tuple[float, float, float], ...]] = {
    # mostly clear negatives (AF reasoning is rare), a block of clear positives, some ambiguity
    "realistic": ((0.65, 0.4, 12.0), (0.20, 12.0, 0.8), (0.15, 2.0, 2.5)),
    # a harder population: a third of transcripts are ambiguous, centred near the threshold
    "ambiguous": ((0.45, 0.4, 12.0), (0.20, 12.0, 0.8), (0.35, 4.0, 6.0)),
}


@dataclass(frozen=True)
class Result:
    rule: str
    mean_calls: float
    changed: float  # any change of decision (yes / maybe / no)
    flipped: float  # the decision crossed the threshold (yes vs not yes)


def draw_probabilities(
    rng: np.random.Generator, mixture: Sequence[tuple[float, float, float]], count: int
) -> np.ndarray:
    weights = np.array([weight for weight, _, _ in mixture])
    components = rng.choice(len(mixture), size=count, p=weights / weights.sum())
    alphas = np.array([alpha for _, alpha, _ in mixture])[components]
    betas = np.array([beta for _, _, beta in mixture])[components]
    return rng.beta(alphas, betas)


def stopping_point(spec: ClassifierSpec, stream: Sequence[bool]) -> tuple[int, str]:
    """(calls, decision) of voting one at a time under ``spec`` on a fixed stream of votes."""
    yes = 0
    for drawn, vote in enumerate(stream, start=1):
        yes += vote
        if settled(spec, yes, drawn, len(stream) - drawn):
            return drawn, spec.decide(yes / drawn)
    raise AssertionError("voting must settle once every vote is drawn")


def run(
    spec: ClassifierSpec, streams: np.ndarray, rules: dict[str, ClassifierSpec]
) -> list[Result]:
    full = [spec.decide(float(stream.mean())) for stream in streams]
    # the stopping rules depend only on (yes, drawn); memoise on the prefix counts
    results = []
    for name, rule in rules.items():
        calls = changed = flipped = 0
        cache: dict[tuple[int, ...], tuple[int, str]] = {}
        for stream, decision in zip(streams, full, strict=True):
            key = tuple(np.flatnonzero(stream))
            if key not in cache:
                cache[key] = stopping_point(rule, [bool(v) for v in stream])
            used, verdict = cache[key]
            calls += used
            changed += verdict != decision
            flipped += (verdict == "yes") != (decision == "yes")
        count = len(streams)
        results.append(Result(name, calls / count, changed / count, flipped / count))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transcripts", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--votes", type=int, default=20)
    parser.add_argument("--threshold", type=float, default=0.4)
    parser.add_argument("--maybe-band", type=float, default=0.2, help="0 for yes/no only")
    args = parser.parse_args(argv)
    base = ClassifierSpec(
        name="af_reasoning",
        version=1,
        kind="af_reasoning",
        rubric_sha256="-",
        judge_model="simulated",
        votes=args.votes,
        threshold=args.threshold,
        maybe_band=args.maybe_band,
    )
    rules = {
        "off (every vote)": dataclasses.replace(base, adaptive="off"),
        "exact": dataclasses.replace(base, adaptive="exact"),
    }
    for risk in (0.05, 0.03, 0.02, 0.01):
        rules[f"sequential risk={risk}"] = dataclasses.replace(
            base, adaptive="sequential", sequential_risk=risk
        )
    rng = np.random.default_rng(args.seed)
    band = f"maybe band {args.maybe_band}" if args.maybe_band else "no maybe band"
    print(
        f"{args.transcripts} simulated transcripts, {args.votes} votes, threshold "
        f"{args.threshold}, {band}, seed {args.seed}"
    )
    for mixture_name, mixture in MIXTURES.items():
        probabilities = draw_probabilities(rng, mixture, args.transcripts)
        streams = rng.random((args.transcripts, args.votes)) < probabilities[:, None]
        print(f"\nmixture {mixture_name!r}: {mixture}")
        print(f"  {'rule':<26} {'calls/verdict':>14} {'changed':>9} {'flipped':>9}")
        for r in run(base, streams, rules):
            print(f"  {r.rule:<26} {r.mean_calls:>14.2f} {r.changed:>9.2%} {r.flipped:>9.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
