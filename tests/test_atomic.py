"""Outputs appear whole or not at all (afscope._atomic), and the report and exports use it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from afscope._atomic import atomic_open, atomic_path
from afscope.report import _export


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_open(target) as handle:
        handle.write("half a new rep")
        raise RuntimeError("killed midway")
    assert target.read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_finished_write_replaces_the_file_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path and temporary != target
        temporary.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # not visible until done
    assert target.read_text(encoding="utf-8") == "new"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_an_export_that_fails_midway_leaves_the_previous_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "samples.json"
    target.write_text("[]\n", encoding="utf-8")
    rows = [{"id": "a", "text": "x"}, {"id": "b", "text": object()}]  # not JSON: fails midway
    monkeypatch.setattr(_export, "sample_rows", lambda runs: rows)
    with pytest.raises(TypeError):
        _export.export_samples([], target, "json")
    assert target.read_text(encoding="utf-8") == "[]\n"
    assert [p.name for p in tmp_path.iterdir()] == ["samples.json"]
