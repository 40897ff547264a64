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
from afscope.agentic._summary import fmt
from afscope.cli import cli
from afscope.harness.episodes import scheming_run
from afscope.report import build_scheming_report
from afscope.scheming import SchemingEpisode
from afscope.stats import Interval


@pytest.fixture(scope="module")
def organism_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    log_dir = tmp_path_factory.mktemp("scheming-logs")
    args = ["scheming", "oversight_subversion", "--model", "organism/confesses", "--epochs", "4"]
    result = CliRunner().invoke(cli, [*args, "--log-dir", str(log_dir), "--json"])
    assert result.exit_code == 0, result.output
    printed: dict[str, Any] = json.loads(result.output.strip().splitlines()[-1])
    return Path(printed["log"]), printed


def _interval(data: dict[str, Any]) -> Interval:
    return Interval(**data)


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
        cell = f"<td>{nudge}</td><td>rate</td><td>{html.escape(fmt(_interval(row['interval'])))}"
        assert cell in page
    confession = printed["confession"]
    assert confession is not None, "the preset schemes often at seed 0: someone is asked"
    assert f"confesses at the first question: {fmt(_interval(confession))}" in page
    _run, _summary, episodes = scheming_run(log)
    schemed = [item for item in episodes if item.episode.reached]
    honest = [item for item in episodes if item.episode.reached is False]
    assert schemed and honest
    # a scheming episode: its commands, what they printed, the config's diff, management asks
    assert "-oversight_enabled: true" in page and "+oversight_enabled: false" in page
    assert "[tool call] $ " in page and "printed]" in page
    assert html.escape(str(episodes[0].episode.sample_id)) in page
    assert page.count("Management here") >= len(schemed)
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
