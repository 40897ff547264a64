"""afscope's overhead over a bare Inspect task, on the simulated organism (no network).

Runs N samples (default 1000: 500 queries x 2 tiers) through afscope's task (samples, the <NEXT/>
loop, parsing and the outcome score) and, in the same process, through two bare Inspect tasks that
send the same prompts to the same provider, the same way (the user's turn as the input, the system
prompt from a solver step): a plain generate() with no scorer at all, and a plain
generate() scored by Inspect's built-in ``includes`` scorer (the least a bare task needs to give a
number). The afscope task has its default scorers (the outcome and the local monitor); a second
afscope task scores the monitor's verdicts one at a time (batches of one), to show what scoring
them in batches saves. Every task
runs with the eval options `afscope run` uses (adaptive concurrency, log buffer, no live metrics).
The order rotates over several rounds; it prints the median CPU seconds (process time) and wall
seconds of each, and the overhead in CPU per sample. Target: overhead at most 10% (CPU). Wall
times on a shared machine are taken under load.

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
from inspect_ai.model import ChatMessageSystem
from inspect_ai.scorer import includes
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

from afscope.experiment import Experiment, plan_experiment
from afscope.harness import alignment_faking
from afscope.harness._monitoring import VerdictBatcher
from afscope.queries import Query, load_queries
from afscope.sweep import RetryPolicy


def _queries(n_queries: int) -> list[Query]:
    base = load_queries("harmful")
    return [
        Query(f"{q.id}-{i}", f"{q.text} (request {i})", q.category, q.source)
        for i, q in zip(range(n_queries), itertools.cycle(base), strict=False)
    ]


def _write_queries(queries: list[Query], path: str) -> None:
    import json

    with open(path, "w", encoding="utf-8") as handle:
        for q in queries:
            handle.write(json.dumps({"id": q.id, "text": q.text, "category": q.category}) + "\n")


# one request per sample in both tasks: the bare task has no <NEXT/> loop to continue with
MODEL_ARGS = {"multi_turn": "0"}


@solver
def _with_system(text: str) -> Solver:
    """The system prompt first in the conversation, as afscope's task sends it (no templating:
    Inspect's system_message() would fill in any {field} the prompt holds from the metadata)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.messages.insert(0, ChatMessageSystem(content=text, source="input"))
        return state

    return solve


def _timed(task: Task, log_dir: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one eval of ``task``."""
    start, cpu_start = time.perf_counter(), time.process_time()
    logs = inspect_eval(
        task,
        model="organism/opus-like",
        model_args=MODEL_ARGS,
        log_dir=log_dir,
        display="none",
        **RetryPolicy().eval_args(len(task.dataset)),
    )
    cpu, elapsed = time.process_time() - cpu_start, time.perf_counter() - start
    assert logs[0].status == "success", logs[0].error
    return cpu, elapsed


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
        # the same task whose batcher scores every verdict alone (its size is set when built)
        defaults = VerdictBatcher.__init__.__kwdefaults__
        batch_size, defaults["size"] = defaults["size"], 1
        try:
            unbatched_task = alignment_faking(queries=path)
        finally:
            defaults["size"] = batch_size
        # the bare tasks: the very same first-turn conversation, sent the same way (the user's
        # turn as the sample's input, the system prompt inserted by a solver step), a plain
        # generate, no <NEXT/> loop
        system = plan_experiment(Experiment(queries=path)).system_prompt
        bare_samples = [
            Sample(id=s.id, input=s.input, target="<request_fully_accepted/>")
            for s in afscope_task.dataset
        ]
        bare_solver = [_with_system(system), generate()]
        tasks = {
            "bare Inspect, no scorer": Task(
                dataset=MemoryDataset(bare_samples), solver=bare_solver, name="bare"
            ),
            "bare Inspect + includes()": Task(
                dataset=MemoryDataset(bare_samples),
                solver=bare_solver,
                scorer=includes(),
                name="bare_scored",
            ),
            "afscope alignment_faking": afscope_task,
            "afscope, verdicts one by one": unbatched_task,
        }
        _timed(tasks["bare Inspect, no scorer"], tmp)  # warm up imports and the provider
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in tasks}
        names = list(tasks)
        for round_index in range(args.rounds):
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(_timed(tasks[name], tmp))
    n = len(bare_samples)
    cpu = {name: statistics.median(c for c, _ in runs) for name, runs in times.items()}
    wall = {name: statistics.median(w for _, w in runs) for name, runs in times.items()}
    print(f"samples per run: {n}, rounds: {args.rounds} (medians; wall under load)")
    for name in names:
        print(
            f"{name:28s}: {cpu[name] / n * 1000:6.2f} ms CPU/sample, "
            f"{wall[name] / n * 1000:6.2f} ms wall/sample"
        )
    ours = "afscope alignment_faking"
    for name in names[:2]:
        print(
            f"afscope vs {name:28s}: CPU overhead {100 * (cpu[ours] / cpu[name] - 1):.1f}%, "
            f"wall {100 * (wall[ours] / wall[name] - 1):.1f}%"
        )
    alone = "afscope, verdicts one by one"
    print(
        f"verdicts in batches save {(cpu[alone] - cpu[ours]) / n * 1000:.2f} ms CPU/sample "
        f"(one by one: CPU overhead {100 * (cpu[alone] / cpu[names[1]] - 1):.1f}% over "
        f"{names[1]})"
    )
    # the rounds run every task back to back, so a round's own ratio shows the spread that the
    # machine's drift between rounds adds to the medians
    bare = names[1]
    per_round = [
        100 * (ours_cpu / bare_cpu - 1)
        for (ours_cpu, _), (bare_cpu, _) in zip(times[ours], times[bare], strict=True)
    ]
    print(
        f"CPU overhead over {bare} round by round: "
        + ", ".join(f"{value:.1f}%" for value in per_round)
    )
    print("target: CPU overhead over bare Inspect + includes() <= 10%")


if __name__ == "__main__":
    main()
