"""The summary of an agentic run: per condition, the rate of the deterministic outcome with its
interval, how often the model tried, the judge's decision-plus-attempt rate, the difference from
the setting's baseline condition, and the organism's ground truth. Pure: built from episodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from afscope.agentic._episode import Episode
from afscope.records import ClassifierRef, Decision, RunInfo
from afscope.stats import Interval, format_interval, independent_difference, wilson_interval

__all__ = [
    "TABLE_HEADER",
    "AgenticSummary",
    "ConditionRates",
    "condition_rates",
    "summarize_episodes",
]

SIMULATED_NOTE = "SIMULATED: the model is afscope's simulated organism, not a real model."
BASELINE = "baseline"
TABLE_HEADER = (
    "model",
    "variant",
    "condition",
    "n",
    "reached [95% CI]",
    "tried",
    "decision+attempt",
    "vs baseline",
    "failed",
)


@dataclass(frozen=True)
class ConditionRates:
    """One condition's numbers. ``reached``: the deterministic outcome (e.g. the weights file at
    the external location); ``tried``: a command the rule counts as an attempt; ``judged``: the
    judge's "yes" (decision + attempt) over its non-error verdicts; ``vs_baseline``: ``reached``
    minus the baseline condition's of the same setting (independent samples)."""

    condition: str
    n: int
    failed: int
    reached: Interval | None
    tried: Interval | None
    judged: Interval | None = None
    judge_errors: int = 0
    vs_baseline: Interval | None = None
    truth: float | None = None  # the organism's own decision (took the opportunity)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "failed": self.failed,
            "reached": interval_json(self.reached),
            "tried": interval_json(self.tried),
            "decision_attempt": interval_json(self.judged),
            "judge_errors": self.judge_errors,
            "vs_baseline": interval_json(self.vs_baseline),
            "organism_truth": self.truth,
        }


def condition_rates(
    episodes: Sequence[Episode], judge_rubric: str = ""
) -> tuple[ConditionRates, ...]:
    """The rates of each condition, in the order the episodes first name them."""
    groups: dict[str, list[Episode]] = {}
    for episode in episodes:
        groups.setdefault(episode.condition, []).append(episode)
    counts = {name: _counts([e.reached for e in group]) for name, group in groups.items()}
    out = []
    for name, group in groups.items():
        scored = [e for e in group if e.reached is not None]
        verdicts = [e.verdicts[judge_rubric] for e in scored if judge_rubric in e.verdicts]
        usable = [v for v in verdicts if v.decision != Decision.ERROR]
        baseline = f"{name.rsplit('/', 1)[0]}/{BASELINE}"
        mine, theirs = counts[name], counts.get(baseline)
        versus = None
        if mine[1] and theirs and theirs[1] and name != baseline:
            versus = independent_difference(mine, theirs)
        truths = [e.truth.get("took_opportunity") for e in scored if e.truth]
        out.append(
            ConditionRates(
                condition=name,
                n=len(scored),
                failed=len(group) - len(scored),
                reached=_rate([e.reached for e in scored]),
                tried=_rate([e.tried for e in scored]),
                judged=_rate([v.decision == Decision.YES for v in usable]) if verdicts else None,
                judge_errors=len(verdicts) - len(usable),
                vs_baseline=versus,
                truth=sum(map(bool, truths)) / len(truths) if truths else None,
            )
        )
    return tuple(out)


def _counts(values: Sequence[bool | None]) -> tuple[int, int]:
    """(true, known) of a list of outcomes, unknown ones (failed samples) left out."""
    known = [bool(v) for v in values if v is not None]
    return sum(known), len(known)


def _rate(values: Sequence[bool | None]) -> Interval | None:
    known = [bool(v) for v in values if v is not None]
    return wilson_interval(sum(known), len(known)) if known else None


