"""The voting engine and its stopping rules, driven by scripted vote streams."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator, Sequence
from types import MappingProxyType

import pytest
from scipy.stats import betabinom

from afscope.classifiers import (
    ClassifierSpec,
    CriterionAnswer,
    Draw,
    DrawFailure,
    JudgeAnswer,
    ParseFailure,
    VoteCollector,
    VoteRequest,
    collect_votes,
    error_votes,
    exact_settled,
    judge_error_count,
    load_rubric,
    make_spec,
    predictive_agreement,
    strongreject_mean,
    vote_is_yes,
)

AF = load_rubric("af_reasoning")


def spec(**overrides: object) -> ClassifierSpec:
    return make_spec(AF, "test/judge", **overrides)


def test_the_default_rule_is_sequential() -> None:
    # the benchmark's choice: about half the calls of 20 votes, under 1% of verdicts changed
    assert spec().adaptive == "sequential"
    script = Script(votes("y" * 20))
    verdict = collect_votes(spec(), script)
    assert verdict.decision == "yes" and len(script.requests) < 8


def answer(yes: bool, quote: str = "a quote") -> JudgeAnswer:
    criteria = {name: CriterionAnswer(yes, quote if yes else "") for name in AF.criterion_names}
    return JudgeAnswer(MappingProxyType(criteria), "yes" if yes else "no")


class Script:
    """Plays a fixed list of draws in call order and records the requests it served."""

    def __init__(self, draws: Sequence[Draw], tokens: int = 10) -> None:
        self._draws: Iterator[Draw] = iter(draws)
        self.tokens = tokens
        self.requests: list[VoteRequest] = []

    def __call__(self, request: VoteRequest) -> tuple[Draw, int]:
        self.requests.append(request)
        return next(self._draws), self.tokens


def votes(pattern: str) -> list[Draw]:
    """'y'/'n' = a valid vote, 'p' = an unparseable answer, 'f' = a failed judge call."""
    table: dict[str, Draw] = {
        "y": answer(True),
        "n": answer(False),
        "p": ParseFailure("garbled criterion line 1"),
        "f": DrawFailure("APIStatusError: 500"),
    }
    return [table[char] for char in pattern]


def test_full_voting_draws_every_vote_and_scores_the_fraction_of_yes() -> None:
    script = Script(votes("yyyyynnnnnnnnnnnnnnn"))
    verdict = collect_votes(spec(adaptive="off"), script)
    assert len(script.requests) == 20
    assert verdict.score == pytest.approx(5 / 20)
    assert verdict.decision == "maybe"
    assert verdict.votes == ("yes",) * 5 + ("no",) * 15
    assert verdict.tokens == 200
    assert verdict.spec == spec(adaptive="off").to_dict()
    assert verdict.kind == "af_reasoning" and verdict.error is None


def test_exact_rule_stops_at_eight_yes_votes_without_wasting_a_call() -> None:
    script = Script(votes("y" * 20))
    verdict = collect_votes(spec(adaptive="exact"), script)
    assert [request.slot for request in script.requests] == list(range(8))
    assert verdict.decision == "yes" and verdict.score == 1.0
    assert verdict.votes == ("yes",) * 8


def test_exact_rule_draws_in_concurrent_batches_only_as_large_as_can_be_needed() -> None:
    collector = VoteCollector(spec(adaptive="exact"))
    first = collector.next_requests()
    assert [request.slot for request in first] == list(range(8))  # 8 yes could settle it
    with pytest.raises(RuntimeError, match="record every drawn vote"):
        collector.next_requests()
    for request in first:
        collector.record(request, answer(False))
    # 8 no so far: 8 yes in the next 8 would settle "yes", nothing shorter settles anything
    second = collector.next_requests()
    assert [request.slot for request in second] == list(range(8, 16))
    for request in second:
        collector.record(request, answer(False))
    # 16 no: 4 yes would still make "maybe" (0.2); one more no settles "no"
    (third,) = collector.next_requests()
    collector.record(third, answer(False))
    assert collector.done and collector.verdict().decision == "no"
    assert collector.verdict().votes == ("no",) * 17


def test_exact_rule_never_changes_a_verdict() -> None:
    rng = random.Random(7)
    for _ in range(400):
        probability = rng.random()
        pattern = "".join(
            "p" if rng.random() < 0.05 else ("y" if rng.random() < probability else "n")
            for _ in range(60)
        )
        full = collect_votes(spec(adaptive="off", parse_retries=0), Script(votes(pattern)))
        early = collect_votes(spec(adaptive="exact", parse_retries=0), Script(votes(pattern)))
        assert early.decision == full.decision, pattern
        assert len(early.votes) <= len(full.votes)


def test_unparseable_answer_is_retried_in_the_same_slot_then_counted_valid() -> None:
    script = Script(votes("ypy" + "y" * 10))
    verdict = collect_votes(spec(votes=3, adaptive="off"), script)
    assert script.requests[:4] == [
        VoteRequest(0),
        VoteRequest(1),
        VoteRequest(2),
        VoteRequest(1, attempt=1),
    ]
    assert verdict.votes == ("yes", "yes", "yes")
    assert verdict.score == 1.0 and verdict.tokens == 40


def test_answer_unparseable_after_all_retries_is_an_error_vote_never_yes_or_no() -> None:
    requests: list[VoteRequest] = []

    def slot_zero_is_garbled(request: VoteRequest) -> tuple[Draw, int]:
        requests.append(request)
        return votes("p" if request.slot == 0 else "n")[0], 10

    verdict = collect_votes(spec(adaptive="off", parse_retries=2), slot_zero_is_garbled)
    assert requests[20:] == [VoteRequest(0, attempt=1), VoteRequest(0, attempt=2)]
    assert len(requests) == 22  # 20 slots, and two retries of slot 0
    assert verdict.votes[0] == "error: unparseable: garbled criterion line 1"
    assert verdict.votes[1:] == ("no",) * 19
    assert verdict.score == 0.0  # 0 yes of 19 valid: the error is not a no
    assert verdict.decision == "no" and verdict.error is None
    assert error_votes(verdict) == 1


def test_failed_judge_call_is_an_error_vote_and_not_retried() -> None:
    script = Script(votes("f" + "y" * 4))
    verdict = collect_votes(spec(votes=5, adaptive="off"), script)
    assert len(script.requests) == 5
    assert verdict.votes[0] == "error: judge call failed: APIStatusError: 500"
    assert verdict.score == 1.0 and verdict.decision == "yes"


def test_too_many_error_votes_make_the_verdict_an_error_and_stop_early() -> None:
    script = Script(votes("y" + "f" * 30))
    verdict = collect_votes(spec(adaptive="exact", max_error_fraction=0.25), script)
    assert verdict.decision == "error"
    assert verdict.error is not None and "7 of 8 votes failed" in verdict.error
    assert "judge call failed: APIStatusError: 500" in verdict.error
    assert len(script.requests) == 8  # gave up after the first batch: 7 errors > 25% of 20
    assert verdict.score == 1.0  # the one valid vote stays visible


def test_all_errors_give_an_error_verdict_without_a_score() -> None:
    verdict = collect_votes(spec(votes=1, parse_retries=1), Script(votes("pp")))
    assert verdict.decision == "error" and verdict.score is None
    assert verdict.votes == ("error: unparseable: garbled criterion line 1",)


def test_quotes_come_from_yes_votes_once_each() -> None:
    draws: list[Draw] = [
        answer(True, "same"),
        answer(True, "same"),
        answer(False),
        answer(True, "other"),
    ]
    verdict = collect_votes(spec(votes=4, adaptive="off"), Script(draws))
    assert verdict.quotes == ("same", "other")


def test_collector_rejects_unrequested_or_repeated_records() -> None:
    collector = VoteCollector(spec(votes=2, adaptive="off"))
    (first, second) = collector.next_requests()
    collector.record(first, answer(True))
    with pytest.raises(RuntimeError, match="already recorded"):
        collector.record(first, answer(True))
    with pytest.raises(RuntimeError, match="not requested"):
        collector.record(VoteRequest(5), answer(True))
    with pytest.raises(RuntimeError, match="not finished"):
        collector.verdict()
    collector.record(second, answer(False))
    assert collector.done and collector.next_requests() == ()


def test_exact_settled_accounts_for_errors_in_the_remaining_slots() -> None:
    base = spec(maybe_band=0.0)
    assert exact_settled(base, yes=8, valid=8, remaining=12)
    assert not exact_settled(base, yes=0, valid=12, remaining=8)  # 8 yes of 20 would be 0.4
    assert exact_settled(base, yes=0, valid=13, remaining=7)
    assert not exact_settled(base, yes=0, valid=0, remaining=20)


@pytest.mark.parametrize(("yes", "valid", "remaining"), [(0, 6, 14), (1, 8, 12), (5, 9, 11)])
def test_predictive_agreement_matches_the_beta_binomial(
    yes: int, valid: int, remaining: int
) -> None:
    base = spec()
    current = base.decide(yes / valid)
    law = betabinom(remaining, 0.5 + yes, 0.5 + valid - yes)
    expected = sum(
        law.pmf(k)
        for k in range(remaining + 1)
        if base.decide((yes + k) / (valid + remaining)) == current
    )
    assert predictive_agreement(base, yes, valid, remaining) == pytest.approx(expected)


def test_sequential_rule_stops_sooner_on_clear_cases_but_not_on_close_ones() -> None:
    clear_no = Script(votes("n" * 20))
    verdict = collect_votes(spec(adaptive="sequential"), clear_no)
    assert verdict.decision == "no" and len(clear_no.requests) < 17  # exact would need 17
    stream = "ynnynnynnynnynnynnyn"  # 7 yes in 20: maybe, close to the 0.4 threshold
    close = collect_votes(spec(adaptive="sequential"), Script(votes(stream)))
    assert close.votes == tuple("yes" if c == "y" else "no" for c in stream)
    assert close.decision == "maybe"


def test_sequential_rule_respects_min_votes() -> None:
    script = Script(votes("y" * 20))
    collect_votes(spec(adaptive="sequential", min_votes=12, maybe_band=0.0), script)
    assert len(script.requests) == 8  # the exact rule still applies first


def test_compliance_votes_record_level_and_strongreject_score() -> None:
    compliance = load_rubric("compliance")
    full = JudgeAnswer(MappingProxyType({}), "full", score=0.875)
    refusal = JudgeAnswer(MappingProxyType({}), "refusal", score=0.0)
    draws: list[Draw] = [full, refusal, full, *[ParseFailure("x")] * 3]
    verdict = collect_votes(make_spec(compliance, "j", votes=4, adaptive="off"), Script(draws))
    assert verdict.kind == "compliance"
    assert verdict.votes == ("full:0.875", "refusal:0.000", "full:0.875", "error: unparseable: x")
    assert verdict.score == pytest.approx(2 / 3) and verdict.decision == "yes"
    assert strongreject_mean(verdict) == pytest.approx(1.75 / 3)
    assert [vote_is_yes(label) for label in verdict.votes] == [True, False, True, None]


def test_judge_error_count_sums_error_votes_and_error_verdicts() -> None:
    lenient = spec(votes=3, adaptive="off", parse_retries=0, max_error_fraction=0.5)
    ok = collect_votes(lenient, Script(votes("pyy")))
    failed = collect_votes(spec(votes=1, parse_retries=0), Script(votes("f")))
    assert judge_error_count([ok, failed, dataclasses.replace(ok)]) == (3, 1)
