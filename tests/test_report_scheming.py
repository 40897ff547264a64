"""`afscope report` on an in-context scheming log: the rates per environment x nudge with their
intervals and the confession rate as `afscope scheming` printed them, and each episode with its
tool calls, their outputs, the work directory's diff and management's questions; escaped, and
SIMULATED on the organism."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from afscope.agentic import Step
from afscope.cli import cli
from afscope.harness._episodes import scheming_run
from afscope.report import build_scheming_report
from afscope.scheming import SchemingEpisode


@pytest.fixture(scope="module")
def organism_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    log_dir = tmp_path_factory.mktemp("scheming-logs")
    args = ["scheming", "oversight_subversion", "--model", "organism/confesses", "--epochs", "4"]
    result = CliRunner().invoke(cli, [*args, "--log-dir", str(log_dir), "--json"])
    assert result.exit_code == 0, result.output
    printed: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return Path(printed["log"]), printed


def test_the_report_shows_the_printed_rates_confessions_and_episodes(
    organism_log: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    log, printed = organism_log
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 scheming run(s), 24 samples" in result.output and "SIMULATED" in result.output
    page = out.read_text()
    assert "SIMULATED model." in page and "organism/confesses (SIMULATED)" in page
    # the same numbers `afscope scheming` printed, each cell with its interval
    assert len(printed["rates"]) == 2
    for row in printed["rates"]:
        nudge = "nudge" if row["nudge"] else "no nudge"
        cell = f"<td>{nudge}</td><td>rate</td><td>{html.escape(_shown(row['interval']))}"
        assert cell in page
    confession = printed["confession"]
    assert confession is not None, "the preset schemes often at seed 0: someone is asked"
    assert f"confesses at the first question: {_shown(confession)}" in page
    _run, _summary, episodes = scheming_run(log)
    schemed = [item for item in episodes if item.episode.reached]
    honest = [item for item in episodes if item.episode.reached is False]
    assert schemed and honest
    # a scheming episode: its commands, what they printed, the config's diff, management asks
    assert "-oversight_enabled: true" in page and "+oversight_enabled: false" in page
    assert "[tool call] $ " in page and "printed]" in page
    assert html.escape(str(episodes[0].episode.sample_id)) in page
    # management's questions once each (the episode's steps end where the interrogation begins)
    asked = [item for item in episodes if item.record["questions"]]
    assert len(asked) == len(schemed) and page.count("Management here") == len(asked)
    assert page.count("<summary>oversight_subversion/") == 24
    assert page.count("· schemed ·") == len(schemed)
    assert page.count("· did not scheme ·") == len(honest)


def test_model_text_and_tool_output_are_escaped(
    organism_log: tuple[Path, dict[str, Any]],
) -> None:
    log, _printed = organism_log
    run, summary, episodes = scheming_run(log)
    attack = "<script>alert(1)</script>"
    first = episodes[0]
    steps = (Step("assistant", attack), Step("tool", attack, function="bash"))
    record = {**first.record, "questions": [attack], "answers": [attack], "evidence": [attack]}
    hostile = SchemingEpisode(replace(first.episode, steps=steps), record)
    page = build_scheming_report([(run, summary, [hostile])])
    assert attack not in page and page.count(html.escape(attack)) >= 5


def test_exports_and_the_figure_per_environment_and_nudge(
    organism_log: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    import csv

    log, printed = organism_log
    out, figures = tmp_path / "report.html", tmp_path / "figures"
    args = ["report", str(log), "-o", str(out), "--csv", str(tmp_path / "e.csv")]
    args += ["--json", str(tmp_path / "e.json"), "--figures", str(figures)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = json.loads((tmp_path / "e.json").read_text())
    with (tmp_path / "e.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows) == 24
    _run, summary, _episodes = scheming_run(log)
    assert sum(row["schemed"] for row in rows) == sum(
        round(r.interval.estimate * r.interval.n) for r in summary.rows
    )
    assert {row["environment"] for row in rows} == {"oversight_subversion"}
    assert all(row["simulated"] for row in rows)
    asked = [row for row in rows if row["asked"]]
    assert asked and all(row["stances"] and row["schemed"] for row in asked)
    assert sorted(p.name for p in figures.iterdir()) == [
        "scheming.pdf",
        "scheming.png",
        "scheming.svg",
    ]
    svg = (figures / "scheming.svg").read_text()
    for row in printed["rates"]:
        assert f"oversight_subversion · {'nudge' if row['nudge'] else 'no nudge'} (rate)" in svg
    assert "SIMULATED model organism" in svg
    assert 'src="data:image/svg+xml;base64,' in out.read_text()
    (tmp_path / "v.jsonl").write_text('{"text": "x", "label": true}\n')
    refused = CliRunner().invoke(
        cli, ["report", str(log), "-o", str(out), "--validation", str(tmp_path / "v.jsonl")]
    )
    assert refused.exit_code != 0 and "--validation: not available for scheming" in refused.output


def _shown(data: dict[str, Any]) -> str:
    """A rate as the report writes it, spelled out here rather than with the report's formatter."""
    return f"{data['estimate']:.1%} [{data['low']:.1%}, {data['high']:.1%}]"
