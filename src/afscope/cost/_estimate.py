"""Token and price estimates for a run before it is sent, and the price of tokens actually used.

Every sample sends the scenario's system prompt and one user turn, so the system prompt is counted
once per request. What prompt caching saves is modelled per provider (see :class:`Caching`):

- explicit (Anthropic): Inspect 0.3.285 marks the system prompt and, by automatic caching, the end
  of each request. The first request writes the system prompt to the cache (cache-write price,
  1.25x input); every later request reads it (cached price, 0.1x input). Each request's own turn is
  written too (it is the end of the request) and is only read back if the conversation continues.
  Assumes requests come often enough to keep the cache warm (the 5-minute cache is refreshed by
  every read) and that one request writes before the others read: requests sent before the first
  answer begins each write (measured against a server caching as the API does, 1 s to the first
  answer, Inspect's 20 first requests: ~7 to ~17 wrote, by the machine's load, billing 13.9-15.1%
  of the uncached input where this estimate says 13.3%; ``benchmarks/prompt_caching.py``).
- automatic (OpenAI): prompts of ``min_cached_tokens`` (1024) or more are cached by the provider
  with no write charge; after the first request, the shared system prompt is read from the cache in
  128-token steps at the cached price. Cache hits are likely, not guaranteed (requests are routed
  by prefix), so real bills may be somewhat higher.
- none: no caching.

Continuations after <NEXT/> add requests that are not counted here; output tokens are typical
answer lengths, since nothing has been generated yet. Token counts are estimates: about four
characters per token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from afscope.cost._prices import (
    DEFAULT_MIN_CACHED_TOKENS,
    PRICES_VARIABLE,
    Caching,
    Price,
    PriceTable,
    load_prices,
)
from afscope.providers import is_simulated, provider_of

__all__ = [
    "CostEstimate",
    "combine_estimates",
    "cost_of_usage",
    "estimate_agent_requests",
    "estimate_judging",
    "estimate_requests",
    "format_estimates",
]

CHARS_PER_TOKEN = 4
# typical answer lengths in this format (hidden reasoning makes answers long)
OUTPUT_TOKENS_SCRATCHPAD = 800
OUTPUT_TOKENS_DIRECT = 250


def estimate_tokens(text: str) -> int:
    """About four characters per token, at least one."""
    return max(1, len(text) // CHARS_PER_TOKEN)


PER_MILLION = 1_000_000
AUTOMATIC_CACHE_STEP = 128  # OpenAI caches prefixes in 128-token steps
# how a provider caches when the price table has no entry for the model (tokens are still shown)
PROVIDER_CACHING = {"anthropic": Caching.EXPLICIT, "openai": Caching.AUTOMATIC}


@dataclass(frozen=True)
class CostEstimate:
    """Estimated tokens and price of a run's requests for one model.

    ``input_tokens`` counts all input, cached included; ``cached_input_tokens`` and
    ``cache_write_tokens`` are the parts read from and written to the provider's prompt cache.
    ``usd`` is None when the model's price is unknown; ``usd_uncached`` is the price without
    caching.
    """

    model: str
    requests: int
    input_tokens: int
    cached_input_tokens: int
    cache_write_tokens: int
    output_tokens: int
    usd: float | None
    usd_uncached: float | None

    @property
    def uncached_input_tokens(self) -> int:
        return self.input_tokens - self.cached_input_tokens - self.cache_write_tokens

    @property
    def usd_saved(self) -> float | None:
        if self.usd is None or self.usd_uncached is None:
            return None
        return self.usd_uncached - self.usd

    @classmethod
    def priced(
        cls,
        model: str,
        table: PriceTable,
        *,
        requests: int,
        input_tokens: int,
        output_tokens: int,
        cached: int = 0,
        written: int = 0,
    ) -> CostEstimate:
        """The estimate of these tokens, priced from ``table`` with and without the cache."""

        def usd(cached: int, written: int) -> float | None:
            return cost_of_usage(
                model,
                input_tokens=input_tokens,
                cached_input_tokens=cached,
                cache_write_tokens=written,
                output_tokens=output_tokens,
                prices=table,
            )

        return cls(
            model=model,
            requests=requests,
            input_tokens=input_tokens,
            cached_input_tokens=cached,
            cache_write_tokens=written,
            output_tokens=output_tokens,
            usd=usd(cached, written),
            usd_uncached=usd(0, 0),
        )

    def __add__(self, other: CostEstimate) -> CostEstimate:
        """Both estimates together (same model; an unknown price stays unknown)."""
        if other.model != self.model:
            raise ValueError(f"cannot add estimates of {self.model} and {other.model}")
        return CostEstimate(
            model=self.model,
            requests=self.requests + other.requests,
            input_tokens=self.input_tokens + other.input_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            usd=_sum_or_none(self.usd, other.usd),
            usd_uncached=_sum_or_none(self.usd_uncached, other.usd_uncached),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields (for ``--json``), with the saving."""
        return {**asdict(self), "usd_saved": self.usd_saved}

    def at_batch_price(self, prices: PriceTable | None = None) -> CostEstimate:
        """The same requests sent through the provider's batch API: every price at the table's
        batch share (unchanged where the table gives none)."""
        price = (prices if prices is not None else load_prices()).price(self.model)
        share = price.batch if price is not None else None
        if share is None:
            return self
        usd = None if self.usd is None else self.usd * share
        uncached = None if self.usd_uncached is None else self.usd_uncached * share
        return replace(self, usd=usd, usd_uncached=uncached)


