"""The per-sample cost of `afscope run` on the organism at growing sizes (issue 11).

Runs the whole command (the Inspect eval with the monitor on, the log written, the summary read
back from the log) once per size, each in its own process on this tree's ``src`` (not whatever
the venv's editable install points at), and prints for each: wall time, the process's CPU time
(user + system), CPU per added sample against the size before, and the peak RSS. Target: CPU per
added sample within 20% across the sizes, peak RSS not growing with the log.

    .venv/bin/python benchmarks/scale_curve.py [--samples 200,2000,10000,20000] [--json FILE]

``--log-dir DIR`` keeps the runs' logs (``DIR/logs-N/``); ``--json FILE`` also writes the rows
and the commit they were measured at (``benchmarks/measured.py`` reads it).
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _commit import commit  # noqa: E402  (benchmarks/, the script's folder)
from afscope.queries import load_queries  # noqa: E402

# the CLI's entry point, run by this interpreter on this tree's sources
ENTRY = "import sys; from afscope.cli import main; sys.argv[0] = 'afscope'; main()"


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
    command = [
        sys.executable,
        "-c",
        ENTRY,
        "run",
        "--queries",
        str(queries),
        "--log-dir",
        str(folder / f"logs-{samples}"),
        "--json",
    ]
    return measured(command, f"afscope run over {samples} samples")


def measured(command: list[str], what: str) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one process running ``command`` on this tree's sources
    (``what`` names it if it fails)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        tail = errors.decode(errors="replace")[-2000:]
        raise SystemExit(f"{what} failed:\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="200,2000,10000,20000")
    parser.add_argument("--json", type=Path, help="also write the rows and commit to this file")
    parser.add_argument("--log-dir", type=Path, help="keep the runs' logs here (logs-N/ per size)")
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.samples.split(","))
    if not sizes or sizes[0] < 2:
        parser.error("--samples: sizes of at least 2 (each query is asked in both tiers)")
    measured_at = commit()
    print(f"at {measured_at}")
    print("| samples | wall (under load) | CPU | CPU per added sample | peak RSS |")
    print("|---|---|---|---|---|")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) if args.log_dir is None else args.log_dir
        folder.mkdir(parents=True, exist_ok=True)
        for samples in sizes:
            wall, cpu, peak = measure(samples, folder)
            added_ms = None
            if rows:
                before = rows[-1]
                added_ms = (cpu - before["cpu_s"]) / (samples - before["samples"]) * 1000
            rows.append(
                {
                    "samples": samples,
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "added_cpu_ms": added_ms,
                    "peak_rss_mb": peak,
                }
            )
            added = "-" if added_ms is None else f"{added_ms:.1f} ms"
            print(
                f"| {samples:,} | {wall:.0f} s | {cpu:.1f} s | {added} | {peak:.0f} MB |",
                flush=True,
            )
            if args.json is not None:  # after every size, so a long run keeps what it measured
                data = {"benchmark": "scale_curve", "commit": measured_at, "rows": rows}
                args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
