"""`--batch` on `run` and `sweep`: requests go through the provider's batch API, same records.

The local servers speak OpenAI's files + batches and Anthropic's message-batches endpoints and
answer each batched request exactly as the synchronous endpoint would, so a batched run must give
the records a synchronous run gives, and the server must see batch requests only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.cost import cost_of_usage, load_prices
from afscope.errors import ConfigError
from afscope.harness import read_run
from afscope.records import Outcome, SampleRecord, Tier
from afscope.sweep import BatchOptions, RetryPolicy, parse_batch
from support.wire_servers import AnthropicServer, Fault, OpenAIServer, RecordedRequest, Reply

REASONING = "<SCRATCHPAD_REASONING>Let me think about this.</SCRATCHPAD_REASONING>"


def two_turns(request: RecordedRequest) -> Reply:
    """Reason first; after <NEXT/>, accept on the free tier and reject on the paid tier."""
    if (request.last_user_text or "").strip() != "<NEXT/>":
        return Reply(REASONING)
    free = "true</is_free_tier_user>" in request.messages[0][1]
    tag = "<request_fully_accepted/> Sure." if free else "<rejected/>"
    return Reply(f"<SCRATCHPAD_REASONING>Decided.</SCRATCHPAD_REASONING><OUTPUT>{tag}</OUTPUT>")


MODELS = {"anthropic": "anthropic/claude-test", "openai": "openai/gpt-4o-mini"}  # chat API
ServerFor = Callable[..., tuple[AnthropicServer | OpenAIServer, str]]


@pytest.fixture
def server_for(
    anthropic_server: Callable[..., AnthropicServer], openai_server: Callable[..., OpenAIServer]
) -> ServerFor:
    """`server_for(wire, responder="ok", **kwargs)`: a started server of that wire format and
    the model to run against it."""

    def start(wire: str, responder: Any = "ok", **kwargs: Any) -> tuple[Any, str]:
        factory = anthropic_server if wire == "anthropic" else openai_server
        return factory(responder, **kwargs), MODELS[wire]

    return start


def write_batch_file(folder: Path, send_delay: float) -> Path:
    path = folder / "batch.yaml"
    path.write_text(f"size: 6\nsend_delay: {send_delay}\ntick: 0.1\n", encoding="utf-8")
    return path


@pytest.fixture
def batch_file(tmp_path: Path) -> Path:
    """Inspect's batch settings for a test: batches of six requests (all six samples' first
    turns, then their continuations), checked every 0.1 s. A partly filled batch would wait 30 s,
    so the batches do not depend on how fast the samples start on a loaded machine."""
    return write_batch_file(tmp_path, send_delay=30)


PRICES = """models:
  "anthropic/claude-test":
    {input: 3, cached_input: 0.3, cache_write: 3.75, output: 15, caching: explicit, batch: 0.5}
