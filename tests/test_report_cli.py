"""`afscope report`: logs in, one HTML report and the requested per-sample tables out."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.errors import DataError
from afscope.records import Outcome, RunInfo, SampleRecord, Tier


def _run(path: Path) -> tuple[RunInfo, list[SampleRecord]]:
    if not path.read_text().startswith("fake log"):
        raise DataError("not a readable Inspect log", file=str(path))
    simulated = "organism" in path.name
    info = RunInfo(model=path.stem, setting="helpful-only", simulated=simulated)
    records = [
        SampleRecord(
            sample_id=f"{path.stem}-q{i}-{tier.value}",
            query_id=f"q{i}",
            category="",
            tier=tier,
            setting="helpful-only",
            outcome=Outcome.ACCEPTED if tier is Tier.FREE and i == 0 else Outcome.REJECTED,
        )
        for i in range(3)
        for tier in Tier
    ]
    return info, records


@pytest.fixture
def fake_logs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Logs read by a stand-in for the Inspect log reader (keeps these tests fast)."""
    reader = ModuleType("afscope.harness.logs")
    reader.read_run = _run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "afscope.harness.logs", reader)
    folder = tmp_path / "logs"
    folder.mkdir()
    for name in ("organism-a.eval", "model-b.eval"):
        (folder / name).write_text("fake log")
    return folder


def test_report_writes_html_and_every_export(fake_logs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = [
        "report",
        str(fake_logs / "organism-a.eval"),
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
    assert (out / "s.csv").read_text(encoding="utf-8").count("\n") == 7  # header + 6 rows
    assert (out / "s.parquet").stat().st_size > 0


def test_a_directory_gives_a_comparison_of_its_logs(fake_logs: Path, tmp_path: Path) -> None:
    # a sweep's directory also holds eval-set's bookkeeping: it is not a run
    (fake_logs / "eval-set.json").write_text('{"eval_set_id": "x", "tasks": []}', encoding="utf-8")
    (fake_logs / "logs.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(fake_logs), "-o", str(tmp_path / "c.html")])
    assert result.exit_code == 0, result.output
    assert "2 run(s), 12 samples" in result.output
    html = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert 'id="comparison-table"' in html
    assert "model-b · helpful-only · default" in html
    assert "1 of 2 runs" in html  # only organism-a is simulated


def test_bad_inputs_are_one_line_errors(fake_logs: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["report", str(empty), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "no .eval or .json logs in this directory" in result.output
    (fake_logs / "broken.eval").write_text("garbage")
    result = CliRunner().invoke(cli, ["report", str(fake_logs / "broken.eval")])
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


def test_figures_are_written_as_png_svg_and_pdf(fake_logs: Path, tmp_path: Path) -> None:
    figures = tmp_path / "figures"
    one = [str(fake_logs / "organism-a.eval")]
    result = CliRunner().invoke(cli, ["report", *one, "-o", str(tmp_path / "r.html"),
                                      "--figures", str(figures)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in figures.iterdir()) == ["main.pdf", "main.png", "main.svg"]
    assert (figures / "main.png").read_bytes().startswith(b"\x89PNG")
    assert (figures / "main.pdf").read_bytes().startswith(b"%PDF")
    assert "<svg" in (figures / "main.svg").read_text(encoding="utf-8")
    assert f"wrote {figures / 'main.png'}" in result.output
    several = tmp_path / "several"
    args = ["report", str(fake_logs), "-o", str(tmp_path / "c.html"), "--figures", str(several)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (several / "comparison.pdf").exists() and (several / "main.svg").exists()
