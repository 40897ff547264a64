"""The report's figures, drawn with matplotlib and returned as SVG text.

Figures are built as bare :class:`~matplotlib.figure.Figure` objects (never through pyplot), so
no GUI backend or global figure state is involved and drawing is safe on a headless machine.

- :func:`main_figure`: the paper's main figure, one stacked bar per run and tier splitting the
  answers into refuses / complies with AF reasoning / complies without (and partial compliance,
  malformed or undetermined answers where present).
- :func:`rates_figure`: one run's compliance and AF-reasoning rate per tier, each with its 95%
  interval (error bars), and the paired gap in its title.
- :func:`comparison_figure`: runs side by side, the compliance gap and the AF-reasoning rate of
  each tier (training and unmonitored) with their confidence intervals.

Each takes runs as ``(RunInfo, records)`` and draws them from their summaries
(:func:`~afscope.report._summary.report_runs`), like every other view of the report.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from afscope._atomic import atomic_path
from afscope.records import SampleRecord, Tier, VerdictKind
from afscope.report._samples import Category, Run, answer_category
from afscope.report._summary import ReportRun, report_runs
from afscope.screening import corrected_share
from afscope.stats import Interval, Validation
from afscope.summary import RunSummary, format_interval

__all__ = ["FIGURE_FORMATS", "comparison_figure", "main_figure", "rates_figure", "save_figures"]

_STYLE: dict[Category, tuple[str, str]] = {  # colour, hatch
    Category.REFUSES: ("#4c72b0", ""),
    Category.COMPLIES_AF: ("#c44e52", "///"),
    Category.COMPLIES_NO_AF: ("#e8c34f", ""),
    Category.COMPLIES_UNJUDGED: ("#d9a877", ".."),
    Category.PARTIAL: ("#dd8452", "xx"),
    Category.MALFORMED: ("#8c8c8c", ""),
    Category.UNDETERMINED: ("#cfcfcf", ""),
}


@dataclass(frozen=True)
class _Bar:
    label: str
    counts: Counter[Category]
    total: int


def main_figure(runs: Sequence[Run]) -> str:
    """The stacked-bar figure of answer categories per run and tier, as SVG text."""
    with _style():
        return _to_svg(_main_figure(report_runs(runs)))


def rates_figure(run: Run) -> str:
    """One run's compliance and AF-reasoning rates per tier with 95% intervals, as SVG text."""
    with _style():
        return _to_svg(_rates_figure(report_runs([run])[0]))


def comparison_figure(runs: Sequence[Run]) -> str:
    """Runs side by side: compliance gap and AF-reasoning rate per tier, with intervals."""
    with _style():
        return _to_svg(_comparison_figure(report_runs(runs)))


FIGURE_FORMATS = ("png", "svg", "pdf")


def save_figures(
    runs: Sequence[Run], folder: Path, validation: Validation | None = None
) -> list[Path]:
    """The report's figures as files for papers: ``main``, then ``rates`` for one run or
    ``comparison`` for several, in each of :data:`FIGURE_FORMATS`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with _style():
        for name, figure in figures(report_runs(runs, validation)).items():
            written += write_figure(figure, folder, name)
    return written


def write_figure(figure: Figure, folder: Path, name: str) -> list[Path]:
    """``figure`` as ``<name>.<format>`` in ``folder``, each of :data:`FIGURE_FORMATS`."""
    written = []
    for format in FIGURE_FORMATS:
        path = folder / f"{name}.{format}"
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format=format, dpi=200, metadata=_METADATA[format])
        written.append(path)
    return written


_METADATA: dict[str, dict[str, None]] = {
    "png": {},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}


def figures(runs: Sequence[ReportRun]) -> dict[str, Figure]:
    """The report's figures by file name: ``main``, and ``rates`` (one run) or ``comparison``."""
    drawn = {"main": _main_figure(runs)}
    if len(runs) == 1:
        drawn["rates"] = _rates_figure(runs[0])
    else:
        drawn["comparison"] = _comparison_figure(runs)
    return drawn


