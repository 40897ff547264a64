"""What a run costs: a price table shipped as data, estimates before sending, prices of tokens used.

    from afscope.cost import estimate_requests, format_estimates, load_prices

    prices = load_prices()                      # shipped table + AFSCOPE_PRICES override, if set
    estimate = estimate_requests("anthropic/claude-sonnet-4-5", system, turns, scratchpad=True,
                                 prices=prices)
    for line in format_estimates([estimate], as_of=prices.as_of):
        print(line)

Core code: does not import Inspect.
"""

from afscope.cost._estimate import (
    CostEstimate,
    combine_estimates,
    cost_of_usage,
    estimate_agent_requests,
    estimate_judging,
    estimate_requests,
    format_estimates,
)
from afscope.cost._judging import estimate_judge, estimate_plan, estimate_plan_judge
from afscope.cost._prices import PRICES_VARIABLE, Caching, Price, PriceTable, load_prices

__all__ = [
    "PRICES_VARIABLE",
    "Caching",
    "CostEstimate",
    "Price",
    "PriceTable",
    "combine_estimates",
    "cost_of_usage",
    "estimate_agent_requests",
    "estimate_judge",
    "estimate_judging",
    "estimate_plan",
    "estimate_plan_judge",
    "estimate_requests",
    "format_estimates",
    "load_prices",
]
