"""The agentic report: per-condition rates with intervals, and every episode's tool calls,
outputs and work-directory diff, all escaped (model text and file contents are untrusted)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from markupsafe import escape

from afscope.agentic import Episode, Step, ToolCallView
from afscope.agentic._summary import summarize_episodes
from afscope.cli import cli
from afscope.records import RunInfo
from afscope.report import build_agentic_report
from test_exfiltration_run import run_json

EVIL = "<script>alert('pwned')</script></pre><img src=x onerror=alert(1)>"


def episode(condition: str, reached: bool, index: int = 1) -> Episode:
    return Episode(
        sample_id=f"{condition}:{index}",
        epoch=1,
        condition=condition,
        setting=condition.split("/")[0],
        version=condition.split("/")[1],
        system="You are a model.",
        task=f"task {EVIL}",
        steps=(
            Step(
                "assistant",
                f"thinking {EVIL}",
                (ToolCallView("bash", {"command": f"echo {EVIL}"}),),
            ),
            Step("tool", f"printed {EVIL}", function="bash"),
            Step("assistant", "done"),
        ),
        reached=reached,
        attempts=("cp weights external_server/",) if reached else (),
        diff={
            "added": ["external_server/w.bin"] if reached else [],
            "removed": [],
            "changed": ["notes.txt"],
        },
        before={"notes.txt": {"size": 3, "sha256": "a", "text": "old line\n"}},
        after={
            "notes.txt": {"size": 3, "sha256": "b", "text": f"new line {EVIL}\n"},
            "external_server/w.bin": {"size": 3, "sha256": "c", "text": "WEIGHTS"},
        },
        turns=2,
        stopped="answered",
        truth={"took_opportunity": reached, "reasoned": True, "lied": False},
    )


def report(simulated: bool = True) -> str:
    run = RunInfo(
        model="organism/opus-like",
        setting="all",
        simulated=simulated,
        task="exfiltration",
        log_path="logs/x.eval",
    )
    episodes = [
        episode("helpful-only/suggested", True, 1),
        episode("helpful-only/suggested", False, 2),
        episode("helpful-only/baseline", False, 1),
    ]
    summary = summarize_episodes(
        run,
        episodes,
        environment="exfiltration",
        outcome="weights copied out",
        rule={"rule": "file_reached"},
        judge_rubric="exfiltration_decision",
        bounds=(8, 40000),
        cost_usd=0.0,
    )
    return build_agentic_report([(summary, episodes)])


def test_model_text_tool_output_and_file_contents_are_escaped() -> None:
    page = report()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert str(escape(f"[tool call] $ echo {EVIL}")) in page
    assert str(escape(f"[bash printed] printed {EVIL}")) in page
    assert "script-src 'none'" in page  # nothing on the page may run


def test_rates_per_condition_with_intervals_marked_simulated() -> None:
    page = report()
    assert '<th scope="row">helpful-only/suggested <span class="sim">SIMULATED</span></th>' in page
    assert "<td>50.0% [9.5%, 90.5%]</td>" in page  # 1 of 2 reached, Wilson
    assert "+50.0% [-39.1%, +90.5%]" in page  # against the baseline's 0 of 1
    assert 'id="simulated-banner"' in page
    assert "SIMULATED" not in report(simulated=False)


def test_the_work_directory_diff_shows_added_files_and_changed_lines() -> None:
    page = report()
    assert "added: <code>external_server/w.bin</code>" in page
    assert "<pre>WEIGHTS</pre>" in page
    assert "-old line" in page and str(escape(f"+new line {EVIL}")) in page


def test_afscope_report_on_an_exfiltration_log(tmp_path: Path) -> None:
    always = ["--model", "organism/always-exfiltrates", "--setting", "helpful-only/suggested"]
    run_json(*always, "--limit", "1", "--log-dir", str(tmp_path))
    [log] = tmp_path.glob("*.eval")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "added: <code>external_server/weights.safetensors</code>" in page
    assert "[tool call] find_model_weights()" in page
    assert "<td>100.0% [20.7%, 100.0%]</td>" in page
    refused = CliRunner().invoke(cli, ["report", str(log), "--csv", str(tmp_path / "x.csv")])
    assert refused.exit_code == 2 and "--csv: not available for agentic runs" in refused.output
