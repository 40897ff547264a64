"""afscope.cost: the price table (matching, overrides, strict validation) and cost estimates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import afscope.cost
from afscope.cost import (
    Caching,
    CostEstimate,
    Price,
    PriceTable,
    combine_estimates,
    cost_of_usage,
    estimate_requests,
    format_estimates,
    load_prices,
)
from afscope.cost._prices import parse_prices
from afscope.errors import ConfigError
from afscope.queries import first_queries, load_queries
from afscope.records import Tier
from afscope.scenarios import load_scenario

TABLE = """
models:
  "anthropic/test*":
    {input: 3, cached_input: 0.3, cache_write: 3.75, output: 15, caching: explicit, batch: 0.5}
  "openai/test*": {input: 2, cached_input: 0.5, output: 8, caching: automatic}
  "google/test": {input: 1, output: 4}
"""


@pytest.fixture
def table() -> PriceTable:
    return parse_prices(TABLE, source="test.yaml")


@pytest.fixture(autouse=True)
def no_user_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AFSCOPE_PRICES", raising=False)


def test_exported_members() -> None:
    assert sorted(afscope.cost.__all__) == sorted(
        name for name in dir(afscope.cost) if not name.startswith("_") and name != "annotations"
    )


# -- the shipped table ---------------------------------------------------------------------------


def test_shipped_table_is_dated_and_says_prices_change() -> None:
    prices = load_prices()
    assert prices.as_of and prices.as_of[:4].isdigit()
    assert prices.note and "change" in prices.note and "override" in prices.note


@pytest.mark.parametrize(
    ("model", "input_price", "output_price"),
    [
        ("anthropic/claude-opus-4-5-20251101", 5.0, 25.0),  # not the older Opus 4 price
        ("anthropic/claude-opus-4-20250514", 15.0, 75.0),
        ("anthropic/claude-opus-4-1", 15.0, 75.0),
        ("anthropic/claude-3-5-sonnet-20241022", 3.0, 15.0),
        ("anthropic/claude-3-5-haiku-latest", 0.8, 4.0),
        ("openai/gpt-4o", 2.5, 10.0),
        ("openai/gpt-4o-2024-08-06", 2.5, 10.0),
        ("openai/gpt-4o-mini", 0.15, 0.6),  # the longer name wins over gpt-4o
        ("openai/gpt-4o-mini-2024-07-18", 0.15, 0.6),
        ("openai/o3", 2.0, 8.0),
        ("google/gemini-2.5-pro", 1.25, 10.0),
    ],
)
def test_shipped_prices_by_exact_name_or_longest_prefix(
    model: str, input_price: float, output_price: float
) -> None:
    price = load_prices().price(model)
    assert price is not None
    assert (price.input, price.output) == (input_price, output_price)


@pytest.mark.parametrize(
    "model",
    ["openai/gpt-5.1", "openai/gpt-4o-realtime-preview", "anthropic/claude-test", "mistral/x"],
)
def test_models_not_in_the_table_have_no_price(model: str) -> None:
    assert load_prices().price(model) is None


def test_anthropic_entries_price_cache_writes_and_reads_like_the_provider() -> None:
    for name, price in load_prices().entries.items():
        if name.startswith("anthropic/"):
            assert price.caching is Caching.EXPLICIT
            # Claude 3 Haiku's published prices are rounded to the cent ($0.30, $0.03)
            assert price.cache_write == pytest.approx(1.25 * price.input, rel=0.05)
            assert price.cached_input == pytest.approx(0.1 * price.input, rel=0.25)


def test_the_organism_costs_nothing() -> None:
    assert load_prices().price("organism/opus-like") == Price(0, None, None, 0)
    turns = ["hello " * 100] * 10
    estimate = estimate_requests("organism/opus-like", "system " * 2000, turns, scratchpad=True)
    assert estimate.usd == 0.0
    assert "$0" in format_estimates([estimate])[-1]


# -- matching ------------------------------------------------------------------------------------


def test_exact_name_beats_prefix_and_longest_prefix_wins() -> None:
    table = parse_prices(
        """
        models:
          "x/model*": {input: 1, output: 1}
          "x/model-large*": {input: 2, output: 2}
          "x/model-large-v2": {input: 3, output: 3}
        """,
        source="t.yaml",
    )
    assert table.price("x/model-small").input == 1  # type: ignore[union-attr]
    assert table.price("x/model-large-v1").input == 2  # type: ignore[union-attr]
    assert table.price("x/model-large-v2").input == 3  # type: ignore[union-attr]
    assert table.price("x/model-large-v2-beta").input == 2  # type: ignore[union-attr]
    assert table.price("x/mode") is None


def test_a_name_without_star_matches_only_exactly(table: PriceTable) -> None:
    assert table.price("google/test") is not None
    assert table.price("google/test-2") is None


# -- overrides -----------------------------------------------------------------------------------


def test_user_file_replaces_and_adds_entries(tmp_path: Path) -> None:
    override = tmp_path / "mine.yaml"
    override.write_text(
        'as_of: "2026-11-01"\nmodels:\n'
        '  "openai/gpt-4o": {input: 2.0, cached_input: 1.0, output: 8.0, caching: automatic}\n'
        '  "together/llama*": {input: 0.9, output: 0.9}\n'
    )
    prices = load_prices(override)
    assert prices.price("openai/gpt-4o").input == 2.0  # type: ignore[union-attr]
    assert prices.price("together/llama-3-70b").output == 0.9  # type: ignore[union-attr]
    assert prices.price("anthropic/claude-3-opus").input == 15.0  # type: ignore[union-attr]
    assert prices.as_of == "2026-11-01"
    assert str(override) in prices.sources


def test_json_override_and_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    override = tmp_path / "prices.json"
    override.write_text(json.dumps({"models": {"acme/model": {"input": 7, "output": 9}}}))
    monkeypatch.setenv("AFSCOPE_PRICES", str(override))
    assert load_prices().price("acme/model") == Price(7, None, None, 9)
    # an explicit path wins over the variable
    other = tmp_path / "other.yaml"
    other.write_text("models: {}\n")
    assert load_prices(other).price("acme/model") is None


@pytest.mark.parametrize(
    ("text", "suffix", "where", "says"),
    [
        ('models: {"a/b": {input: 1, outptu: 2}}', ".yaml", "models.a/b.outptu", "unknown key"),
        ('models: {"a/b": {input: 1}}', ".yaml", "models.a/b.output", "missing"),
        ('models: {"a/b": {input: "1", output: 2}}', ".yaml", "models.a/b.input", "number"),
        ('models: {"a/b": {input: -1, output: 2}}', ".yaml", "models.a/b.input", "0"),
        ('models: {"a/b": {input: true, output: 2}}', ".yaml", "models.a/b.input", "number"),
        (
            'models: {"a/b": {input: 1, output: 2, cached_input: 0.1, caching: explicit}}',
            ".yaml",
            "models.a/b",
            "cache_write",
        ),
        (
            'models: {"a/b": {input: 1, output: 2, caching: sometimes}}',
            ".yaml",
            "models.a/b",
            "caching must be one of",
        ),
        (
            "models:\n  a/b: {input: 1, output: 2}\n  a/b: {input: 1, output: 2}\n",
            ".yaml",
            None,
            "duplicate key",
        ),
        (
            '{"models": {"a/b": {"input": 1, "output": 2}, "a/b": {"input": 1, "output": 2}}}',
            ".json",
            "a/b",
            "duplicate key",
        ),
        ("pricing: {}\n", ".yaml", "pricing", "unknown key"),
        ("models: [1, 2]\n", ".yaml", "models", "mapping"),
        ("- 1\n", ".yaml", None, "mapping"),
        ("models: {a: [\n", ".yaml", None, "invalid YAML"),
        ('{"models": ', ".json", None, "invalid JSON"),
    ],
)
def test_bad_price_files_fail_with_one_line_naming_file_and_key(
    tmp_path: Path, text: str, suffix: str, where: str | None, says: str
) -> None:
    path = tmp_path / f"prices{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_prices(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert caught.value.key == where
    assert says in message


def test_missing_price_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the price file"):
        load_prices(tmp_path / "absent.yaml")


# -- prices of tokens used -----------------------------------------------------------------------


def test_cost_of_usage_bills_reads_and_writes_at_their_prices(table: PriceTable) -> None:
    usd = cost_of_usage(
        "anthropic/test-1",
        input_tokens=1_000_000,
        cached_input_tokens=600_000,
        cache_write_tokens=100_000,
        output_tokens=10_000,
        prices=table,
    )
    # 300k plain x $3 + 600k reads x $0.30 + 100k writes x $3.75 + 10k output x $15, per million
    assert usd == pytest.approx(0.9 + 0.18 + 0.375 + 0.15)


def test_batched_requests_cost_the_batch_share_of_every_price(table: PriceTable) -> None:
    usage = {"input_tokens": 1_000_000, "cached_input_tokens": 600_000, "output_tokens": 10_000}
    batched = cost_of_usage(
        "anthropic/test-1", cache_write_tokens=100_000, prices=table, batch=True, **usage
    )
    assert batched == pytest.approx(0.5 * (0.9 + 0.18 + 0.375 + 0.15))
    # no batch price in the table (google/test): the list price, never a guessed discount
    plain = {"input_tokens": 1_000_000, "cached_input_tokens": 0, "cache_write_tokens": 0}
    assert cost_of_usage("google/test", output_tokens=0, prices=table, batch=True, **plain) == 1.0
    estimate = estimate_requests(
        "anthropic/test-1", "s" * 8000, ["u" * 400] * 10, scratchpad=True, prices=table
    )
    halved = estimate.at_batch_price(table)
    assert estimate.usd is not None and estimate.usd_uncached is not None
    assert halved.usd == pytest.approx(estimate.usd / 2)
    assert halved.usd_uncached == pytest.approx(estimate.usd_uncached / 2)
    assert halved.input_tokens == estimate.input_tokens  # tokens are what they are
    google = estimate_requests("google/test", "s", ["u"], scratchpad=True, prices=table)
    assert google.at_batch_price(table) == google


def test_shipped_anthropic_and_openai_prices_halve_for_batches() -> None:
    prices = load_prices()
    for model in ("anthropic/claude-sonnet-4-5", "anthropic/claude-3-5-haiku", "openai/gpt-4o"):
        price = prices.price(model)
        assert price is not None and price.batch == 0.5, model
    with pytest.raises(ConfigError, match="batch"):
        parse_prices("models: {a/b: {input: 1, output: 2, batch: 1.5}}", source="p.yaml")


def test_cache_tokens_without_a_cache_price_cost_the_input_price(table: PriceTable) -> None:
    usd = cost_of_usage(
        "google/test",
        input_tokens=2_000_000,
        cached_input_tokens=1_000_000,
        cache_write_tokens=0,
        output_tokens=0,
        prices=table,
    )
    assert usd == pytest.approx(2.0)


def test_unknown_price_is_none_not_zero(table: PriceTable) -> None:
    usage = {"input_tokens": 10, "cached_input_tokens": 0, "cache_write_tokens": 0}
    assert cost_of_usage("nobody/model", output_tokens=5, prices=table, **usage) is None


def test_usage_that_does_not_add_up_is_refused(table: PriceTable) -> None:
    with pytest.raises(ValueError, match="must include"):
        cost_of_usage(
            "google/test",
            input_tokens=10,
            cached_input_tokens=8,
            cache_write_tokens=5,
            output_tokens=0,
            prices=table,
        )


# -- estimates -----------------------------------------------------------------------------------

SYSTEM = "s" * 8000  # 2000 tokens at four characters a token
TURNS = ["u" * 400] * 3  # 100 tokens each


def test_anthropic_estimate_by_hand(table: PriceTable) -> None:
    estimate = estimate_requests("anthropic/test", SYSTEM, TURNS, scratchpad=True, prices=table)
    # 3 requests x (2000 system + 100 turn); the first writes the system prompt, the other two read
    # it; every request's own turn is written (Inspect caches the end of each request too)
    assert estimate == CostEstimate(
        model="anthropic/test",
        requests=3,
        input_tokens=6300,
        cached_input_tokens=4000,
        cache_write_tokens=2300,
        output_tokens=3 * 800,
        usd=(4000 * 0.3 + 2300 * 3.75 + 2400 * 15) / 1e6,
        usd_uncached=(6300 * 3 + 2400 * 15) / 1e6,
    )
    assert estimate.uncached_input_tokens == 0
    assert estimate.usd_saved == pytest.approx((6300 * 3 - 4000 * 0.3 - 2300 * 3.75) / 1e6)


def test_openai_estimate_by_hand(table: PriceTable) -> None:
    estimate = estimate_requests("openai/test", SYSTEM, TURNS, scratchpad=False, prices=table)
    # the 2000-token system prompt is read in 128-token steps (1920) after the first request
    assert (estimate.cached_input_tokens, estimate.cache_write_tokens) == (2 * 1920, 0)
    assert estimate.output_tokens == 3 * 250
    assert estimate.usd == pytest.approx(((6300 - 3840) * 2 + 3840 * 0.5 + 750 * 8) / 1e6)


def test_no_caching_below_the_minimum_without_support_or_when_off(table: PriceTable) -> None:
    short = estimate_requests("anthropic/test", "s" * 3200, TURNS, scratchpad=True, prices=table)
    assert (short.cached_input_tokens, short.cache_write_tokens) == (0, 0)  # 900 tokens < 1024
    for model, caching in [("google/test", True), ("anthropic/test", False)]:
        estimate = estimate_requests(
            model, SYSTEM, TURNS, scratchpad=True, caching=caching, prices=table
        )
        assert (estimate.cached_input_tokens, estimate.cache_write_tokens) == (0, 0)
        assert estimate.usd == estimate.usd_uncached


def test_unknown_price_still_estimates_tokens_and_says_so(table: PriceTable) -> None:
    estimate = estimate_requests("anthropic/unlisted", SYSTEM, TURNS, scratchpad=True, prices=table)
    assert estimate.usd is None and estimate.usd_uncached is None
    assert estimate.cached_input_tokens == 4000  # Anthropic caches whatever the price
    lines = format_estimates([estimate], as_of="2025-01-01")
    assert "unknown price" in "\n".join(lines)
    assert "$" not in "\n".join(lines)


def test_format_estimates_shows_each_model_and_the_price_date(table: PriceTable) -> None:
    estimates = [
        estimate_requests(model, SYSTEM, TURNS, scratchpad=True, prices=table)
        for model in ("anthropic/test", "google/test")
    ]
    lines = format_estimates(estimates, as_of="2025-01-01")
    text = "\n".join(lines)
    assert lines[0] == "anthropic/test: 3 requests"
    assert "6,300 (4,000 read from the prompt cache, 2,300 written to it, 0 uncached)" in text
    assert "$0.05 (without caching $0.05; caching saves $0.0091)" in text
    assert "google/test: 3 requests" in text and "no prompt caching" in text
    assert lines[-1].startswith("list prices as of 2025-01-01")


def test_caching_a_1000_sample_anthropic_run_bills_under_15_percent() -> None:
    scenario = load_scenario("helpful-only")
    turns = [
        scenario.render_user_turn(f"{query.text} ({index})", tier, suffix=True)
        for index, query in enumerate(first_queries(load_queries("harmful"), 100) * 5)
        for tier in (Tier.FREE, Tier.PAID)
    ]
    estimate = estimate_requests(
        "anthropic/claude-sonnet-4-5",
        scenario.render_system_prompt(scratchpad=True),
        turns,
        scratchpad=True,
    )
    assert estimate.requests == 1000
    billed = (
        estimate.uncached_input_tokens
        + 1.25 * estimate.cache_write_tokens
        + 0.1 * estimate.cached_input_tokens
    )
    assert billed / estimate.input_tokens <= 0.15
    assert estimate.usd is not None and estimate.usd_uncached is not None
    assert estimate.usd < estimate.usd_uncached


def test_a_sweeps_cells_are_added_up_per_model(table: PriceTable) -> None:
    cell = estimate_requests("anthropic/test", SYSTEM, TURNS, scratchpad=True, prices=table)
    other = estimate_requests("google/test", SYSTEM, TURNS, scratchpad=True, prices=table)
    unknown = estimate_requests("nobody/x", SYSTEM, TURNS, scratchpad=True, prices=table)
    combined = combine_estimates([cell, other, cell, unknown, unknown])
    assert [e.model for e in combined] == ["anthropic/test", "google/test", "nobody/x"]
    assert combined[0].requests == 6 and combined[0].cache_write_tokens == 4600
    assert combined[0].usd == pytest.approx(2 * cell.usd)  # type: ignore[operator]
    assert combined[2].usd is None and combined[2].input_tokens == 2 * unknown.input_tokens
    assert format_estimates([cell, cell])[0] == "anthropic/test: 6 requests"
    with pytest.raises(ValueError, match="cannot add"):
        cell + other


def test_estimates_as_json(table: PriceTable) -> None:
    estimate = estimate_requests("anthropic/test", SYSTEM, TURNS, scratchpad=True, prices=table)
    data = json.loads(json.dumps(estimate.to_dict()))
    assert data["cached_input_tokens"] == 4000 and data["cache_write_tokens"] == 2300
    assert data["usd_saved"] == pytest.approx(estimate.usd_saved)
