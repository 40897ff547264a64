"""The voting engine: a pure state machine that any driver (sync, async, simulated) can run.

A driver asks :meth:`VoteCollector.next_requests` for the votes to draw now (several at once when
they can be drawn concurrently without waste), draws each one however it likes (a real judge, a
scripted reply, a simulation), reports each result with :meth:`VoteCollector.record`, and repeats
until :attr:`VoteCollector.done`; then :meth:`VoteCollector.verdict` builds the verdict.

Each vote has a slot (0 .. votes-1) and an attempt number: an answer that cannot be parsed is
drawn again in the same slot, with the next attempt number (drivers use both in cache keys so
that no two draws share a cached reply). A slot that stays unparseable, or whose draw failed at
the provider, is an error vote: recorded, never counted as yes or no.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from afscope.classifiers._parse import JudgeAnswer, ParseFailure
from afscope.classifiers._spec import ClassifierSpec
from afscope.classifiers._stopping import lookahead, settled
from afscope.records import ClassifierRef, Decision, Verdict

__all__ = [
    "Draw",
    "DrawFailure",
    "VoteCollector",
    "VoteRequest",
    "collect_votes",
    "error_verdict",
]

_MAX_QUOTES = 10


@dataclass(frozen=True)
class VoteRequest:
    slot: int
    attempt: int = 0


@dataclass(frozen=True)
class DrawFailure:
    """The judge could not be called at all (e.g. the provider failed after its own retries)."""

    reason: str


Draw = JudgeAnswer | ParseFailure | DrawFailure


class VoteCollector:
    """Collects one verdict's votes under a :class:`ClassifierSpec`."""

    def __init__(self, spec: ClassifierSpec) -> None:
        self.spec = spec
        self._answers: dict[int, JudgeAnswer] = {}
        self._errors: dict[int, str] = {}
        self._attempts: dict[int, int] = {}
        self._retry: set[int] = set()
        self._in_flight: set[VoteRequest] = set()
        self._next_slot = 0
        self.calls = 0
        self.tokens = 0

    @property
    def _yes(self) -> int:
        return sum(answer.is_yes for answer in self._answers.values())

    @property
    def _remaining(self) -> int:
        return self.spec.votes - self._next_slot

    @property
    def _too_many_errors(self) -> bool:
        return len(self._errors) > self.spec.max_error_fraction * self.spec.votes

    @property
    def done(self) -> bool:
        if self._in_flight or self._retry:
            return False
        if self._too_many_errors:
            return True
        return settled(self.spec, self._yes, len(self._answers), self._remaining)

    def next_requests(self) -> tuple[VoteRequest, ...]:
        """The votes to draw now (possibly concurrently); empty once done."""
        if self._in_flight:
            raise RuntimeError("record every drawn vote before asking for more")
        if self.done:
            return ()
        if self._retry:
            requests = [VoteRequest(slot, self._attempts[slot] + 1) for slot in sorted(self._retry)]
            self._retry.clear()
        else:
            count = lookahead(self.spec, self._yes, len(self._answers), self._remaining)
            start, self._next_slot = self._next_slot, self._next_slot + count
            requests = [VoteRequest(slot) for slot in range(start, self._next_slot)]
        for request in requests:
            self._attempts[request.slot] = request.attempt
        self._in_flight.update(requests)
        return tuple(requests)

    def record(self, request: VoteRequest, result: Draw, tokens: int = 0) -> None:
        """Report the result of one requested draw."""
        if request not in self._in_flight:
            raise RuntimeError(f"{request} was not requested or was already recorded")
        self._in_flight.remove(request)
        self.calls += 1
        self.tokens += tokens
        if isinstance(result, JudgeAnswer):
            self._answers[request.slot] = result
        elif isinstance(result, DrawFailure):
            self._errors[request.slot] = f"judge call failed: {result.reason}"
        else:
            if request.attempt < self.spec.parse_retries:
                self._retry.add(request.slot)
            else:
                self._errors[request.slot] = f"unparseable: {result.reason}"

    def verdict(self) -> Verdict:
        """The verdict from the votes collected so far (call once :attr:`done`)."""
        if not self.done:
            raise RuntimeError("voting is not finished")
        slots = sorted({*self._answers, *self._errors})
        votes = tuple(
            self._answers[slot].label if slot in self._answers else f"error: {self._errors[slot]}"
            for slot in slots
        )
        valid = len(self._answers)
        score = self._yes / valid if valid else None
        quotes: list[str] = []
        for slot in slots:
            answer = self._answers.get(slot)
            if answer is not None and answer.is_yes:
                quotes.extend(q for q in answer.quotes if q not in quotes)
        error = None
        if score is None or self._too_many_errors:
            common = Counter(self._errors.values()).most_common(1)[0][0]
            error = f"{len(self._errors)} of {len(slots)} votes failed (most often: {common})"
        return Verdict(
            kind=self.spec.kind,
            decision=Decision.ERROR if error else self.spec.decide(score or 0.0),
            score=score,
            spec=ClassifierRef(self.spec.to_dict()),
            votes=votes,
            quotes=tuple(quotes[:_MAX_QUOTES]),
            tokens=self.tokens,
            error=error,
        )


def collect_votes(spec: ClassifierSpec, draw: Callable[[VoteRequest], tuple[Draw, int]]) -> Verdict:
    """Run a collector to completion with a synchronous ``draw`` returning (result, tokens)."""
    collector = VoteCollector(spec)
    while requests := collector.next_requests():
        for request in requests:
            result, tokens = draw(request)
            collector.record(request, result, tokens)
    return collector.verdict()


def error_verdict(spec: ClassifierSpec, reason: str) -> Verdict:
    """A verdict that could not be attempted (e.g. the transcript lacks a part the rubric needs)."""
    return Verdict(
        kind=spec.kind,
        decision=Decision.ERROR,
        score=None,
        spec=ClassifierRef(spec.to_dict()),
        error=reason,
    )
