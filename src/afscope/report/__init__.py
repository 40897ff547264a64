"""The report: figures, a self-contained HTML report and per-sample exports.

Plain Python (matplotlib, Jinja, pyarrow), no Inspect: it works on ``(RunInfo, records)`` pairs,
however they were read. One run gives a report; several give a comparison report.
"""

from afscope.report._agentic import build_agentic_report, write_agentic_report
from afscope.report._export import EXPORT_FORMATS, ExportFormat, export_samples
from afscope.report._figures import (
    FIGURE_FORMATS,
    comparison_figure,
    main_figure,
    rates_figure,
    save_figures,
)
from afscope.report._html import build_report, safe_json, write_report
from afscope.report._samples import Category, Run, answer_category
from afscope.report._scheming import build_scheming_report, write_scheming_report

__all__ = [
    "EXPORT_FORMATS",
    "FIGURE_FORMATS",
    "Category",
    "ExportFormat",
    "Run",
    "answer_category",
    "build_agentic_report",
    "build_report",
    "build_scheming_report",
    "comparison_figure",
    "export_samples",
    "main_figure",
    "rates_figure",
    "safe_json",
    "save_figures",
    "write_agentic_report",
    "write_report",
    "write_scheming_report",
]
