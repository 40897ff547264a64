"""A .eval with one sample's bytes damaged: readers name the log and sample and go on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.harness import read_run

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