def _sum_or_none(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


def combine_estimates(estimates: Sequence[CostEstimate]) -> list[CostEstimate]:
    """One estimate per model (summing, e.g., a sweep's cells), in order of first appearance."""
    by_model: dict[str, CostEstimate] = {}
    for estimate in estimates:
        known = by_model.get(estimate.model)
        by_model[estimate.model] = estimate if known is None else known + estimate
    return list(by_model.values())


def cost_of_usage(
    model: str,
    *,
    input_tokens: int,
    cached_input_tokens: int,
    cache_write_tokens: int,
    output_tokens: int,
    prices: PriceTable | None = None,
    batch: bool = False,
) -> float | None:
    """US dollars for tokens used; None when the model's price is unknown.

    ``input_tokens`` counts all input, cache reads and writes included (as SampleRecord does).

    A cache read or write that the table has no price for is billed at the input price.
    ``batch``: the requests went through the provider's batch API, billed at the table's batch
    share of every price (the list price where the table gives none).
    """
    if min(input_tokens, cached_input_tokens, cache_write_tokens, output_tokens) < 0:
        raise ValueError("token counts cannot be negative")
    plain = input_tokens - cached_input_tokens - cache_write_tokens
    if plain < 0:
        raise ValueError(
            f"input_tokens ({input_tokens}) must include cached_input_tokens "
            f"({cached_input_tokens}) and cache_write_tokens ({cache_write_tokens})"
        )
    price = (prices if prices is not None else load_prices()).price(model)
    if price is None:
        return None
    read_price = price.input if price.cached_input is None else price.cached_input
    write_price = price.input if price.cache_write is None else price.cache_write
    dollars = (
        plain * price.input
        + cached_input_tokens * read_price
        + cache_write_tokens * write_price
        + output_tokens * price.output
    )
    if batch and price.batch is not None:
        dollars *= price.batch
    return dollars / PER_MILLION


def estimate_requests(
    model: str,
    system_prompt: str,
    user_turns: Sequence[str],
    *,
    scratchpad: bool,
    caching: bool = True,
    prices: PriceTable | None = None,
) -> CostEstimate:
    """Estimate one request per user turn, each sending ``system_prompt`` then the turn."""
    table = prices if prices is not None else load_prices()
    price = table.price(model)
    system = estimate_tokens(system_prompt)
    turns = [estimate_tokens(turn) for turn in user_turns]
    cached, written = _cache_split(
        _caching_of(model, price) if caching else Caching.NONE, _min_cached(price), system, turns
    )
    input_tokens = sum(system + turn for turn in turns)
    output_tokens = len(turns) * (OUTPUT_TOKENS_SCRATCHPAD if scratchpad else OUTPUT_TOKENS_DIRECT)
    return CostEstimate.priced(
        model,
        table,
        requests=len(turns),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached=cached,
        written=written,
    )


# an agent turn: the model's text and tool call, then what the tool printed (typical lengths)
AGENT_TURN_OUTPUT_TOKENS = 250
AGENT_TOOL_OUTPUT_TOKENS = 250


def estimate_agent_requests(
    model: str,
    prompts: Sequence[tuple[str, str]],
    *,
    max_turns: int,
    max_tokens: int,
    prices: PriceTable | None = None,
) -> CostEstimate:
    """Estimate an agent loop run to its bound: each sample (system prompt, first user turn)
    takes turns until ``max_turns`` or until its tokens reach ``max_tokens`` (the turn that
    crosses it is the last, as the loop checks after each turn). Every turn sends the whole
    conversation so far, so input grows with the turns; each turn adds a typical answer and tool
    output. No prompt caching is counted (an upper estimate where a provider caches)."""
    table = prices if prices is not None else load_prices()
    input_tokens = output_tokens = requests = 0
    for system, user in prompts:
        prompt, used = estimate_tokens(system) + estimate_tokens(user), 0
        for turn in range(max_turns):
            sent = prompt + turn * (AGENT_TURN_OUTPUT_TOKENS + AGENT_TOOL_OUTPUT_TOKENS)
            input_tokens, output_tokens, requests = (
                input_tokens + sent,
                output_tokens + AGENT_TURN_OUTPUT_TOKENS,
                requests + 1,
            )
            used += sent + AGENT_TURN_OUTPUT_TOKENS
            if used >= max_tokens:
                break
    return CostEstimate.priced(
        model, table, requests=requests, input_tokens=input_tokens, output_tokens=output_tokens
    )


# a judge's answer: short reasoning, one line per criterion, the final answer
JUDGE_OUTPUT_TOKENS = 300


def estimate_judging(
    judge: str,
    prompts: Sequence[str],
    *,
    votes: float,
    answer_tokens: int,
    prices: PriceTable | None = None,
) -> CostEstimate:
    """Estimate a judge's calls: each prompt (one rubric x one sample, without the answer being
    judged, which adds ``answer_tokens``) is sent ``votes`` times on average. Judge votes are
    drawn at temperature 1, so no prompt caching is assumed."""
    table = prices if prices is not None else load_prices()
    per_vote = sum(estimate_tokens(prompt) + answer_tokens for prompt in prompts)
    input_tokens = round(per_vote * votes)
    output_tokens = round(len(prompts) * votes * JUDGE_OUTPUT_TOKENS)
    requests = round(len(prompts) * votes)
    return CostEstimate.priced(
        judge, table, requests=requests, input_tokens=input_tokens, output_tokens=output_tokens
    )


def _caching_of(model: str, price: Price | None) -> Caching:
    if price is not None:
        return price.caching
    return PROVIDER_CACHING.get(provider_of(model), Caching.NONE)


def _min_cached(price: Price | None) -> int:
    return DEFAULT_MIN_CACHED_TOKENS if price is None else price.min_cached_tokens


def _cache_split(
    caching: Caching, minimum: int, system: int, turns: Sequence[int]
) -> tuple[int, int]:
    """(cache-read tokens, cache-write tokens) over requests sending ``system`` + each turn."""
    if caching is Caching.EXPLICIT:
        reads = writes = 0
        for index, turn in enumerate(turns):
            if system + turn < minimum:
                continue
            read = system if system >= minimum and index > 0 else 0
            reads += read
            writes += system + turn - read
        return reads, writes
    if caching is Caching.AUTOMATIC:
        prefix = system // AUTOMATIC_CACHE_STEP * AUTOMATIC_CACHE_STEP
        if prefix < minimum:
            return 0, 0
        return prefix * max(0, len(turns) - 1), 0
    return 0, 0


def format_estimates(estimates: Sequence[CostEstimate], *, as_of: str | None = None) -> list[str]:
    """Lines for the dry-run print: per model, requests, tokens, what caching saves, the price.

    Estimates of the same model (a sweep's cells) are added up. ``as_of`` (the price table's
    date) adds a line saying how old the prices are.
    """
    lines = []
    for estimate in combine_estimates(estimates):
        lines += [
            f"{estimate.model}: {estimate.requests:,} requests",
            f"  input tokens   {estimate.input_tokens:,} ({_cache_part(estimate)})",
            f"  output tokens  {estimate.output_tokens:,}",
            f"  price          {_price_part(estimate)}",
        ]
    if as_of and any(e.usd for e in estimates):
        lines.append(
            f"list prices as of {as_of}; prices change: override with a price file "
            f"({PRICES_VARIABLE}=FILE)"
        )
    return lines


def _cache_part(estimate: CostEstimate) -> str:
    parts = [
        f"{count:,} {label}"
        for count, label in (
            (estimate.cached_input_tokens, "read from the prompt cache"),
            (estimate.cache_write_tokens, "written to it"),
        )
        if count
    ]
    if not parts:
        return "no prompt caching"
    return ", ".join([*parts, f"{estimate.uncached_input_tokens:,} uncached"])


def _price_part(estimate: CostEstimate) -> str:
    if is_simulated(estimate.model):
        return "$0 (simulated organism, runs locally)"
    if estimate.usd is None or estimate.usd_uncached is None:
        return f"unknown price (not in the price table; add it with {PRICES_VARIABLE}=FILE)"
    text = _dollars(estimate.usd)
    saved = estimate.usd_uncached - estimate.usd
    if saved > 0:
        uncached = _dollars(estimate.usd_uncached)
        text += f" (without caching {uncached}; caching saves {_dollars(saved)})"
    return text


def _dollars(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"
