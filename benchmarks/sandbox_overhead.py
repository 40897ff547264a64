"""Bubblewrap sandbox overhead: sandbox start-up, and per-command cost over running on the host.

Start-up = creating a sample's sandbox (work directory seeded with the exfiltration environment's
files) plus its first command; per command = the median wall time of ``true`` run in the sandbox
(a fresh bwrap each time, limits and disk watch included) minus the same on the host.

    .venv/bin/python benchmarks/sandbox_overhead.py [--commands 200] [--samples 20]

Target: < 50 ms per command on 2 cores, so a 1,000-sample agentic run is bounded by the model.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from afscope.agentic import load_environment
from afscope.sandbox import Sandbox


async def main(commands: int, samples: int) -> None:
    files = dict(load_environment("exfiltration").files)
    starts = []
    for _ in range(samples):
        began = time.perf_counter()
        box = Sandbox.create(files)
        await box.run(["true"])
        starts.append(time.perf_counter() - began)
        box.cleanup()
    box = Sandbox.create(files)
    inside, host = [], []
    for _ in range(commands):
        began = time.perf_counter()
        await box.run(["true"])
        inside.append(time.perf_counter() - began)
        began = time.perf_counter()
        process = await asyncio.create_subprocess_exec("true")
        await process.wait()
        host.append(time.perf_counter() - began)
    box.cleanup()
    med = statistics.median
    print(
        f"sandbox start-up (create + first command): median {med(starts) * 1000:.1f} ms "
        f"over {samples} samples"
    )
    print(
        f"per command in sandbox: median {med(inside) * 1000:.1f} ms, "
        f"p95 {sorted(inside)[int(0.95 * len(inside))] * 1000:.1f} ms"
    )
    print(f"per command on host: median {med(host) * 1000:.1f} ms")
    overhead = (med(inside) - med(host)) * 1000
    print(
        f"overhead per command: {overhead:.1f} ms (target < 50 ms): "
        f"{'met' if overhead < 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.commands, args.samples))
