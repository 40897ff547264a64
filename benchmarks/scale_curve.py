"""The per-sample cost of `afscope run` on the organism at growing sizes (issue 11).

Runs the whole command (the Inspect eval with the monitor on, the log written, the summary read
back from the log) once per size, each in its own process, and prints for each: wall time, the
process's CPU time (user + system), CPU per added sample against the size before, and the peak
RSS. Target: CPU per added sample within 20% across the sizes, peak RSS not growing with the log.

    .venv/bin/python benchmarks/scale_curve.py [--samples 200,2000,10000,20000]

Wall times on a shared machine are taken under load; compare CPU columns.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from afscope.queries import load_queries


def write_queries(n_queries: int, path: Path) -> None:
    base = load_queries("harmful")
    with path.open("w", encoding="utf-8") as handle:
        for i, q in zip(range(n_queries), itertools.cycle(base), strict=False):
            row = {"id": f"{q.id}-{i}", "text": f"{q.text} (request {i})", "category": q.category}
            handle.write(json.dumps(row) + "\n")


def measure(samples: int, folder: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one `afscope run` over ``samples`` samples."""
    queries = folder / f"queries-{samples}.jsonl"
    write_queries(samples // 2, queries)
    afscope = Path(sys.executable).with_name("afscope")
    command = [
        str(afscope),
        "run",
        "--queries",
        str(queries),
        "--log-dir",
        str(folder / f"logs-{samples}"),
        "--json",
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"afscope run over {samples} samples failed: {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="200,2000,10000,20000")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.samples.split(","))
    print("| samples | wall (under load) | CPU | CPU per added sample | peak RSS |")
    print("|---|---|---|---|---|")
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for samples in sizes:
            wall, cpu, peak = measure(samples, Path(tmp))
            added = "-"
            if previous is not None:
                added = f"{(cpu - previous[1]) / (samples - previous[0]) * 1000:.1f} ms"
            print(
                f"| {samples:,} | {wall:.0f} s | {cpu:.1f} s | {added} | {peak:.0f} MB |",
                flush=True,
            )
            previous = (samples, cpu)


if __name__ == "__main__":
    main()
