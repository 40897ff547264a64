"""`afscope report`: logs in, one HTML report and the requested per-sample tables out."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.records import RunInfo


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real logs of `afscope run` on the organism (3 queries each), read by Inspect's reader."""
    folder = tmp_path_factory.mktemp("logs")
    for model in ("organism/opus-like", "organism/no-gap"):
        args = ["run", "--limit", "3", "--model", model, "--log-dir", str(folder), "--json"]
        ran = CliRunner().invoke(cli, args)
        assert ran.exit_code == 0, ran.output
    return folder


def _log(folder: Path, model: str) -> Path:
    from afscope.harness import read_run_info

    return next(p for p in sorted(folder.glob("*.eval")) if read_run_info(p).model == model)


def test_report_writes_html_and_every_export(real_logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = [
        "report",
        str(_log(real_logs, "organism/opus-like")),
        "-o",
        str(out / "r.html"),
        "--csv",
        str(out / "s.csv"),
        "--parquet",
        str(out / "s.parquet"),
        "--json",
        str(out / "s.json"),
        "--title",
        "My report",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 run(s), 6 samples" in result.output
    assert "SIMULATED" in result.output
    html = (out / "r.html").read_text(encoding="utf-8")
    assert "<title>My report</title>" in html and 'id="simulated-banner"' in html
    assert len(json.loads((out / "s.json").read_text(encoding="utf-8"))) == 6
    with (out / "s.csv").open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 6
    assert (out / "s.parquet").stat().st_size > 0


def test_a_directory_gives_a_comparison_of_its_logs(real_logs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    folder.mkdir()
    for log in real_logs.glob("*.eval"):
        (folder / log.name).write_bytes(log.read_bytes())
    # a sweep's directory also holds eval-set's bookkeeping: it is not a run
    (folder / "eval-set.json").write_text('{"eval_set_id": "x", "tasks": []}', encoding="utf-8")
    (folder / "logs.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(folder), "-o", str(tmp_path / "c.html")])
    assert result.exit_code == 0, result.output
    assert "2 run(s), 12 samples" in result.output
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert 'id="comparison-table"' in html
    # the runs differ only in the model: that is their label
    labels = re.findall(r'<tr><th scope="row">\d\. (.*?)</th>', html)
    assert sorted(labels) == ["organism/no-gap (simulated)", "organism/opus-like (simulated)"]
    assert "Every run in this report" in html
    # one monitor judged both: its box is shown once; one system prompt was sent to both
    assert html.count("<caption>local-monitor@") == 1
    assert html.count('<details class="prompt">') == 1
    assert "Runs 1, 2: variant default" in html


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["report", str(empty), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "no .eval or .json logs in this directory" in result.output
    (tmp_path / "broken.eval").write_text("garbage")
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "broken.eval")])
    assert result.exit_code == 2
    assert "broken.eval: not a readable Inspect log" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["report"])
    assert result.exit_code == 2 and "Missing argument" in result.output


@pytest.mark.slow
def test_report_from_a_real_simulated_run(tmp_path: Path) -> None:
    """End to end through Inspect: `afscope run` on the organism, then `afscope report`."""
    runner = CliRunner()
    logs = tmp_path / "logs"
    ran = runner.invoke(cli, ["run", "--limit", "2", "--log-dir", str(logs), "--json"])
    assert ran.exit_code == 0, ran.output
    out = tmp_path / "report.html"
    result = runner.invoke(
        cli, ["report", str(logs), "-o", str(out), "--json", str(tmp_path / "s.json")]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert 'id="simulated-banner"' in html and "organism/opus-like" in html
    rows = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert len(rows) == 4 and {row["tier"] for row in rows} == {"free", "paid"}
    assert all(row["simulated"] for row in rows)


def test_figures_are_written_as_png_svg_and_pdf(real_logs: Path, tmp_path: Path) -> None:
    figures = tmp_path / "figures"
    one = [str(_log(real_logs, "organism/opus-like"))]
    args = ["report", *one, "-o", str(tmp_path / "r.html"), "--figures", str(figures)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in figures.iterdir()) == [
        f"{name}.{ext}" for name in ("main", "rates") for ext in ("pdf", "png", "svg")
    ]
    assert (figures / "rates.png").read_bytes().startswith(b"\x89PNG")
    assert (figures / "main.pdf").read_bytes().startswith(b"%PDF")
    assert "<svg" in (figures / "rates.svg").read_text(encoding="utf-8")
    assert f"wrote {figures / 'main.png'}" in result.output
    several = tmp_path / "several"
    args = ["report", str(real_logs), "-o", str(tmp_path / "c.html"), "--figures", str(several)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (several / "comparison.pdf").exists() and (several / "main.svg").exists()
    assert not (several / "rates.svg").exists()


def test_an_incomplete_run_is_marked_in_its_label_and_summary() -> None:
    from afscope.summary import summarize_run

    run = RunInfo(model="openai/gpt-4o", setting="helpful-only", simulated=False, complete=False)
    summary = summarize_run(run, [])
    assert run.label.endswith("· incomplete")
    assert "INCOMPLETE (interrupted: afscope resume LOG)" in summary.lines()[0]
    assert summary.to_json()["complete"] is False
    assert "incomplete" not in RunInfo(model="m/x", setting="s", simulated=False).label
