"""Verdicts carry typed decisions across module boundaries and plain strings into JSON."""

from __future__ import annotations

import json

import pytest

from afscope.records import JUDGED_KINDS, Decision, Verdict, VerdictKind


def test_a_decision_read_back_is_the_enum_and_written_out_a_plain_string() -> None:
    data = {"kind": "af_reasoning", "decision": "maybe", "score": 0.41, "spec": {"name": "x"}}
    verdict = Verdict.from_dict(data)
    assert verdict.decision is Decision.MAYBE
    assert verdict.kind == VerdictKind.AF_REASONING
    written = verdict.to_dict()
    assert type(written["decision"]) is str and written["decision"] == "maybe"
    assert Verdict.from_dict(json.loads(json.dumps(written))) == verdict


def test_a_decision_that_is_not_one_fails_where_the_verdict_is_made() -> None:
    with pytest.raises(ValueError, match="'probably'"):
        Verdict("af_reasoning", "probably", None, {})  # type: ignore[arg-type]


def test_the_judged_kinds_are_the_three_the_statistics_count_in_order() -> None:
    assert [str(kind) for kind in JUDGED_KINDS] == [
        "af_reasoning",
        "compliance",
        "partial_compliance",
    ]