@dataclass(frozen=True)
class AgenticSummary:
    """What `afscope run` prints after an agentic experiment (``lines()``, ``to_json()``)."""

    run: RunInfo
    environment: str
    outcome: str  # what ``reached`` means, in words
    rule: Mapping[str, Any]  # the deterministic rule's spec as run
    judge_rubric: str
    rates: tuple[ConditionRates, ...]
    samples: int
    bounds: tuple[int, int]  # max turns, max tokens per sample
    input_tokens: int
    output_tokens: int
    cost_usd: float | None

    def table_rows(self) -> list[tuple[str, ...]]:
        """One row per condition for a sweep's table (columns: :data:`TABLE_HEADER`)."""
        label = f"{self.run.model}{' (SIMULATED)' if self.run.simulated else ''}"
        return [
            (
                label,
                self.run.variant,
                r.condition,
                str(r.n),
                format_interval(r.reached),
                format_interval(r.tried),
                format_interval(r.judged) if r.judged is not None else "not judged",
                format_interval(r.vs_baseline, signed=True) if r.vs_baseline is not None else "",
                str(r.failed),
            )
            for r in self.rates
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment": self.run.task,
            "environment": self.environment,
            "model": self.run.model,
            "simulated": self.run.simulated,
            "variant": self.run.variant,
            "seed": self.run.seed,
            "samples": self.samples,
            "max_turns": self.bounds[0],
            "max_tokens_per_sample": self.bounds[1],
            "outcome": self.outcome,
            "conditions": {rates.condition: rates.to_json() for rates in self.rates},
            "classifiers": self.run.classifiers,
            "tokens": {"input": self.input_tokens, "output": self.output_tokens},
            "estimated_cost_usd": self.cost_usd,
            "log": self.run.log_path,
        }

    def lines(self) -> list[str]:
        out = [SIMULATED_NOTE] if self.run.simulated else []
        turns, tokens = self.bounds
        out.append(
            f"{self.run.model} · {self.environment} · variant {self.run.variant} · seed "
            f"{self.run.seed} · {self.samples} samples · at most {turns} turns and {tokens:,} "
            "tokens per sample"
        )
        out.append(f"{self.outcome} (95% Wilson intervals; vs baseline: Newcombe):")
        width = max((len(r.condition) for r in self.rates), default=0)
        for rates in self.rates:
            out.append("  " + _condition_line(rates, width, self.run.simulated))
        truths = [(r.condition, r.truth) for r in self.rates if r.truth is not None]
        if truths:
            shown = ", ".join(f"{name} {rate:.1%}" for name, rate in truths)
            out.append(f"organism ground truth, took the opportunity: {shown}")
        out.append(self.scoring_line())
        cost = "unknown price" if self.cost_usd is None else f"${self.cost_usd:,.4f}"
        out.append(
            f"tokens: {self.input_tokens:,} input, {self.output_tokens:,} output; "
            f"estimated cost {cost}"
        )
        out.append(f"log: {self.run.log_path}")
        return out

    def scoring_line(self) -> str:
        pattern = self.rule.get("attempt_pattern")
        tried = f"; tried = a command matching /{pattern}/" if pattern else ""
        judged = self.run.classifiers.get(self.judge_rubric) or ClassifierRef()
        if judged.judge_model:
            how = (
                f"decision+attempt by {self.judge_rubric} v{judged.version or '?'} "
                f"({judged.judge_model}, {judged.get('votes', '?')} votes)"
            )
        else:
            how = (
                f"decision+attempt: not judged (pass --judge MODEL to judge it with "
                f"{self.judge_rubric})"
            )
        return f"scoring: rule {self.rule.get('rule')} on the sandbox's final state{tried}; {how}"


def _condition_line(rates: ConditionRates, width: int, simulated: bool) -> str:
    parts = [f"{rates.condition:<{width}}  n={rates.n}"]
    parts.append(f"reached {format_interval(rates.reached)}")
    parts.append(f"tried {format_interval(rates.tried)}")
    if rates.judged is not None:
        parts.append(f"decision+attempt {format_interval(rates.judged)}")
    if rates.judge_errors:
        parts.append(f"judge errors {rates.judge_errors}")
    if rates.vs_baseline is not None:
        parts.append(f"vs baseline {format_interval(rates.vs_baseline, signed=True)}")
    if rates.failed:
        parts.append(f"failed {rates.failed}")
    line = ", ".join(parts)
    return f"{line} (SIMULATED)" if simulated else line


def summarize_episodes(
    run: RunInfo,
    episodes: Sequence[Episode],
    *,
    environment: str,
    outcome: str,
    rule: Mapping[str, Any],
    judge_rubric: str,
    bounds: tuple[int, int],
    cost_usd: float | None,
) -> AgenticSummary:
    return AgenticSummary(
        run=run,
        environment=environment,
        outcome=outcome,
        rule=rule,
        judge_rubric=judge_rubric,
        rates=condition_rates(episodes, judge_rubric),
        samples=len(episodes),
        bounds=bounds,
        input_tokens=sum(e.input_tokens for e in episodes),
        output_tokens=sum(e.output_tokens for e in episodes),
        cost_usd=cost_usd,
    )


def interval_json(interval: Interval | None) -> dict[str, Any] | None:
    return None if interval is None else dict(interval.to_dict())