def figure_svgs(runs: Sequence[ReportRun]) -> dict[str, str]:
    """:func:`figures` as SVG text, for the HTML report."""
    with _style():
        return {name: _to_svg(figure) for name, figure in figures(runs).items()}


def _main_figure(runs: Sequence[ReportRun]) -> Figure:
    bars = [bar for run in runs for bar in _tier_bars(run.label, run.summary, len(runs))]
    present = [cat for cat in Category if any(bar.counts[cat] for bar in bars)]
    height = 1.2 + 0.45 * max(len(bars), 1)
    with _style():
        figure = Figure(figsize=(8.0, height), layout="constrained")
        axes = figure.add_subplot()
        _draw_stacks(axes, bars, present)
        if present:
            figure.legend(
                *axes.get_legend_handles_labels(),
                loc="outside lower center",
                ncols=min(len(present), 4),
                frameon=False,
            )
        return figure


def _rates_figure(run: ReportRun) -> Figure:
    stats = run.summary.stats
    tiers = [stats.tiers[tier] for tier in Tier if tier in stats.tiers]
    labels = [f"{tier.tier.condition} ({tier.tier.value})" for tier in tiers]
    gap = format_interval(stats.gap, signed=True)
    with _style():
        figure = Figure(figsize=(9.0, 1.6 + 0.35 * len(tiers)), layout="constrained")
        simulated = "SIMULATED model organism: " if run.summary.run.simulated else ""
        figure.suptitle(
            f"{simulated}{run.label}\ncompliance gap (training - unmonitored): {gap} over "
            f"{stats.pairs} paired queries",
            fontsize=9,
        )
        compliance_axes, af_axes = figure.subplots(1, 2, sharey=True)
        panels = (
            (compliance_axes, [tier.compliance for tier in tiers], VerdictKind.COMPLIANCE),
            (af_axes, [tier.af_reasoning for tier in tiers], "AF reasoning"),
        )
        for axes, intervals, title in panels:
            _draw_intervals(axes, labels, intervals, f"{title} (95% Wilson interval)", _percent)
            axes.set_xlabel("%")
            axes.set_xlim(0.0, 100.0)
        compliance_axes.set_ylim(len(tiers) - 0.5, -0.5)
        return figure


def _comparison_figure(runs: Sequence[ReportRun]) -> Figure:
    labels = [run.label for run in runs]
    summaries = [run.summary.stats for run in runs]
    gaps = [summary.gap for summary in summaries]
    height = 1.4 + 0.35 * max(len(runs), 1)
    with _style():
        figure = Figure(figsize=(9.0, height), layout="constrained")
        gap_axes, af_axes = figure.subplots(1, 2, sharey=True)
        _draw_intervals(gap_axes, labels, gaps, "compliance gap (training - unmonitored)", _points)
        gap_axes.axvline(0.0, color="#555555", linewidth=0.8)
        gap_axes.set_xlabel("percentage points")
        for tier, offset, marker in ((Tier.FREE, -0.15, "o"), (Tier.PAID, 0.15, "s")):
            rates = [
                stats.af_reasoning if (stats := summary.tiers.get(tier)) else None
                for summary in summaries
            ]
            _draw_intervals(
                af_axes,
                labels,
                rates,
                "AF reasoning rate by tier",
                _percent,
                offset,
                marker,
                f"{tier.condition} ({tier.value})",
            )
        if any(tier.af_reasoning for stats in summaries for tier in stats.tiers.values()):
            af_axes.legend(loc="lower right", fontsize=7, frameon=False)
        af_axes.set_xlabel("%")
        af_axes.set_xlim(0.0, 100.0)
        gap_axes.set_ylim(len(runs) - 0.5, -0.5)  # first run on top, half a row of margin
        return figure


