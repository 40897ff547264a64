"""The batch path measured: `afscope run --batch` against the local OpenAI and Anthropic servers.

For each provider format, runs the same N queries x 2 tiers twice against a fresh local server
(tests/support), once synchronously and once with ``--batch`` (batches of ``--size`` requests,
Inspect polling every ``--tick`` seconds), and prints per run: wall and CPU time (this process:
afscope, Inspect and the server), HTTP requests by endpoint, requests answered inside batches,
and whether the batched run's records equal the synchronous run's.

The servers answer a batch in full when it is created and report it finished at the second poll,
so the wall time is afscope's and Inspect's own cost plus about two ticks per round of batches
(one round per model turn), not a provider's: real batch APIs take minutes to 24 hours.

By default the server answers every request with a short final answer (one request per sample);
``--organism`` answers as the simulated organism (reasoning, then <NEXT/> continuations: one batch
round per turn).

    .venv/bin/python benchmarks/batch_run.py [--queries 100] [--organism] [--size 200] [--tick 1]
        [--json FILE]

``--json FILE`` also writes the rows and the commit they were measured at.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner

# this tree's sources first (whatever the venv's editable install points at), then the test
# servers and the other benchmarks
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from afscope.cli import cli
from afscope.harness import read_run
from prompt_caching import SHORT_ANSWER, commit, organism_responder, write_queries
from support.wire_servers import AnthropicServer, OpenAIServer, Reply, WireServer

MODELS = {"anthropic": "anthropic/claude-test", "openai": "openai/gpt-4o-mini"}


def run_once(
    server: WireServer, model: str, queries: Path, n: int, log_dir: Path, *extra: str
) -> tuple[float, float, list[Any]]:
    args = ["run", "--model", model, "--base-url", server.base_url, "--queries", str(queries)]
    args += ["--limit", str(n), "--max-tokens", "4096", "--log-dir", str(log_dir), "--json"]
    started, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(cli, [*args, *extra])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.exit_code != 0:
        raise SystemExit(f"afscope run failed:\n{result.output}")
    log = json.loads(result.stdout.strip().splitlines()[-1])["log"]
    return wall, cpu, read_run(log)[1]


def comparable(records: list[Any]) -> dict[str, tuple[Any, ...]]:
    return {
        r.sample_id: (r.outcome, r.output, r.turns, r.input_tokens, r.output_tokens)
        for r in records
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=100, help="queries (x 2 tiers = samples)")
    parser.add_argument("--organism", action="store_true", help="answer as the organism")
    parser.add_argument("--size", type=int, default=None, help="requests per batch [samples]")
    parser.add_argument("--tick", type=float, default=1.0, help="Inspect's polling interval")
    parser.add_argument("--json", type=Path, help="also write the rows and commit here")
    options = parser.parse_args()
    measured_at = commit()
    rows: list[dict[str, Any]] = []
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
        os.environ.setdefault(variable, "test-key-for-the-local-server")
    for variable in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"):
        os.environ.pop(variable, None)
    samples = 2 * options.queries
    size = options.size or samples
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        queries = folder / "queries.jsonl"
        write_queries(options.queries, queries)
        config = folder / "batch.yaml"
        config.write_text(f"size: {size}\nsend_delay: {options.tick}\ntick: {options.tick}\n")
        with AnthropicServer(Reply(SHORT_ANSWER)) as server:  # imports and first use, untimed
            run_once(server, MODELS["anthropic"], queries, 1, folder / "warm-up")
        print(f"at {measured_at}")
        print(
            f"{samples} samples per run, batches of {size}, tick {options.tick:g} s, "
            f"{'organism' if options.organism else 'short'} answers; CPU of this process "
            "(afscope, Inspect and the server)"
        )
        for provider, server_class in (("anthropic", AnthropicServer), ("openai", OpenAIServer)):
            results = {}
            for mode in ("sync", "batch"):
                responder = organism_responder() if options.organism else Reply(SHORT_ANSWER)
                extra = ["--batch", str(config)] if mode == "batch" else []
                limit = 20 * samples + 100
                with server_class(responder, max_requests=limit) as server:
                    log_dir = folder / f"{provider}-{mode}"
                    n = options.queries
                    wall, cpu, records = run_once(
                        server, MODELS[provider], queries, n, log_dir, *extra
                    )
                    http = Counter(request.api for request in server.requests)
                    batched = len(server.batched)
                results[mode] = records
                rows.append(
                    {
                        "provider": provider,
                        "mode": mode,
                        "samples": len(records),
                        "wall_s": wall,
                        "cpu_s": cpu,
                        "http_requests": dict(http),
                        "batched_requests": batched,
                    }
                )
                endpoints = ", ".join(f"{api} {count}" for api, count in sorted(http.items()))
                print(
                    f"{provider} {mode}: {wall:.1f} s wall, {cpu:.1f} s CPU, "
                    f"{sum(http.values())} HTTP requests ({endpoints}), "
                    f"{batched} answered in batches, {len(records)} records"
                )
            same = comparable(results["sync"]) == comparable(results["batch"])
            print(f"{provider}: batched records equal the synchronous ones: {same}")
            rows[-1]["same_records_as_sync"] = same
    if options.json is not None:
        settings = {"queries": options.queries, "organism": options.organism, "size": size}
        data = {"benchmark": "batch_run", "commit": measured_at, "options": settings, "rows": rows}
        options.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
