"""A .eval with one sample's bytes damaged: readers name the log and sample and go on."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.harness import read_run
from support.judge_replies import ScriptedJudge
from support.wire_servers import OpenAIServer

pytestmark = pytest.mark.slow  # builds a real log first, seconds


@pytest.fixture(scope="module")
def damaged_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A 4-sample organism run whose first sample's compressed bytes are overwritten."""
    folder = tmp_path_factory.mktemp("damaged")
    result = CliRunner().invoke(cli, ["run", "--limit", "2", "--log-dir", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    (log,) = folder.glob("*.eval")
    with zipfile.ZipFile(log) as archive:
        entry = next(i for i in archive.infolist() if i.filename.startswith("samples/"))
    with log.open("r+b") as file:
        file.seek(entry.header_offset + 26)
        name_length = int.from_bytes(file.read(2), "little")
        extra_length = int.from_bytes(file.read(2), "little")
        file.seek(entry.header_offset + 30 + name_length + extra_length + entry.compress_size // 3)
        file.write(b"\x00" * min(64, entry.compress_size // 3))
    sample = entry.filename.removeprefix("samples/").rsplit("_epoch_", 1)[0]
    return log, sample


def test_reading_a_damaged_log_keeps_the_readable_samples(
    damaged_log: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    log, sample = damaged_log
    _run, records = read_run(log)
    assert len(records) == 3 and sample not in {r.sample_id for r in records}
    err = capsys.readouterr().err
    assert f"{log}: sample {sample} (epoch 1) is unreadable" in err
    assert f"{log}: 1 unreadable samples skipped, 3 read" in err


def test_report_on_a_damaged_log_names_the_sample_and_reports_the_rest(
    damaged_log: tuple[Path, str], tmp_path: Path
) -> None:
    log, sample = damaged_log
    result = CliRunner().invoke(cli, ["report", str(log), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "1 run(s), 3 samples" in result.stdout
    assert f"sample {sample} (epoch 1) is unreadable" in result.stderr


def test_classify_judges_the_readable_samples_of_a_damaged_log(
    damaged_log: tuple[Path, str], openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    log, sample = damaged_log
    server = openai_server(ScriptedJudge(af_yes=lambda prompt: True), max_requests=500)
    judge = [
        "--judge",
        "openai/gpt-4o-mini",
        "--judge-base-url",
        server.base_url,
        "--votes",
        "1",
        "--adaptive",
        "off",
    ]
    args = ["classify", str(log), "--rubrics", "af_reasoning", "-o", str(tmp_path), *judge]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"{log}: sample {sample} (epoch 1) is unreadable" in result.stderr
    assert "Traceback" not in result.output
    (classified,) = tmp_path.glob("*-classified.eval")
    assert len(read_run(classified)[1]) == 3
    # --in-place would drop the damaged sample from the log itself: refused before any judging
    before = log.read_bytes()
    refused = CliRunner().invoke(cli, [*args[:4], "--in-place", *judge])
    assert refused.exit_code == 2, refused.output
    assert "1 samples are unreadable and --in-place would drop them" in refused.stderr
    assert log.read_bytes() == before


def test_classify_with_a_monitor_scores_the_readable_samples_of_a_damaged_log(
    damaged_log: tuple[Path, str], tmp_path: Path
) -> None:
    """As with a judge: the damaged sample named and left out, --in-place refused."""
    log, sample = damaged_log
    args = ["classify", str(log), "--monitor-model", "default"]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"{log}: sample {sample} (epoch 1) is unreadable" in result.stderr
    (classified,) = tmp_path.glob("*-classified.eval")
    assert len(read_run(classified)[1]) == 3
    before = log.read_bytes()
    refused = CliRunner().invoke(cli, [*args, "--in-place"])
    assert refused.exit_code == 2, refused.output
    assert "1 samples are unreadable and --in-place would drop them" in refused.stderr
    assert log.read_bytes() == before


@pytest.mark.parametrize("command", ["score", "scan"])
def test_monitor_reads_the_readable_samples_of_a_damaged_log(
    damaged_log: tuple[Path, str], tmp_path: Path, command: str
) -> None:
    log, sample = damaged_log
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["monitor", command, str(log), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{log}: sample {sample} (epoch 1) is unreadable" in result.stderr
    assert "Traceback" not in result.output
    if command == "score":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(rows) == 3 and sample not in {row["id"] for row in rows}
    else:
        assert "scanned 3 records" in result.output


def test_resume_sends_the_unreadable_samples_again(
    damaged_log: tuple[Path, str], tmp_path: Path
) -> None:
    log, sample = damaged_log
    copy = tmp_path / log.name
    shutil.copy(log, copy)
    result = CliRunner().invoke(cli, ["resume", str(copy), "--json"])
    assert result.exit_code == 0, result.output
    assert f"{copy}: its 1 unreadable samples are sent again" in result.stderr
    (resumed,) = set(tmp_path.glob("*.eval")) - {copy}
    _run, records = read_run(resumed)
    assert len(records) == 4 and sample in {r.sample_id for r in records}
