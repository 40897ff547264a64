"""Prompt caching is on by default, and the dry-run estimate matches what a provider reports.

Runs `afscope run` against the local Anthropic-format server, which accounts cache writes and
reads like the real API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.cost import cost_of_usage, estimate_requests
from afscope.cost._prices import parse_prices
from afscope.harness import read_run
from afscope.queries import first_queries, load_queries
from afscope.records import Tier
from afscope.scenarios import load_scenario
from support.wire_servers import AnthropicServer, Reply

ANSWER = "<SCRATCHPAD_REASONING>No.</SCRATCHPAD_REASONING><OUTPUT><rejected/></OUTPUT>"
PRICES = parse_prices(
    'models: {"anthropic/claude-test": {input: 3, cached_input: 0.3, cache_write: 3.75, '
    "output: 15, caching: explicit}}",
    source="test.yaml",
)


def test_caching_is_on_by_default_and_the_estimate_matches_reported_usage(
    anthropic_server: Callable[..., AnthropicServer], tmp_path: Path
) -> None:
    server = anthropic_server(Reply(ANSWER))
    args = [
        "run",
        "--model",
        "anthropic/claude-test",
        "--base-url",
        server.base_url,
        "--limit",
        "4",
        # one request at a time, as the estimate assumes: the real API (and the server) makes
        # a cache write readable only once its response has begun, so concurrent first
        # requests would all write
        "--max-connections",
        "1",
        "--json",
        "--log-dir",
        str(tmp_path),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    _, records = read_run(json.loads(result.stdout.strip().splitlines()[-1])["log"])

    # Inspect's default (cache_prompt unset = on) marks the system prompt in every request
    assert len(server.requests) == 8
    for request in server.requests:
        system = request.body["system"]
        assert isinstance(system, list)
        assert system[-1]["cache_control"]["type"] == "ephemeral"

    scenario = load_scenario("helpful-only")
    system_prompt = scenario.render_system_prompt(scratchpad=True)
    turns = [
        scenario.render_user_turn(query.text, tier, suffix=True)
        for query in first_queries(load_queries("harmful"), 4)
        for tier in (Tier.FREE, Tier.PAID)
    ]
    estimate = estimate_requests(
        "anthropic/claude-test", system_prompt, turns, scratchpad=True, prices=PRICES
    )
    used_input = sum(r.input_tokens for r in records)
    cache_reads = sum(r.cached_input_tokens for r in records)
    # the server counts tokens as ceil(chars / 4), the estimate as floor: within a token a block
    assert used_input == pytest.approx(estimate.input_tokens, abs=2 * len(turns))
    assert cache_reads == pytest.approx(estimate.cached_input_tokens, abs=len(turns))
    assert cache_reads >= 7 * (len(system_prompt) // 4)  # all requests after the first read it
    # what the run cost with caching (records do not keep writes: billed as plain input here)
    usd = cost_of_usage(
        "anthropic/claude-test",
        input_tokens=used_input,
        cached_input_tokens=cache_reads,
        cache_write_tokens=0,
        output_tokens=sum(r.output_tokens for r in records),
        prices=PRICES,
    )
    assert usd is not None and estimate.usd_uncached is not None
    assert usd < 0.5 * estimate.usd_uncached
