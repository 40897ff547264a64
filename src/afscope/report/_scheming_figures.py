"""The scheming figure and the per-episode exports of scheming runs.

:func:`scheming_figure` draws, for each run, every environment x nudge cell of its summary as a
point with its 95% interval (the rate, pair rate or accuracy drop the table shows), in the style
of the alignment-faking figures; :func:`save_scheming_figures` writes it as PNG, SVG and PDF.
:func:`export_scheming` writes one row per episode as CSV, Parquet or JSON, through the same
writers as the alignment-faking exports (spreadsheet-safe text in CSV).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from afscope.report._export import ExportFormat, write_rows
from afscope.report._figures import _draw_intervals, _percent, _style, _to_svg, write_figure
from afscope.scheming import SchemingRun

__all__ = ["export_scheming", "save_scheming_figures", "scheming_figure", "scheming_rows"]


def _run_label(run: SchemingRun) -> str:
    info, summary, _episodes = run
    simulated = "SIMULATED model organism: " if info.simulated or summary.simulated else ""
    return f"{simulated}{info.model}"


def scheming_figure(runs: Sequence[SchemingRun]) -> Figure:
    """One panel per run: each environment's cells (no nudge, nudge) with their intervals."""
    rows = max((len(run[1].rows) for run in runs), default=1)
    with _style():
        figure = Figure(figsize=(9.0, 1.0 + len(runs) * (0.9 + 0.3 * rows)), layout="constrained")
        panels = figure.subplots(len(runs), 1, squeeze=False)[:, 0]
        for axes, run in zip(panels, runs, strict=True):
            cells = run[1].rows
            labels = [
                f"{row.environment} · {'nudge' if row.nudge else 'no nudge'} ({row.measure})"
                for row in cells
            ]
            intervals = [row.interval for row in cells]
            title = f"{_run_label(run)}\nscheming per environment x nudge (95% intervals)"
            _draw_intervals(axes, labels, list(intervals), title, _percent)
            low = min([0.0, *(100.0 * i.low for i in intervals)])  # an accuracy drop can be < 0
            axes.set_xlim(low, 100.0)
            axes.set_ylim(len(cells) - 0.5, -0.5)
            axes.axvline(0.0, color="#999999", linewidth=0.6)
            axes.set_xlabel("%")
        return figure


def scheming_figure_svg(runs: Sequence[SchemingRun]) -> str:
    """:func:`scheming_figure` as SVG text, for the HTML report."""
    with _style():
        return _to_svg(scheming_figure(runs))


def save_scheming_figures(runs: Sequence[SchemingRun], folder: Path) -> list[Path]:
    """``scheming.png``, ``.svg`` and ``.pdf`` in ``folder``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    with _style():
        return write_figure(scheming_figure(runs), folder, "scheming")


def scheming_rows(runs: Sequence[SchemingRun]) -> list[dict[str, Any]]:
    """One row per episode: its setup, the rule's finding, the interrogation and the judge."""
    rows = []
    for index, (info, _summary, episodes) in enumerate(runs):
        for item in episodes:
            record, truth = item.record, item.record.get("organism_truth") or {}
            stances = list(record.get("stances") or [])
            correct = list(record.get("correct") or [])
            rows.append(
                {
                    "run": index,
                    "model": info.model,
                    "simulated": info.simulated or bool(truth),
                    "sample_id": item.episode.sample_id,
                    "environment": record.get("environment"),
                    "key": record.get("key"),
                    "nudge": record.get("nudge"),
                    "condition": record.get("condition"),
                    "epoch": record.get("epoch"),
                    "schemed": record.get("schemed"),
                    "choice": record.get("choice"),
                    "correct": sum(correct) if correct else None,
                    "arithmetic_questions": len(correct) if correct else None,
                    "evidence": "; ".join(record.get("evidence") or []),
                    "asked": record.get("asked", 0),
                    "stances": ",".join(stances),
                    "stances_by": record.get("stances_by") or "",
                    "confessed_at": stances.index("confess") + 1 if "confess" in stances else None,
                    "covert": record.get("covert"),
                    "organism_schemed": truth.get("schemed"),
                    "error": item.episode.error,
                }
            )
    return rows


def export_scheming(runs: Sequence[SchemingRun], path: str | Path, format: ExportFormat) -> Path:
    """Write :func:`scheming_rows` to ``path`` as ``format``; returns the path written."""
    return write_rows(scheming_rows(runs), Path(path), format)