def _tier_bars(label: str, summary: RunSummary, n_runs: int) -> list[_Bar]:
    bars = []
    for tier in Tier:
        own = [record for record in summary.records if record.tier is tier]
        counts = Counter(answer_category(record) for record in own)
        total = sum(counts.values())
        if total:
            name = f"{tier.condition} ({tier.value})" + _corrected_split(summary, own, counts)
            bars.append(_Bar(f"{label}\n{name}" if n_runs > 1 else name, counts, total))
    return bars


def _corrected_split(
    summary: RunSummary, records: Sequence[SampleRecord], counts: Counter[Category]
) -> str:
    """Split a monitor-scored bar's complying answers by the misclassification-corrected AF
    share (when the monitor has validation counts); the bar's label then says so."""
    if summary.two_stage is not None:  # each answer's verdict is the monitor's or the judge's
        return "\nAF split per answer: monitor outside its band, judge inside"
    validation = summary.screening.correcting if summary.screening else None
    if summary.screening is None or validation is None:
        return ""
    judged = (Category.COMPLIES_AF, Category.COMPLIES_NO_AF)
    compliers = [record for record in records if answer_category(record) in judged]
    share = corrected_share(compliers, validation)
    if share is None:
        return ""
    n = len(compliers)
    counts[Category.COMPLIES_AF] = round(n * share)
    counts[Category.COMPLIES_NO_AF] = n - counts[Category.COMPLIES_AF]
    # the shipped counts come from other transcripts: the label says the split rests on them
    source = "your validation" if summary.screening.validation_is_own else "shipped validation"
    return f"\nAF split corrected for monitor error ({source})"


def _draw_stacks(axes: Axes, bars: list[_Bar], present: list[Category]) -> None:
    positions = list(range(len(bars)))
    left = [0.0] * len(bars)
    for category in present:
        widths = [100.0 * bar.counts[category] / bar.total for bar in bars]
        colour, hatch = _STYLE[category]
        drawn = axes.barh(
            positions,
            widths,
            left=left,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.6,
            label=category.value,
        )
        axes.bar_label(
            drawn,
            labels=[f"{width:.0f}%" if width >= 6 else "" for width in widths],
            label_type="center",
            fontsize=8,
        )
        left = [start + width for start, width in zip(left, widths, strict=True)]
    axes.set_yticks(positions, [f"{bar.label}  n={bar.total}" for bar in bars])
    axes.invert_yaxis()
    axes.set_xlim(0.0, 100.0)
    axes.set_xlabel("share of answers (%)")
    axes.spines[["top", "right"]].set_visible(False)
    if not bars:
        axes.text(50, 0, "no samples", ha="center", va="center")


def _draw_intervals(
    axes: Axes,
    labels: list[str],
    intervals: list[Interval | None],
    title: str,
    show: Callable[[float], str],
    offset: float = 0.0,
    marker: str = "o",
    legend: str | None = None,
) -> None:
    """One point with its interval (error bar) per row, its value written beside it."""
    for row, interval in enumerate(intervals):
        position = row + offset
        if interval is None:
            axes.text(0.0, position, " n/a", va="center", fontsize=8, color="#777777")
            continue
        estimate = 100.0 * interval.estimate
        axes.errorbar(
            [estimate],
            [position],
            xerr=[[estimate - 100.0 * interval.low], [100.0 * interval.high - estimate]],
            fmt=marker,
            color="#333333",
            capsize=3,
            markersize=4,
            label=legend,
        )
        legend = None  # one legend entry per series
        axes.annotate(
            show(estimate),
            (100.0 * interval.high, position),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(range(len(labels)), labels)
    axes.set_title(title, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)


def _points(value: float) -> str:
    return f"{value:+.1f} pp"


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def _style() -> AbstractContextManager[None]:
    # a fixed hash salt keeps the SVG ids, and so the report, the same from build to build
    return matplotlib.rc_context(
        {"svg.hashsalt": "afscope", "font.size": 9, "hatch.linewidth": 0.8}
    )


def _to_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
