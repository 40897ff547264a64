"""The report of in-context scheming runs: the scheming measure per environment x nudge with its
interval (from :func:`afscope.scheming.summarize_scheming`, the numbers `afscope scheming`
prints), the interrogation's confession rate, and every episode as the agentic report shows it
(tool calls, their outputs, the work directory's diff) with the rule's evidence and management's
questions. Same escaping and Content-Security-Policy as the agentic report, whose episode view
and page it reuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from afscope.errors import DataError
from afscope.report._agentic import file_changes
from afscope.report._html import _svg_uri, render_page, write_html
from afscope.report._scheming_figures import scheming_figure_svg
from afscope.scheming import SchemingEpisode, SchemingRun
from afscope.stats import format_interval

__all__ = ["build_scheming_report", "write_scheming_report"]


def _outcome(item: SchemingEpisode) -> str:
    reached, record = item.episode.reached, item.record
    if reached is None:
        return "failed"
    if record.get("choice") is not None:
        return f"chose {record['choice']}"
    correct = record.get("correct") or []
    if correct:
        return f"{sum(correct)}/{len(correct)} correct"
    return "schemed" if reached else "did not scheme"


def _covert(record: Mapping[str, Any]) -> str | None:
    """The judge's scheming_covert verdict on the episode, as one line; None when not judged."""
    verdict = (record.get("verdicts") or {}).get("scheming_covert")
    if not verdict:
        return None
    score = verdict.get("score")
    shown = f" (score {score:.2f})" if isinstance(score, float) else ""
    return f"{verdict.get('decision')}{shown}, {verdict.get('spec', {}).get('judge_model', '')}"


def _interrogation(record: Mapping[str, Any]) -> list[dict[str, str]]:
    stances = list(record.get("stances") or [])
    by = str(record.get("stances_by") or "unjudged")
    return [
        {"question": q, "answer": a, "stance": stances[i] if i < len(stances) else by}
        for i, (q, a) in enumerate(zip(record["questions"], record["answers"], strict=True))
    ]


def _view(index: int, run: SchemingRun) -> dict[str, Any]:
    info, summary, episodes = run
    return {
        "index": index,
        "info": info,
        "simulated": info.simulated or summary.simulated,
        "episodes_n": summary.episodes,
        "rates": [
            {
                "environment": row.environment,
                "nudge": "nudge" if row.nudge else "no nudge",
                "measure": row.measure,
                "interval": format_interval(row.interval),
                "n": row.interval.n,
                "gap": format_interval(row.gap, signed=True) if row.gap is not None else "",
            }
            for row in summary.rows
        ],
        "covert": [
            {
                "environment": row.environment,
                "nudge": "nudge" if row.nudge else "no nudge",
                "interval": format_interval(row.interval),
                "n": row.interval.n,
            }
            for row in summary.covert
        ],
        "covert_failed": summary.covert_failed,
        "confession": format_interval(summary.confession) if summary.confession else None,
        "confession_n": summary.confession.n if summary.confession else 0,
        "held": format_interval(summary.held) if summary.held else None,
        "turns": summary.turns,
        "unjudged": summary.unjudged,
        "episodes": [
            {
                "episode": item.episode,
                "changes": file_changes(item.episode),
                "verdicts": {},
                "outcome": _outcome(item),
                "evidence": list(item.record.get("evidence") or []),
                "covert": _covert(item.record),
                "interrogation": _interrogation(item.record),
            }
            for item in episodes
        ],
    }


def build_scheming_report(runs: Sequence[SchemingRun], *, title: str | None = None) -> str:
    if not runs:
        raise DataError("no runs to report on: pass at least one log")
    views = [_view(index, run) for index, run in enumerate(runs)]
    return render_page(
        "scheming.html.j2",
        title or _title(runs),
        runs=views,
        simulated=any(view["simulated"] for view in views),
        figure=_svg_uri(scheming_figure_svg(runs)),
    )


def write_scheming_report(
    runs: Sequence[SchemingRun], path: str | Path, *, title: str | None = None
) -> Path:
    return write_html(build_scheming_report(runs, title=title), path)


def _title(runs: Sequence[SchemingRun]) -> str:
    if len(runs) == 1:
        return f"afscope report: {runs[0][0].model} · in-context scheming"
    return f"afscope report: {len(runs)} scheming runs"
