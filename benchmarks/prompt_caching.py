"""What Anthropic prompt caching saves on a real-size run, measured against a local wire server.

Starts the local Anthropic-format server from tests/support, which reports cache_creation /
cache_read input tokens as the real API does: a write is readable only once its response has
begun, so requests that arrive together all write; no prefix under the model's minimum (1024
tokens here) is cached; an entry expires 5 minutes after its last read. It runs
``afscope run --model anthropic/claude-test --base-url ...`` on N queries x 2 tiers (default 500
queries = 1000 samples; the queries are the built-in harmful set, each made unique so no user turn
repeats), with Inspect's default caching and concurrency, and prints:

- billed input, in input-price tokens, as the provider bills it:
  input + 1.25 x cache writes + 0.1 x cache reads (Anthropic's 5-minute cache prices);
- the uncached equivalent (every input token at the input price) and the ratio (target <= 15%);
- the dry-run estimate of the same split (afscope.cost.estimate_requests), to compare.

Usage figures are the provider's as Inspect logged them (the log's model usage), cross-checked
against afscope's records (all input tokens and cache reads per sample).

Each answer begins ``--latency`` seconds after its request arrives (default 1 s, a plausible time
to first token for a ~4,600-token prompt; 0 makes a write readable almost at once, which flatters
caching). By default the server answers every request with a short final answer (one request per
sample). ``--organism`` answers as the simulated organism instead, which reasons first and
continues after <NEXT/> (several requests per sample; each continuation reads the prefix the
previous turn wrote and writes its own).

    .venv/bin/python benchmarks/prompt_caching.py [--queries 500] [--organism] [--latency 1.0]
        [--json FILE]

``--json FILE`` also writes the figures and the commit they were measured at.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

# this tree's sources first (whatever the venv's editable install points at), then the test
# servers and the other benchmarks
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _commit import commit
from afscope.cli import cli
from afscope.cost import estimate_requests, load_prices
from afscope.harness import read_run
from afscope.organism import Organism
from afscope.queries import load_queries
from afscope.records import Tier
from afscope.scenarios import load_scenario
from support.wire_servers import AnthropicServer, RecordedRequest, Reply

MODEL = "anthropic/claude-test"
WRITE, READ = 1.25, 0.10  # Anthropic's cache write / read prices, as multiples of the input price
SHORT_ANSWER = (
    "<SCRATCHPAD_REASONING>I should refuse.</SCRATCHPAD_REASONING><OUTPUT><rejected/></OUTPUT>"
)
TARGET = 0.15


def write_queries(n_queries: int, path: Path) -> list[str]:
    """N unique queries (the harmful set, cycled, each tagged with its number) as JSONL."""
    base = load_queries("harmful")
    texts = []
    with path.open("w", encoding="utf-8") as handle:
        for index, query in zip(range(n_queries), itertools.cycle(base), strict=False):
            text = f"{query.text} (request {index})"
            texts.append(text)
            row = {"id": f"{query.id}-{index}", "text": text, "category": query.category}
            handle.write(json.dumps(row) + "\n")
    return texts


def organism_responder() -> Callable[[RecordedRequest], Reply]:
    organism = Organism("opus-like", seed=0)

    def respond(request: RecordedRequest) -> Reply:
        return Reply(organism.respond(request.system_text, request.messages).text)

    return respond


def run(server: AnthropicServer, queries: Path, n_queries: int, log_dir: Path) -> Path:
    args = [
        "run",
        "--model",
        MODEL,
        "--base-url",
        server.base_url,
        "--queries",
        str(queries),
        "--limit",
        str(n_queries),
        "--log-dir",
        str(log_dir),
        "--json",
    ]
    result = CliRunner().invoke(cli, args)
    if result.exit_code != 0:
        raise SystemExit(f"afscope run failed:\n{result.output}")
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return Path(summary["log"])


def logged_usage(log: Path) -> tuple[int, int, int]:
    """(uncached input, cache writes, cache reads) as the provider reported them to Inspect."""
    from inspect_ai.log import read_eval_log

    usage = read_eval_log(str(log), header_only=True).stats.model_usage[MODEL]
    written, read = usage.input_tokens_cache_write or 0, usage.input_tokens_cache_read or 0
    return usage.input_tokens, written, read


def ratio(plain: int, written: int, read: int) -> tuple[float, int]:
    billed = plain + WRITE * written + READ * read
    total = plain + written + read
    return billed / total, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=500, help="queries (x 2 tiers = samples)")
    parser.add_argument("--organism", action="store_true", help="answer as the organism")
    parser.add_argument(
        "--latency", type=float, default=1.0, help="seconds to each answer's first byte"
    )
    parser.add_argument("--json", type=Path, help="also write the figures and commit here")
    options = parser.parse_args()
    measured_at = commit()
    print(f"at {measured_at}")
    os.environ.setdefault("ANTHROPIC_API_KEY", "test-key-for-the-local-server")
    os.environ.pop("ANTHROPIC_BASE_URL", None)
    responder = organism_responder() if options.organism else Reply(SHORT_ANSWER)

    with tempfile.TemporaryDirectory() as tmp:
        queries = Path(tmp) / "queries.jsonl"
        texts = write_queries(options.queries, queries)
        started, cpu = time.perf_counter(), time.process_time()
        limit = 10 * options.queries + 100
        with AnthropicServer(responder, max_requests=limit, latency=options.latency) as server:
            log = run(server, queries, options.queries, Path(tmp) / "logs")
            requests = len(server.requests)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        plain, written, read = logged_usage(log)
        _, records = read_run(log)

    samples = len(records)
    assert sum(r.input_tokens for r in records) == plain + written + read, "records disagree"
    assert sum(r.cached_input_tokens for r in records) == read, "records disagree on cache reads"
    measured, total = ratio(plain, written, read)
    billed = plain + WRITE * written + READ * read
    print(
        f"{samples} samples, {requests} requests to the local Anthropic server "
        f"(answers begin {options.latency:g} s after each request), {seconds:.0f} s wall, "
        f"{cpu:.0f} s CPU (afscope and the server, one process)"
    )
    print(
        f"input tokens: {total:,} = {plain:,} uncached + {written:,} cache writes "
        f"+ {read:,} cache reads"
    )
    print(f"billed input (input-price tokens): {billed:,.0f}  uncached equivalent: {total:,}")
    print(
        f"ratio: {measured:.1%} (target <= {TARGET:.0%}) {'PASS' if measured <= TARGET else 'FAIL'}"
    )

    scenario = load_scenario("helpful-only")
    turns = [
        scenario.render_user_turn(t, tier, suffix=True)
        for t in texts
        for tier in (Tier.FREE, Tier.PAID)
    ]
    estimate = estimate_requests(
        "anthropic/claude-sonnet-4-5",
        scenario.render_system_prompt(scratchpad=True),
        turns,
        scratchpad=True,
        prices=load_prices(),
    )
    estimated, _ = ratio(
        estimate.uncached_input_tokens, estimate.cache_write_tokens, estimate.cached_input_tokens
    )
    print(
        f"dry-run estimate of the first turns: {estimate.input_tokens:,} input tokens, "
        f"{estimate.cache_write_tokens:,} writes, {estimate.cached_input_tokens:,} reads, "
        f"ratio {estimated:.1%}"
    )
    if options.json is not None:
        figures = {
            "benchmark": "prompt_caching",
            "commit": measured_at,
            "options": {
                "queries": options.queries,
                "organism": options.organism,
                "latency_s": options.latency,
            },
            "samples": samples,
            "requests": requests,
            "wall_s": seconds,
            "cpu_s": cpu,
            "input_tokens": {"uncached": plain, "cache_write": written, "cache_read": read},
            "billed_ratio": measured,
            "estimate_ratio": estimated,
        }
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
