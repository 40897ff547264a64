"""The self-contained HTML report: one file, no network, every piece of model text escaped.

Safety rules this module keeps:

* The page is rendered by Jinja with autoescape on; the only unescaped values are our own CSS,
  our own JavaScript, base64 figures and the transcript JSON made safe by :func:`safe_json`.
* Transcripts travel as JSON inside ``<script type="application/json">`` (never executed) and the
  page's script shows them with ``textContent`` only.
* A Content-Security-Policy allows only the page's own script and style (by a per-report nonce),
  images from ``data:`` URLs and nothing from the network, so even markup that slipped through
  could not run a script or fetch anything.
"""

from __future__ import annotations

import base64
import functools
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from afscope._atomic import atomic_open
from afscope.errors import DataError
from afscope.records import SampleRecord
from afscope.report._figures import figure_svgs
from afscope.report._samples import Category, Run, answer_category, spec_label, verdict_kinds
from afscope.report._summary import (
    ReportRun,
    classifier_views,
    prompt_views,
    report_runs,
    run_views,
)
from afscope.stats import Validation

__all__ = ["build_report", "safe_json", "write_report"]

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@dataclass(frozen=True)
class _Figure:
    title: str
    caption: str
    data_uri: str


def build_report(
    runs: Sequence[Run], *, title: str | None = None, validation: Validation | None = None
) -> str:
    """The report over one run, or a comparison report over several, as one HTML document;
    ``validation``: the user's labelled counts for the monitor's corrected rates."""
    if not runs:
        raise DataError("no runs to report on: pass at least one log")
    prepared = report_runs(runs, validation)
    views = run_views(prepared)
    return render_page(
        "report.html.j2",
        title or _default_title(prepared),
        runs=views,
        classifiers=classifier_views(prepared),
        prompts=prompt_views(prepared),
        simulated_runs=[view for view in views if view.simulated],
        comparison=len(runs) > 1,
        figures=_figures(prepared),
        script=Markup(_static("report.js")),
        data=Markup(safe_json(_browser_data(prepared))),
    )


def render_page(template: str, title: str, **context: Any) -> str:
    """One of the report templates rendered with ``context`` and what every page has: its
    ``title``, when it was generated, afscope's version, the CSS and the nonce that lets the
    Content-Security-Policy allow only the page's own style and script."""
    page = {
        "title": title,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": _version(),
        "nonce": secrets.token_urlsafe(18),
        "css": Markup(_static("report.css")),
    }
    return _environment().get_template(template).render({**page, **context})


def write_report(
    runs: Sequence[Run],
    path: str | Path,
    *,
    title: str | None = None,
    validation: Validation | None = None,
) -> Path:
    """Build the report and write it to ``path`` (UTF-8); returns the path written."""
    return write_html(build_report(runs, title=title, validation=validation), path)


def write_html(html: str, path: str | Path) -> Path:
    """Write a built page to ``path`` whole or not at all (a kill keeps the previous file)."""
    target = Path(path)
    try:
        with atomic_open(target) as handle:
            handle.write(html)
    except OSError as error:
        raise DataError(f"cannot write the report: {error.strerror}", file=str(target)) from None
    return target


def safe_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>``, ``&`` or U+2028/9.

    Every such character is written as its ``\\uXXXX`` escape, which JSON.parse reads back to the
    same character, so no ``</script>`` or ``<!--`` can end the element early.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


_CAPTIONS = {
    "main": (
        "Answers by tier",
        "Each bar splits one tier's answers: refuses, complies with alignment-faking "
        "reasoning in the scratchpad, complies without it (and partial compliance, "
        "malformed or undetermined answers where present).",
    ),
    "rates": (
        "Rates by tier",
        "Compliance and the alignment-faking reasoning rate in each tier, with 95% Wilson "
        "intervals as error bars; the title gives the paired compliance gap.",
    ),
    "comparison": (
        "Runs compared",
        "Compliance gap (training minus unmonitored, percentage points) and the "
        "alignment-faking reasoning rate in each tier, with 95% intervals.",
    ),
}


def _figures(runs: Sequence[ReportRun]) -> list[_Figure]:
    return [_Figure(*_CAPTIONS[name], _svg_uri(svg)) for name, svg in figure_svgs(runs).items()]


def _browser_data(runs: Sequence[ReportRun]) -> dict[str, Any]:
    samples = [
        _browser_sample(index, record)
        for index, run in enumerate(runs)
        for record in run.summary.records
    ]
    _link_twins(samples)
    return {
        "runs": [{"label": run.label, "simulated": run.summary.run.simulated} for run in runs],
        "kinds": verdict_kinds([(run.summary.run, run.summary.records) for run in runs]),
        "categories": [category.value for category in Category],
        "samples": samples,
    }


def _link_twins(samples: list[dict[str, Any]]) -> None:
    """Give each sample the index of its other-tier twin (same run, query and epoch) as "tw"."""
    by_key = {(s["r"], s["qid"], s["ep"], s["t"]): index for index, s in enumerate(samples)}
    for sample in samples:
        other = "paid" if sample["t"] == "free" else "free"
        twin = by_key.get((sample["r"], sample["qid"], sample["ep"], other))
        if twin is not None:
            sample["tw"] = twin


def _browser_sample(run: int, record: SampleRecord) -> dict[str, Any]:
    sample: dict[str, Any] = {
        "r": run,
        "id": record.sample_id,
        "qid": record.query_id,
        "cat": record.category,
        "ep": record.epoch,
        "t": record.tier.value,
        "o": record.outcome.value,
        "ac": answer_category(record).value,
        "q": record.query,
        "sp": record.scratchpad,
        "out": record.output,
        "turns": record.turns,
        "tok": [record.input_tokens, record.output_tokens],
        "v": {
            kind: {
                "d": verdict.decision,
                "s": verdict.score,
                "c": spec_label(verdict.spec),
                "q": list(verdict.quotes),
                "e": verdict.error,
            }
            for kind, verdict in record.verdicts.items()
        },
    }
    if record.malformed_reason:
        sample["mr"] = record.malformed_reason
    if record.truth is not None:
        sample["tr"] = record.truth.to_dict()
    return sample


def _default_title(runs: Sequence[ReportRun]) -> str:
    if len(runs) == 1:
        return f"afscope report: {runs[0].label}"
    return f"afscope comparison report: {len(runs)} runs"


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _static(name: str) -> str:
    return (resources.files("afscope.report") / "static" / name).read_text(encoding="utf-8")


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("afscope.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _version() -> str:
    try:
        return metadata.version("afscope")
    except metadata.PackageNotFoundError:
        return "unknown"
