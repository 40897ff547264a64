"""CPU the organism spends reading a prompt: the system prompt's cues are read once per prompt.

A run sends the same ~18k-character system prompt to every sample and the organism reads the
prompt twice per continuation, so reading it per call was ~22% of a 1,000-query run (issue 11).
Prints CPU time (process time, not wall) per prompt reading over one run's samples.

    .venv/bin/python benchmarks/organism_reading.py [--queries 100]

Measured on a shared 2-core machine, 200 helpful-only samples: 4.97 ms CPU per reading before
the cache, 0.05 ms after.
"""

from __future__ import annotations

import argparse
import time

from afscope.experiment import Experiment, plan_experiment
from afscope.organism._reading import read_prompt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    plan = plan_experiment(Experiment(limit=args.queries))
    start = time.process_time()
    for sample in plan.samples:
        read_prompt(sample.system, [("user", sample.user)])
    per_call = (time.process_time() - start) / len(plan.samples) * 1000
    print(f"{per_call:.3f} ms CPU per prompt reading ({len(plan.samples)} samples)")


if __name__ == "__main__":
    main()
