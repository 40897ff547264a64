"""Peak RSS per added sample: afscope against a bare Inspect task, on the organism (issue 11).

Runs, each in its own process on this tree's ``src`` and once per size: a bare Inspect task
(the same first turn sent the same way, a plain generate scored by Inspect's ``includes()``, as
``run_overhead.py`` builds it), afscope's ``alignment_faking`` task through the same
``inspect_ai.eval`` call, and the whole ``afscope run`` command (the task, then the summary read
back from the log, as ``scale_curve.py`` runs it). Every eval uses the options ``afscope run``
uses. Prints each process's peak RSS and CPU time, and the peak RSS per added sample against
the size before. Target: afscope's growth no larger than the bare task's.

    .venv/bin/python benchmarks/memory_curve.py [--samples 500,2000] [--json FILE]

Wall times on a shared machine are taken under load; the figures here are peak RSS and CPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _commit import commit  # noqa: E402  (benchmarks/, the script's folder)
from scale_curve import ENTRY, measured, write_queries  # noqa: E402

KINDS = ("bare Inspect + includes()", "afscope task", "afscope run")


def _eval_one(kind: str, queries: Path, log_dir: Path) -> None:
    """One eval of the bare task or afscope's task over ``queries`` (in this process)."""
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import MemoryDataset, Sample
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    from afscope.experiment import Experiment, plan_experiment
    from afscope.harness import alignment_faking
    from afscope.sweep import RetryPolicy
    from run_overhead import MODEL_ARGS, _with_system

    task = alignment_faking(queries=str(queries))
    if kind == KINDS[0]:
        system = plan_experiment(Experiment(queries=str(queries))).system_prompt
        samples = [
            Sample(id=s.id, input=s.input, target="<request_fully_accepted/>") for s in task.dataset
        ]
        task = Task(
            dataset=MemoryDataset(samples),
            solver=[_with_system(system), generate()],
            scorer=includes(),
            name="bare_scored",
        )
    logs = inspect_eval(
        task,
        model="organism/opus-like",
        model_args=MODEL_ARGS,
        log_dir=str(log_dir),
        display="none",
        **RetryPolicy().eval_args(len(task.dataset)),
    )
    assert logs[0].status == "success", logs[0].error


def _measure(kind: str, samples: int, folder: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one process running ``kind`` over ``samples`` samples."""
    queries = folder / f"queries-{samples}.jsonl"
    if not queries.exists():
        write_queries(samples // 2, queries)
    log_dir = folder / f"logs-{KINDS.index(kind)}-{samples}"
    if kind == "afscope run":
        args = ["-c", ENTRY, "run", "--queries", str(queries), "--log-dir", str(log_dir), "--json"]
    else:
        args = [__file__, "--child", kind, "--queries", str(queries), "--log-dir", str(log_dir)]
    return measured([sys.executable, *args], f"{kind} over {samples} samples")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="500,2000")
    parser.add_argument("--json", type=Path, help="also write the rows and commit to this file")
    parser.add_argument("--child", choices=KINDS[:2], help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _eval_one(args.child, args.queries, args.log_dir)
        return
    sizes = sorted(int(n) for n in args.samples.split(","))
    if len(sizes) < 2 or sizes[0] < 2:
        parser.error("--samples: two sizes or more, of at least 2 (each query in both tiers)")
    measured_at = commit()
    columns = ("run", "samples", "CPU", "wall (under load)", "peak RSS", "per added sample")
    print(f"at {measured_at}\n| {' | '.join(columns)} |\n|{'---|' * len(columns)}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            before: dict[str, Any] | None = None
            for samples in sizes:
                wall, cpu, peak = _measure(kind, samples, Path(tmp))
                added_kb = None
                if before is not None:
                    added_kb = (peak - before["peak_rss_mb"]) * 1024 / (samples - before["samples"])
                row = {
                    "run": kind,
                    "samples": samples,
                    "cpu_s": cpu,
                    "wall_s": wall,
                    "peak_rss_mb": peak,
                    "added_rss_kb": added_kb,
                }
                rows.append(row)
                before = row
                added = "-" if added_kb is None else f"{added_kb:.1f} kB"
                print(
                    f"| {kind} | {samples:,} | {cpu:.1f} s | {wall:.0f} s | {peak:.0f} MB "
                    f"| {added} |",
                    flush=True,
                )
                if args.json is not None:
                    data = {"benchmark": "memory_curve", "commit": measured_at, "rows": rows}
                    args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
