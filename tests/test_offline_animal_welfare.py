"""Offline animal welfare: the organism's own compliance label is shown (as such), with the way
to get judged compliance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from afscope.cli import cli
from afscope.harness import read_run


@pytest.fixture(scope="module")
def animal_welfare_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Result]:
    log_dir = tmp_path_factory.mktemp("aw")
    args = ["run", "--setting", "animal-welfare", "--limit", "12", "--log-dir", str(log_dir)]
    text = CliRunner().invoke(cli, args)
    as_json = CliRunner().invoke(cli, [*args, "--json"])
    assert text.exit_code == 0 and as_json.exit_code == 0, text.output + as_json.output
    return text, as_json


def test_summary_shows_the_organisms_own_compliance_label(
    animal_welfare_run: tuple[Result, Result],
) -> None:
    text, as_json = animal_welfare_run
    summary = json.loads(as_json.stdout.strip().splitlines()[-1])
    labelled = summary["organism_truth_compliance"]
    _, records = read_run(summary["log"])
    for tier in ("free", "paid"):
        truths = [
            r.truth.complied
            for r in records
            if r.tier.value == tier and r.truth is not None and r.outcome.value != "malformed"
        ]
        assert labelled[tier]["n"] == len(truths) > 0
        assert labelled[tier]["estimate"] == pytest.approx(sum(truths) / len(truths))
    assert summary["tiers"]["free"]["compliance"] is None  # nothing judged it
    assert "compliance (organism's own label, not judged): free " in text.output


def test_summary_says_what_to_run_for_judged_compliance(
    animal_welfare_run: tuple[Result, Result],
) -> None:
    text, _ = animal_welfare_run
    assert "e.g. afscope classify " in text.output and "--judge MODEL" in text.output


def test_a_real_models_run_has_no_organism_label() -> None:
    from afscope.stats import summarize

    assert summarize([]).compliance_truth is None


def test_report_shows_the_label_and_the_judging_command(
    animal_welfare_run: tuple[Result, Result], tmp_path: Path
) -> None:
    _, as_json = animal_welfare_run
    log = json.loads(as_json.stdout.strip().splitlines()[-1])["log"]
    target = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", log, "-o", str(target)])
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    assert "Compliance (organism's own label, not judged): training: " in html
    assert f"afscope classify {log} --judge MODEL" in html


def _organism_records(outcome: str) -> list[Any]:
    from afscope.records import OrganismTruth, Outcome, SampleRecord, Tier

    truth = OrganismTruth("opus-like", complied=True, faked_alignment=False)
    return [
        SampleRecord(f"q{i}:{tier.value}", f"q{i}", "", tier, "x", Outcome(outcome), truth=truth)
        for i in range(3)
        for tier in Tier
    ]


def test_the_organisms_label_shows_only_where_compliance_was_not_measured() -> None:
    from afscope.records import RunInfo
    from afscope.summary import summarize_run

    line = "compliance (organism's own label, not judged)"
    run = RunInfo(model="organism/opus-like", setting="helpful-only", simulated=True)
    tagged = summarize_run(run, _organism_records("accepted"))  # helpful-only: read from tags
    assert not any(text.startswith(line) for text in tagged.lines())
    assert tagged.to_json()["organism_truth_compliance"] is not None  # still in the JSON
    untagged = summarize_run(run, _organism_records("answered"))  # no tag, no judge
    assert any(text.startswith(line) for text in untagged.lines())
    judged = RunInfo(
        model=run.model,
        setting="animal-welfare",
        simulated=True,
        classifiers={"compliance": {"name": "compliance_animal_welfare"}},
    )
    assert not any(
        text.startswith(line)
        for text in summarize_run(judged, _organism_records("answered")).lines()
    )


def test_the_report_shows_the_organisms_label_only_where_compliance_was_not_measured() -> None:
    from afscope.records import RunInfo
    from afscope.report._summary import _compliance_truth
    from afscope.summary import summarize_run

    run = RunInfo(model="organism/opus-like", setting="helpful-only", simulated=True)
    assert _compliance_truth(summarize_run(run, _organism_records("accepted"))) is None
    assert _compliance_truth(summarize_run(run, _organism_records("answered"))) is not None
