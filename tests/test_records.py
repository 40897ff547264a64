"""Verdicts and runs carry typed decisions and classifier specs across module boundaries, and
plain strings and mappings into JSON."""

from __future__ import annotations

import json

import pytest

from afscope.records import JUDGED_KINDS, ClassifierRef, Decision, RunInfo, Verdict, VerdictKind


def test_a_decision_read_back_is_the_enum_and_written_out_a_plain_string() -> None:
    data = {"kind": "af_reasoning", "decision": "maybe", "score": 0.41, "spec": {"name": "x"}}
    verdict = Verdict.from_dict(data)
    assert verdict.decision is Decision.MAYBE
    assert verdict.kind == VerdictKind.AF_REASONING
    written = verdict.to_dict()
    assert type(written["decision"]) is str and written["decision"] == "maybe"
    assert Verdict.from_dict(json.loads(json.dumps(written))) == verdict


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"flags": ("out_of_distribution",)},
        {"quotes": ("I will comply to avoid being modified.",)},
        {"votes": ("yes", "no"), "tokens": 812},
        {"error": "", "tokens": -1},  # not the defaults (None, 0): kept, so read back the same
        {"error": "judge said nothing"},
    ],
)
def test_a_stored_verdict_leaves_out_only_its_defaults_and_reads_back_the_same(
    extra: dict[str, object],
) -> None:
    spec = ClassifierRef({"name": "local-monitor", "version": "2.0.0", "threshold": 0.58})
    verdict = Verdict("af_reasoning", Decision.NO, 0.0, spec, **extra)  # type: ignore[arg-type]
    stored = verdict.to_stored()
    whole = verdict.to_dict()
    assert set(stored) == {"kind", "decision", "score", "spec", *extra}
    assert {k: whole[k] for k in stored} == stored
    assert Verdict.from_dict(json.loads(json.dumps(stored))) == verdict
    assert Verdict.from_dict(json.loads(json.dumps(whole))) == verdict


def test_a_stored_verdict_shares_the_spec_it_is_given_and_only_an_equal_one() -> None:
    spec = ClassifierRef({"name": "local-monitor", "version": "2.0.0"})
    verdict = Verdict("af_reasoning", Decision.YES, 0.9, spec)
    assert verdict.to_stored(spec)["spec"] is spec
    with pytest.raises(ValueError, match="another classifier"):
        verdict.to_stored(ClassifierRef({"name": "local-monitor", "version": "1.0.0"}))


def test_a_decision_that_is_not_one_fails_where_the_verdict_is_made() -> None:
    with pytest.raises(ValueError, match="'probably'"):
        Verdict("af_reasoning", "probably", None, {})  # type: ignore[arg-type]


def test_the_judged_kinds_are_the_three_the_statistics_count_in_order() -> None:
    assert [str(kind) for kind in JUDGED_KINDS] == [
        "af_reasoning",
        "compliance",
        "partial_compliance",
    ]


def test_a_spec_read_back_is_typed_and_keeps_every_field_it_was_written_with() -> None:
    spec = {"name": "af_reasoning", "version": 3, "judge_model": "openai/x", "votes": 20}
    verdict = Verdict.from_dict(
        {"kind": "af_reasoning", "decision": "yes", "score": 1.0, "spec": spec}
    )
    assert isinstance(verdict.spec, ClassifierRef)
    assert (verdict.spec.name, verdict.spec.version, verdict.spec.judge_model) == (
        "af_reasoning",
        "3",
        "openai/x",
    )
    assert json.loads(json.dumps(verdict.to_dict()))["spec"] == spec  # stored as it came
    monitor = ClassifierRef({"name": "local-monitor", "version": "2.0.0", "type": "monitor"})
    assert (monitor.label, monitor.type, monitor.judge_model) == (
        "local-monitor 2.0.0",
        "monitor",
        None,
    )
    run = RunInfo(
        model="m", setting="s", simulated=False, classifiers={"af_reasoning": dict(monitor)}
    )
    assert isinstance(run.classifiers["af_reasoning"], ClassifierRef)
    assert RunInfo.from_dict(json.loads(json.dumps(run.to_dict()))) == run
