"""Garbage collection in a run at Python's young-collection threshold and at afscope's (issue 11).

The ``afscope`` command collects young objects after ``YOUNG_COLLECTION_THRESHOLD`` net
allocations instead of Python's 700 (``afscope/cli/__init__.py``). This runs afscope's
``alignment_faking`` task on the organism in fresh processes, alternating the two thresholds, each
through the same ``inspect_ai.eval`` call as ``memory_curve.py``, and prints per sample the CPU
time the collector took (timed with ``gc.callbacks``), the collections of each generation, and
the process's CPU, wall time and peak RSS.

    .venv/bin/python benchmarks/gc_threshold.py [--samples 2000] [--rounds 2]

Wall times on a shared machine are taken under load.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _commit import commit  # noqa: E402  (benchmarks/, the script's folder)
from afscope.cli import YOUNG_COLLECTION_THRESHOLD  # noqa: E402
from memory_curve import _eval_one  # noqa: E402
from scale_curve import measured, write_queries  # noqa: E402

PYTHON_DEFAULT = 700


def _child(threshold: int, queries: Path, log_dir: Path, stats: Path) -> None:
    """One eval of afscope's task at ``threshold``; the collector's CPU time and counts to
    ``stats``."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(threshold, middle, old)
    spent = {"cpu_s": 0.0, "collections": [0, 0, 0]}
    started = [0.0]

    def timed(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            spent["cpu_s"] += time.process_time() - started[0]
            spent["collections"][info["generation"]] += 1

    gc.callbacks.append(timed)
    _eval_one("afscope task", queries, log_dir)
    stats.write_text(json.dumps(spent), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child, args.queries, args.log_dir, args.stats)
        return
    n = args.samples
    print(f"at {commit()}, {n} samples a run, fresh process each")
    columns = ("threshold", "GC CPU", "collections (gen 0, 1, 2)", "CPU", "wall", "peak RSS")
    print(f"| {' | '.join(columns)} |  (per sample but the collections and the RSS)")
    print(f"|{'---|' * len(columns)}")
    with tempfile.TemporaryDirectory() as tmp:
        queries = Path(tmp) / "queries.jsonl"
        write_queries(n // 2, queries)
        for round_index in range(args.rounds):
            order = (PYTHON_DEFAULT, YOUNG_COLLECTION_THRESHOLD)
            for threshold in order if round_index % 2 == 0 else order[::-1]:
                stats = Path(tmp) / "stats.json"
                command = [
                    sys.executable, __file__, "--child", str(threshold), "--queries", str(queries),
                    "--log-dir", str(Path(tmp) / f"logs-{round_index}-{threshold}"),
                    "--stats", str(stats),
                ]  # fmt: skip
                wall, cpu, peak = measured(command, f"the run at threshold {threshold}")
                spent = json.loads(stats.read_text(encoding="utf-8"))
                print(
                    f"| {threshold:,} | {spent['cpu_s'] / n * 1000:.2f} ms "
                    f"| {', '.join(map(str, spent['collections']))} | {cpu / n * 1000:.2f} ms "
                    f"| {wall / n * 1000:.2f} ms | {peak:.0f} MB |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
