"""What a judging pass produced, per rubric: verdicts, judge errors and skipped transcripts.

A pass whose every verdict is an error (a judge answering garbage) or whose every transcript was
skipped (no readable answer) judged nothing; the tally says so instead of a bare count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from afscope.records import Decision, Verdict

__all__ = ["JudgeTally"]


def _error_kind(error: str) -> str:
    """The cause of a failed verdict, without its vote counts, so like errors group together."""
    cause = error.partition("(most often: ")[2].removesuffix(")")
    return (cause or error)[:160]


@dataclass
class _RubricTally:
    decisions: Counter[str] = field(default_factory=Counter)  # yes / no / maybe
    errors: Counter[str] = field(default_factory=Counter)  # error message -> count
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count

    @property
    def judged(self) -> int:
        return sum(self.decisions.values())


@dataclass
class JudgeTally:
    """Per rubric (in the order given): decisions, judge errors and skip reasons."""

    kinds: list[str]
    _by_kind: dict[str, _RubricTally] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_kind = {kind: _RubricTally() for kind in self.kinds}

    def add_verdict(self, kind: str, verdict: Verdict) -> None:
        tally = self._by_kind[kind]
        if verdict.decision == Decision.ERROR:
            tally.errors[_error_kind(verdict.error or "no answer")] += 1
        else:
            tally.decisions[verdict.decision] += 1

    def add_skipped(self, kind: str, reason: str) -> None:
        self._by_kind[kind].skipped[reason] += 1

    @property
    def nothing_judged(self) -> bool:
        """True when no rubric produced a single yes/no/maybe verdict."""
        return all(tally.judged == 0 for tally in self._by_kind.values())

    @property
    def errors(self) -> list[str]:
        """The distinct causes of failed verdicts, of every rubric."""
        return [message for tally in self._by_kind.values() for message in tally.errors]

    def lines(self, labels: dict[str, str] | None = None) -> list[str]:
        """One line per rubric, then one indented line per error message and skip reason."""
        out = []
        for kind, tally in self._by_kind.items():
            shown = ", ".join(f"{d} {n}" for d, n in sorted(tally.decisions.items())) or "none"
            label = (labels or {}).get(kind, kind)
            out.append(
                f"  {label}: {tally.judged} verdicts ({shown}), "
                f"{sum(tally.errors.values())} judge errors, "
                f"{sum(tally.skipped.values())} skipped"
            )
            out.extend(f"    judge error x{n}: {message}" for message, n in tally.errors.items())
            out.extend(f"    skipped x{n}: {reason}" for reason, n in tally.skipped.items())
        return out