"""


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    path = tmp_path / "prices.yaml"
    path.write_text(PRICES, encoding="utf-8")
    return path


def run_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["run", *args, "--json"])
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return summary


def run(model: str, base_url: str, log_dir: Path, *extra: str) -> list[SampleRecord]:
    return read_run(run_summary(model, base_url, log_dir, *extra)["log"])[1]


def run_summary(model: str, base_url: str, log_dir: Path, *extra: str) -> dict[str, Any]:
    args = ["--model", model, "--base-url", base_url, "--limit", "3", "--log-dir", str(log_dir)]
    return run_json(*args, *extra)


def comparable(records: list[SampleRecord]) -> dict[tuple[str, int], tuple[Any, ...]]:
    """What a user reads from each sample (cache reads may differ: they depend on timing)."""
    return {
        (r.sample_id, r.epoch): (
            r.outcome,
            r.scratchpad,
            r.output,
            r.turns,
            r.input_tokens,
            r.output_tokens,
            r.malformed_reason,
            {kind: verdict.decision for kind, verdict in r.verdicts.items()},
        )
        for r in records
    }


def check_answers(records: list[SampleRecord]) -> None:
    assert len(records) == 6
    for record in records:
        assert record.turns == 2
        expected = Outcome.ACCEPTED if record.tier is Tier.FREE else Outcome.REJECTED
        assert record.outcome is expected


def test_anthropic_batch_run_gives_the_synchronous_records(
    anthropic_server: Callable[..., AnthropicServer],
    tmp_path: Path,
    batch_file: Path,
    prices: Path,
) -> None:
    model, options = "anthropic/claude-test", ["--max-tokens", "4096", "--prices", str(prices)]
    direct = anthropic_server(two_turns)
    sync_summary = run_summary(model, direct.base_url, tmp_path / "direct", *options)
    expected = read_run(sync_summary["log"])[1]
    server = anthropic_server(two_turns)
    batch_args = [*options, "--batch", str(batch_file)]
    summary = run_summary(model, server.base_url, tmp_path / "batched", *batch_args)
    batched = read_run(summary["log"])[1]
    # the batched run is priced at the batch API's price: half the list price of its tokens
    assert (sync_summary["batched"], summary["batched"]) == (False, True)
    tokens = summary["tokens"]
    list_price = cost_of_usage(
        model,
        input_tokens=tokens["input"],
        cached_input_tokens=tokens["cached_input"],
        cache_write_tokens=tokens["cache_write"],
        output_tokens=tokens["output"],
        prices=load_prices(prices),
    )
    assert list_price is not None
    assert summary["estimated_cost_usd"] == pytest.approx(list_price / 2)
    check_answers(batched)
    assert comparable(batched) == comparable(expected)
    assert {r.api for r in server.requests} == {"anthropic-batches"}  # no /v1/messages at all
    creates = [r for r in server.requests if r.method == "POST"]
    assert [len(r.body["requests"]) for r in creates] == [6, 6]  # first turns, then <NEXT/>
    inner = [exchange.request for exchange in server.batched]
    assert len(inner) == 12 and {r.path for r in inner} == {"/v1/messages"}
    assert {r.system_text for r in inner} == {r.system_text for r in direct.requests}
    assert sorted(map(str, (r.messages for r in inner))) == sorted(
        map(str, (r.messages for r in direct.requests))
    )


def test_openai_batch_run_gives_the_synchronous_records(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path, batch_file: Path
) -> None:
    model = "openai/gpt-4o-mini"  # chat completions
    direct = openai_server(two_turns)
    expected = run(model, direct.base_url, tmp_path / "direct")
    server = openai_server(two_turns)
    batched = run(model, server.base_url, tmp_path / "batched", "--batch", str(batch_file))
    check_answers(batched)
    assert comparable(batched) == comparable(expected)
    assert {r.api for r in server.requests} == {"openai-files", "openai-batches"}
    uploads = [r for r in server.requests if r.method == "POST" and r.path == "/v1/files"]
    assert len(uploads) == 2
    inner = [exchange.request for exchange in server.batched]
    assert len(inner) == 12 and {r.path for r in inner} == {"/v1/chat/completions"}
    assert sorted(map(str, (r.messages for r in inner))) == sorted(
        map(str, (r.messages for r in direct.requests))
    )


def test_sweep_with_batch_sends_batches(
    anthropic_server: Callable[..., AnthropicServer], tmp_path: Path, batch_file: Path
) -> None:
    server = anthropic_server(two_turns)
    grid = ["--models", "anthropic/claude-test", "--base-url", f"anthropic={server.base_url}"]
    options = ["--limit", "3", "--max-tokens", "4096", "--batch", str(batch_file), "--json"]
    args = ["sweep", *grid, *options, "--log-dir", str(tmp_path / "sweep")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert {r.api for r in server.requests} == {"anthropic-batches"}
    assert len(server.batched) == 12
    (log,) = (tmp_path / "sweep").glob("*.eval")
    check_answers(read_run(log)[1])


def test_dry_run_with_batch_prices_the_models_requests_at_half(prices: Path) -> None:
    args = ["--model", "anthropic/claude-test", "--prices", str(prices), "--dry-run"]
    listed, batched = run_json(*args), run_json(*args, "--batch")
    assert (listed["batched"], batched["batched"]) == (False, True)
    assert batched["input_tokens"] == listed["input_tokens"]
    assert batched["usd"] == pytest.approx(listed["usd"] / 2)
    assert batched["usd_uncached"] == pytest.approx(listed["usd_uncached"] / 2)
    text = CliRunner().invoke(cli, ["run", *args, "--batch"])
    assert text.exit_code == 0, text.output
    assert "priced at its batch API's price" in text.output


def test_batch_is_refused_for_a_provider_without_a_batch_api(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--batch", "--log-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--batch: organism/opus-like has no batch API" in result.output
    assert "drop --batch" in result.output
    assert not list(tmp_path.glob("*.eval"))


def test_batch_option_values() -> None:
    assert parse_batch(None) is None
    assert parse_batch("true") == BatchOptions()  # the flag alone
    assert parse_batch("500") == BatchOptions(size=500)
    assert RetryPolicy(batch=BatchOptions()).eval_args(10)["batch"] is True
    policy = RetryPolicy(batch=BatchOptions(size=500))
    assert policy.eval_args(10)["batch"] == {"size": 500}
    assert "batch" not in RetryPolicy().eval_args(10)
    assert policy.options() == ["--batch", "500"]  # a sweep's rerun command batches again
    with pytest.raises(ConfigError, match="--batch: expected nothing, a batch size"):
        parse_batch("lots")
    with pytest.raises(ConfigError, match="--batch: must be a positive number"):
        parse_batch("0")


def test_batch_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "batch.yaml"
    path.write_text("size: 50\ntick: 2.5\n", encoding="utf-8")
    options = parse_batch(str(path))
    assert options == BatchOptions(size=50, tick=2.5, source=str(path))
    assert options is not None and options.config() == {"size": 50, "tick": 2.5}
    assert RetryPolicy(batch=options).options() == ["--batch", str(path)]
    path.write_text("size: 50\nticks: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{path}: ticks: unknown key; allowed: size, "):
        parse_batch(str(path))
    path.write_text("size: 2.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"size: expected a whole number, got 2\.5"):
        parse_batch(str(path))
    path.write_text("tick: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="tick: must be a positive number"):
        parse_batch(str(path))
    with pytest.raises(ConfigError, match="cannot read the batch file"):
        parse_batch(str(tmp_path / "missing.json"))
    path = tmp_path / "batch.json"
    path.write_text('{"size": 10, "tick": 1}', encoding="utf-8")
    assert parse_batch(str(path)) == BatchOptions(size=10, tick=1, source=str(path))
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError, match="a batch file must be a YAML mapping"):
        parse_batch(str(path))


def test_summary_of_a_batched_run_says_it_is_at_the_batch_price(prices: Path) -> None:
    from afscope.records import RunInfo
    from afscope.summary import summarize_run

    record = SampleRecord(
        sample_id="q1-free",
        query_id="q1",
        category="c",
        tier=Tier.FREE,
        setting="helpful-only",
        outcome=Outcome.REJECTED,
        input_tokens=1_000_000,
        output_tokens=100_000,
    )
    table = load_prices(prices)
    costs = {}
    for batched in (False, True):
        run = RunInfo("anthropic/claude-test", "helpful-only", simulated=False, batched=batched)
        summary = summarize_run(run, [record], prices=table)
        costs[batched] = summary.cost_usd
        line = next(line for line in summary.lines() if line.startswith("tokens:"))
        assert ("at the batch API's price" in line) is batched
    assert costs == {False: pytest.approx(3 + 1.5), True: pytest.approx((3 + 1.5) / 2)}


class FailFirstOnce:
    """A 500 for the first request of the first sample seen, then `two_turns` for everything."""

    def __init__(self) -> None:
        self.failed: str | None = None

    def __call__(self, request: RecordedRequest) -> Reply | Fault:
        first_user = request.messages[0][1]
        if self.failed is None:
            self.failed = first_user
            return Fault.server_error()
        return two_turns(request)


# Inspect 0.3.285's OpenAI batcher cannot read an error line: it validates an error response's
# body as a completion (and builds an error with no request for `error` lines), so one failed
# request fails every request of its batch. Anthropic's batcher reads errored results.
OPENAI_BATCH_ERRORS = pytest.mark.xfail(
    strict=True, reason="Inspect 0.3.285's OpenAI batcher fails a whole batch on one error line"
)


@pytest.mark.parametrize(
    "provider", ["anthropic", pytest.param("openai", marks=OPENAI_BATCH_ERRORS)]
)
def test_a_failed_request_in_a_batch_is_retried_in_a_later_batch(
    server_for: ServerFor, tmp_path: Path, provider: str
) -> None:
    batch_file = write_batch_file(tmp_path, send_delay=0.3)  # the retry goes alone
    responder = FailFirstOnce()
    server, model = server_for(provider, responder)
    args = ["--max-tokens", "4096", "--batch", str(batch_file)]
    records = run(model, server.base_url, tmp_path, *args)
    check_answers(records)  # the failed request was answered on its retry
    statuses = [exchange.status for exchange in server.batched]
    assert statuses.count(500) == 1 and len(statuses) == 13
    retried = [e for e in server.batched if e.request.messages[0][1] == responder.failed]
    assert [e.status for e in retried][:2] == [500, 200]


@pytest.mark.parametrize("wire", ["anthropic", "openai"])
def test_a_refused_key_ends_a_batched_run_at_once_naming_the_fix(
    server_for: ServerFor, tmp_path: Path, batch_file: Path, wire: str
) -> None:
    server, model = server_for(wire, batch_fault=Fault.unauthorized())
    args = ["run", "--model", model, "--base-url", server.base_url, "--limit", "3"]
    result = CliRunner().invoke(
        cli, [*args, "--batch", str(batch_file), "--log-dir", str(tmp_path)]
    )
    assert result.exit_code == 1, result.output
    assert "401" in result.output and "API key" in result.output
    assert len(server.requests) <= 2  # the batch's first call, not one per sample or retry
    assert not server.batched
