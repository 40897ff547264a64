"""When may voting stop early? Pure functions of (yes votes, valid votes, remaining slots).

Two rules:

- **exact**: stop once even the most extreme remaining votes (all yes, all no, or all errors)
  cannot change the decision. Verdicts are identical to drawing every vote.
- **sequential**: also stop once the posterior predictive probability (Beta-binomial, Jeffreys
  prior) that the full vote would reach a different decision falls below ``sequential_risk``,
  after at least ``min_votes`` valid votes.
"""

from __future__ import annotations

import math

from afscope.classifiers._spec import ClassifierSpec

__all__ = ["exact_settled", "lookahead", "predictive_agreement", "settled"]

_PRIOR = 0.5  # Jeffreys prior on a transcript's yes-probability


def exact_settled(spec: ClassifierSpec, yes: int, valid: int, remaining: int) -> bool:
    """True when no outcome of the remaining votes can change the decision."""
    if remaining == 0:
        return True
    if valid == 0:
        return False
    lowest = yes / (valid + remaining)
    highest = (yes + remaining) / (valid + remaining)
    return spec.decide(lowest) == spec.decide(highest)


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def predictive_agreement(spec: ClassifierSpec, yes: int, valid: int, remaining: int) -> float:
    """P(the decision after all ``remaining`` votes equals the current one), Beta-binomial model."""
    if remaining == 0:
        return 1.0
    if valid == 0:
        return 0.0
    current = spec.decide(yes / valid)
    a, b = _PRIOR + yes, _PRIOR + valid - yes
    base = _log_beta(a, b)
    agree = 0.0
    for k in range(remaining + 1):
        if spec.decide((yes + k) / (valid + remaining)) != current:
            continue
        log_choose = (
            math.lgamma(remaining + 1) - math.lgamma(k + 1) - math.lgamma(remaining - k + 1)
        )
        agree += math.exp(log_choose + _log_beta(a + k, b + remaining - k) - base)
    return agree


def settled(spec: ClassifierSpec, yes: int, valid: int, remaining: int) -> bool:
    """True when ``spec.adaptive`` allows voting to stop now."""
    if remaining == 0:
        return True
    if spec.adaptive == "off":
        return False
    if exact_settled(spec, yes, valid, remaining):
        return True
    if spec.adaptive != "sequential" or valid < spec.min_votes:
        return False
    return predictive_agreement(spec, yes, valid, remaining) >= 1.0 - spec.sequential_risk


def lookahead(spec: ClassifierSpec, yes: int, valid: int, remaining: int) -> int:
    """How many votes can be drawn at once without possibly drawing one more than needed.

    The smallest k >= 1 such that some outcome of k more votes could settle the verdict (so the
    driver may draw k votes concurrently and never waste a call).
    """
    for k in range(1, remaining):
        if any(settled(spec, yes + j, valid + k, remaining - k) for j in range(k + 1)):
            return k
    return max(remaining, 1)
