"""Speed, load time, memory and out-of-source figures of the local monitor.

    .venv/bin/python benchmarks/monitor_bench.py [--n 2000]

Speed and memory are measured in a fresh child process pinned to (at most) two CPU cores, so the
numbers include imports and nothing else from this script. The texts are the shared labelled
scratchpads when ../shared/data is present (repeated to --n), else generated corpus texts.
Targets: at least 50 scratchpads/s wall and 200 per CPU-second (evidence off, as everything but
the flagged rows scores), load under 3 s, peak RSS under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "af_labelled"

_CHILD = r"""
import json, os, resource, sys, time
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
start = time.perf_counter()
from afscope.monitor import load_monitor
monitor = load_monitor()
load_s = time.perf_counter() - start
texts = json.load(sys.stdin)
def run(evidence):
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), 64):
        monitor.score(texts[i : i + 64], evidence=evidence)
    return len(texts) / (time.perf_counter() - wall), len(texts) / (time.process_time() - cpu)
per_s, per_cpu_s = run(False)
evidence_per_s, evidence_per_cpu_s = run(True)
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": load_s, "per_s": per_s, "per_cpu_s": per_cpu_s,
                  "evidence_per_cpu_s": evidence_per_cpu_s, "rss_mb": rss_mb,
                  "mean_chars": sum(map(len, texts)) / len(texts)}))
"""


def _texts(n: int, shared: Path) -> list[str]:
    path = shared / "mixed_180.json"
    if path.is_file():
        base = [row["text"] for row in json.loads(path.read_text())["samples"]]
    else:
        from afscope.monitor._corpus import build_corpus

        base = [item.text for item in build_corpus(per_recipe=10, seed=99)]
    return [base[i % len(base)] for i in range(n)]


def speed(n: int, shared: Path) -> dict[str, float]:
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(_texts(n, shared)),
        text=True,
        capture_output=True,
        check=True,
        env=env,
    )
    result: dict[str, float] = json.loads(child.stdout)
    return result


def evaluation(shared: Path) -> None:
    from afscope.monitor import load_monitor
    from afscope.monitor._io import iter_labelled
    from afscope.monitor._metrics import figures

    monitor = load_monitor()
    print("(these sets are in the training data of monitor 2: in-sample figures, not transfer)")
    for name in ("mixed_180.json", "sycophant_organism_319.json"):
        path = shared / name
        if not path.is_file():
            print(f"{name}: not present, skipped")
            continue
        rows = list(iter_labelled(path))
        scores = [r.score for r in monitor.score([row.text for row in rows])]
        fig = figures(scores, [row.label for row in rows], monitor.threshold)
        print(f"{name}: {json.dumps(fig.to_dict())}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the local monitor.")
    parser.add_argument("--n", type=int, default=2000, help="scratchpads to score")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the af_labelled directory")
    args = parser.parse_args()
    figures = speed(args.n, args.shared)
    print(f"load (import + artefact): {figures['load_s']:.2f} s   (target < 3 s)")
    print(
        f"throughput on <= 2 cores: {figures['per_s']:.0f} scratchpads/s wall, "
        f"{figures['per_cpu_s']:.0f} per CPU-second without evidence (as `monitor score`, "
        f"`eval`, `scan` and a run score; target >= 200), {figures['evidence_per_cpu_s']:.0f} "
        f"per CPU-second with evidence (mean {figures['mean_chars']:.0f} chars)"
    )
    print(f"peak RSS: {figures['rss_mb']:.0f} MB   (target < 1024 MB)")
    evaluation(args.shared)


if __name__ == "__main__":
    main()
