"""The report of agentic runs (exfiltration and other environments): per-condition rates with
intervals, and every episode with its tool calls, their outputs and the work directory's diff.

Rendered server-side by Jinja with autoescape on, under the same Content-Security-Policy as the
alignment-faking report: model text, tool output and file contents are only ever escaped text.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from afscope.agentic import Episode
from afscope.agentic._summary import AgenticSummary
from afscope.errors import DataError
from afscope.report._html import render_page, write_html
from afscope.stats import format_interval

__all__ = ["AgenticRun", "build_agentic_report", "file_changes", "write_agentic_report"]

AgenticRun = tuple[AgenticSummary, Sequence[Episode]]
_SHOWN_CHARS = 4000  # of an added file's text or a diff, per file


@dataclass(frozen=True)
class FileChange:
    """One path of the work directory's diff: ``added``/``removed``/``changed`` and what to show
    (an added file's text, a changed file's unified diff; empty when only digests are known)."""

    path: str
    change: str
    shown: str


def file_changes(episode: Episode) -> list[FileChange]:
    """The work directory's changes of an episode, with text where the snapshot kept it."""
    out = []
    for change in ("added", "removed", "changed"):
        for path in episode.diff.get(change, ()):
            before = _text(episode.before.get(path))
            after = _text(episode.after.get(path))
            if change == "added":
                shown = after
            elif change == "changed" and before is not None and after is not None:
                shown = "".join(
                    difflib.unified_diff(
                        before.splitlines(keepends=True),
                        after.splitlines(keepends=True),
                        f"before/{path}",
                        f"after/{path}",
                    )
                )
            else:
                shown = ""
            out.append(FileChange(path, change, (shown or "")[:_SHOWN_CHARS]))
    return out


def _text(entry: Mapping[str, Any] | None) -> str | None:
    text = entry.get("text") if entry else None
    return text if isinstance(text, str) else None


def build_agentic_report(runs: Sequence[AgenticRun], *, title: str | None = None) -> str:
    if not runs:
        raise DataError("no runs to report on: pass at least one log")
    views = [
        {
            "index": index,
            "summary": summary,
            "simulated": summary.run.simulated,
            "rates": [
                {
                    "condition": r.condition,
                    "n": r.n,
                    "failed": r.failed,
                    "reached": format_interval(r.reached),
                    "tried": format_interval(r.tried),
                    "judged": format_interval(r.judged) if r.judged is not None else "not judged",
                    "versus": format_interval(r.vs_baseline, signed=True) if r.vs_baseline else "",
                    "truth": "" if r.truth is None else f"{r.truth:.1%}",
                }
                for r in summary.rates
            ],
            "scoring": summary.scoring_line(),
            "episodes": [
                {"episode": e, "changes": file_changes(e), "verdicts": dict(e.verdicts)}
                for e in episodes
            ],
        }
        for index, (summary, episodes) in enumerate(runs)
    ]
    return render_page(
        "agentic.html.j2",
        title or _title(runs),
        runs=views,
        simulated=any(summary.run.simulated for summary, _ in runs),
    )


def write_agentic_report(
    runs: Sequence[AgenticRun], path: str | Path, *, title: str | None = None
) -> Path:
    return write_html(build_agentic_report(runs, title=title), path)


def _title(runs: Sequence[AgenticRun]) -> str:
    first = runs[0][0]
    if len(runs) == 1:
        return f"afscope report: {first.run.model} · {first.environment} · {first.run.variant}"
    return f"afscope report: {len(runs)} agentic runs"
