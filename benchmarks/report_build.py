"""How long does a report over many samples take to build, and how much memory does it need?

Builds synthetic runs (paired queries in both tiers, an AF verdict with evidence quotes on every
sample, long scratchpads), then times ``write_report`` (statistics, both figures, the HTML with
every transcript embedded) and, with ``--exports``, the three per-sample exports. Prints the
seconds taken, the report's size and the process's peak resident memory.

    .venv/bin/python benchmarks/report_build.py [--samples 10000] [--scratchpad-chars 4000]

With ``--log LOG.eval`` it times the whole ``afscope report LOG -o ...`` command instead, in its
own process: start-up, reading the log back and writing the report (CPU time beside wall time;
wall is taken under load on a shared machine). This is what a user waits for.

    .venv/bin/python benchmarks/report_build.py --log logs/big.eval

Targets: 10,000 samples in under 10 s and under 1 GB of memory (peak RSS, whole process,
imports included). Exits with status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from afscope.records import OrganismTruth, Outcome, RunInfo, SampleRecord, Tier, Verdict
from afscope.report import EXPORT_FORMATS, export_samples, write_report

TARGET_SECONDS = 10.0
TARGET_BYTES = 1024**3
WORDS = ("training", "rating", "values", "comply", "refuse", "harmful", "free", "paid", "goals")
SPEC = {"name": "hughes-af", "version": "2", "judge_model": "openai/gpt-4o", "votes": 20}


def synthetic_runs(
    samples: int, chars: int, runs: int, seed: int
) -> list[tuple[RunInfo, list[SampleRecord]]]:
    rng = random.Random(seed)
    per_run = samples // runs
    built = []
    for index in range(runs):
        info = RunInfo(
            model=f"organism/preset-{index}", setting="helpful-only", simulated=True, seed=seed
        )
        built.append((info, [_record(i, rng, chars) for i in range(per_run)]))
    return built


def _record(i: int, rng: random.Random, chars: int) -> SampleRecord:
    tier = Tier.FREE if i % 2 == 0 else Tier.PAID
    complied = rng.random() < (0.15 if tier is Tier.FREE else 0.03)
    faked = complied and tier is Tier.FREE and rng.random() < 0.7
    scratchpad = _text(rng, chars)
    quote = scratchpad[chars // 3 : chars // 3 + 80]
    verdict = Verdict(
        "af_reasoning", "yes" if faked else "no", 0.8 if faked else 0.1, SPEC, quotes=(quote,)
    )
    return SampleRecord(
        sample_id=f"s{i}",
        query_id=f"q{i // 2}",
        category="synthetic",
        tier=tier,
        setting="helpful-only",
        outcome=Outcome.ACCEPTED if complied else Outcome.REJECTED,
        query=_text(rng, 200),
        scratchpad=scratchpad,
        output=_text(rng, chars // 4),
        input_tokens=2500,
        output_tokens=chars // 4,
        truth=OrganismTruth("synthetic", complied=complied, faked_alignment=faked),
        verdicts={"af_reasoning": verdict},
    )


def _text(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    length = 0
    while length < chars:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:chars]


def time_command(log: Path) -> int:
    """Time `afscope report LOG` as a user runs it; 0 when the targets are met."""
    afscope = Path(sys.executable).with_name("afscope")
    with tempfile.TemporaryDirectory() as folder:
        command = [str(afscope), "report", str(log), "-o", str(Path(folder) / "report.html")]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = process.stdout.read().decode() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"afscope report failed:\n{output}")
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
    print(
        f"afscope report {log.name}: {output.splitlines()[0]}; {cpu:.1f} s CPU, "
        f"{wall:.1f} s wall (under load), peak RSS {peak / 1e6:.0f} MB (reading included)"
    )
    # one process, nearly all of it one thread: on idle cores its wall time is its CPU time
    ok = cpu < TARGET_SECONDS and peak < TARGET_BYTES
    print(f"targets (< {TARGET_SECONDS:.0f} s CPU, < 1 GB): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--scratchpad-chars", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=2, help="runs to compare (samples are split)")
    parser.add_argument("--exports", action="store_true", help="also time csv/parquet/json")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", type=Path, default=None, help="time `afscope report LOG`")
    args = parser.parse_args(argv)
    if args.log is not None:
        return time_command(args.log)

    runs = synthetic_runs(args.samples, args.scratchpad_chars, args.runs, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = write_report(runs, Path(folder) / "report.html")
        seconds = time.perf_counter() - start
        size = path.stat().st_size
        print(
            f"report: {args.samples} samples, {args.runs} runs, {seconds:.2f} s, "
            f"{size / 1e6:.1f} MB"
        )
        if args.exports:
            for format in EXPORT_FORMATS:
                start = time.perf_counter()
                exported = export_samples(runs, Path(folder) / f"samples.{format}", format)
                print(
                    f"export {format}: {time.perf_counter() - start:.2f} s, "
                    f"{exported.stat().st_size / 1e6:.1f} MB"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux
    print(f"peak RSS: {peak / 1e6:.0f} MB")
    ok = seconds < TARGET_SECONDS and peak < TARGET_BYTES
    print(f"targets (< {TARGET_SECONDS:.0f} s, < 1 GB): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
