"""afscope's overhead over a bare Inspect task, on the simulated organism (no network).

Runs N samples (default 1000: 500 queries x 2 tiers) through afscope's task (samples, the <NEXT/>
loop, parsing and the outcome score) and through a bare Inspect task that sends the same prompts to
the same provider with a plain generate() and no scorer, in one process, alternating the order over
several rounds; prints samples/s for each and the ratio. Target: overhead at most 10%.

    .venv/bin/python benchmarks/run_overhead.py [--samples 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.solver import generate

from afscope.harness import alignment_faking
from afscope.queries import Query, load_queries


def _queries(n_queries: int) -> list[Query]:
    base = load_queries("harmful")
    return [
        Query(id=f"{q.id}-{i}", text=q.text, category=q.category, source=q.source)
        for i, q in zip(range(n_queries), itertools.cycle(base), strict=False)
    ]


def _write_queries(queries: list[Query], path: str) -> None:
    import json

    with open(path, "w", encoding="utf-8") as handle:
        for q in queries:
            handle.write(json.dumps({"id": q.id, "text": q.text, "category": q.category}) + "\n")


def _timed(task: Task, log_dir: str) -> float:
    start = time.perf_counter()
    logs = inspect_eval(
        task, model="organism/opus-like", log_dir=log_dir, display="none", max_connections=64
    )
    elapsed = time.perf_counter() - start
    assert logs[0].status == "success", logs[0].error
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    queries = _queries(args.samples // 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/queries.jsonl"
        _write_queries(queries, path)
        afscope_task = alignment_faking(queries=path)
        # the bare task: the very same first-turn prompts, a plain generate, no loop, no scorer
        bare_samples = [
            Sample(id=s.id, input=s.input) for s in afscope_task.dataset
        ]
        bare_task = Task(dataset=MemoryDataset(bare_samples), solver=generate(), name="bare")
        _timed(bare_task, tmp)  # warm up imports and the provider
        afscope_times, bare_times = [], []
        for round_index in range(args.rounds):
            order = [("afscope", afscope_task), ("bare", bare_task)]
            if round_index % 2:
                order.reverse()
            for name, task in order:
                seconds = _timed(task, tmp)
                (afscope_times if name == "afscope" else bare_times).append(seconds)
    n = len(bare_samples)
    afscope_rate = n / statistics.median(afscope_times)
    bare_rate = n / statistics.median(bare_times)
    print(f"samples per run: {n}, rounds: {args.rounds} (median time per run)")
    print(f"bare Inspect task : {bare_rate:8.1f} samples/s")
    print(f"afscope task      : {afscope_rate:8.1f} samples/s")
    print(f"ratio afscope/bare: {afscope_rate / bare_rate:.3f} "
          f"(overhead {100 * (bare_rate / afscope_rate - 1):.1f}%; target <= 10%)")


if __name__ == "__main__":
    main()
