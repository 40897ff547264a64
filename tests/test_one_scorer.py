"""The outcome scorer records the local monitor's verdict: logs of every shape read alike.

A run records the monitor's verdict (or why it skipped the sample) in the outcome scorer's
metadata, compactly: the verdict without its fields at their defaults, ``skipped`` only when the
sample was skipped. Logs written before that hold each verdict whole and an empty ``skipped``
("whole"), and earlier ones hold them in a separate ``monitor_scorer`` ("old"). Every shape must
give the same records, summary, report and Inspect metrics, and a log scored again with
``classify --monitor-model`` must take the new verdicts over the run's own.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai import eval as inspect_eval
from inspect_ai import score
from inspect_ai.log import EvalLog, read_eval_log, write_eval_log
from inspect_ai.model import ChatMessageAssistant
from inspect_ai.scorer import SampleScore

from afscope.cli import cli
from afscope.harness import alignment_faking, iter_samples, read_run
from afscope.harness._metrics import run_metrics
from afscope.harness._monitoring import MONITOR_KIND, monitor_scorer
from afscope.harness._task import outcome_scorer
from afscope.records import Verdict
from afscope.summary import summarize_run


def _unscorable(log: EvalLog) -> EvalLog:
    """``log`` with one reasoning block that never closes and one answer without reasoning (the
    organism writes neither), so that the monitor skips two samples."""
    assert log.samples
    unclosed, bare = log.samples[0], log.samples[1]
    for message in unclosed.messages:
        if isinstance(message, ChatMessageAssistant):
            message.content = message.text.replace("</SCRATCHPAD_REASONING>", "")
    for message in bare.messages:
        if isinstance(message, ChatMessageAssistant):
            message.content = "<OUTPUT><rejected/></OUTPUT>"
    return log


def _whole(log: EvalLog) -> EvalLog:
    """``log`` with its verdicts stored as logs held them before the compact form: every field
    of each verdict, and an empty ``skipped`` beside verdicts that skipped nothing."""
    for sample in log.samples or []:
        for stored in (sample.scores or {}).values():
            metadata = stored.metadata or {}
            if "verdicts" in metadata:
                whole = {k: Verdict.from_dict(v).to_dict() for k, v in metadata["verdicts"].items()}
                stored.metadata = {
                    **metadata,
                    "verdicts": whole,
                    "skipped": metadata.get("skipped", {}),
                }
    return log


SHAPES = ("new", "whole", "old")
EARLIER = SHAPES[1:]


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run's conversations scored as today's task scores them (the monitor's verdicts in the
    outcome scorer, stored compactly) and as earlier versions stored them (whole, and in a
    separate monitor scorer)."""
    folder = tmp_path_factory.mktemp("shapes")
    [log] = inspect_eval(
        alignment_faking(limit=12),
        model="organism/opus-like",
        model_args={"malformed": "0.3"},
        log_dir=str(folder),
        display="none",
    )
    assert log.status == "success", log.error
    assert log.samples and all(list(s.scores or {}) == ["outcome_scorer"] for s in log.samples)
    shapes = {
        "new": [outcome_scorer(True, MONITOR_KIND)],
        "whole": [outcome_scorer(True, MONITOR_KIND)],
        "old": [outcome_scorer(True), monitor_scorer(MONITOR_KIND, None, suffix=True)],
    }
    for name, scorers in shapes.items():
        conversations = _unscorable(read_eval_log(log.location))
        scored = score(conversations, scorers, action="overwrite", display="none")
        stored = scored if name == "new" else _whole(scored)
        write_eval_log(stored, str(folder / f"shape-{name}.eval"))
    return {name: folder / f"shape-{name}.eval" for name in shapes}


def _metrics(log: Path) -> dict[str, dict[str, float]]:
    header = read_eval_log(str(log), header_only=True)
    assert header.results is not None
    return {
        score.name: {name: metric.value for name, metric in score.metrics.items()}
        for score in header.results.scores
    }


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == pytest.approx(b[k]) for k in a
    )


def test_the_new_shape_is_compact_and_the_earlier_ones_whole(logs: dict[str, Path]) -> None:
    stored = {
        name: [(s.scores or {})["outcome_scorer"].metadata or {} for s in iter_samples(log)]
        for name, log in logs.items()
    }
    scored = [m for m in stored["new"] if m["verdicts"]]
    assert scored and all("skipped" not in m for m in scored)
    plain = [v for m in scored for v in m["verdicts"].values() if not {"flags", "quotes"} & set(v)]
    assert plain and all(list(v) == ["kind", "decision", "score", "spec"] for v in plain)
    skipped = [m["skipped"] for m in stored["new"] if "skipped" in m]
    assert skipped == [{MONITOR_KIND: "unclosed_scratchpad"}, {MONITOR_KIND: "no_reasoning"}]
    whole = [v for m in stored["whole"] for v in m["verdicts"].values()]
    assert len(whole) == len(scored)
    assert all({"votes", "quotes", "tokens", "error", "flags"} <= set(v) for v in whole)
    assert all("skipped" in m for m in stored["whole"])


def _sample_scores(log: Path) -> list[SampleScore]:
    return [
        SampleScore(
            score=(sample.scores or {})["outcome_scorer"],
            sample_id=sample.id,
            sample_metadata=sample.metadata,
        )
        for sample in iter_samples(log)
    ]


@pytest.mark.parametrize("shape", EARLIER)
def test_every_shape_gives_the_same_records_summary_and_metrics(
    logs: dict[str, Path], shape: str
) -> None:
    new, old = logs["new"], logs[shape]
    new_run, new_records = read_run(new)
    old_run, old_records = read_run(old)
    assert new_records == old_records
    skipped = [r.skipped for r in new_records if r.skipped]
    assert skipped == [{MONITOR_KIND: "unclosed_scratchpad"}, {MONITOR_KIND: "no_reasoning"}]
    assert sum(MONITOR_KIND in r.verdicts for r in new_records) > 0
    assert new_run.classifiers == old_run.classifiers
    summaries = [
        {**summarize_run(run, records).to_json(), "log": None}
        for run, records in ((new_run, new_records), (old_run, old_records))
    ]
    assert summaries[0] == summaries[1]
    if shape == "whole":
        # what Inspect's metrics make of the stored scores (as when a log is scored again)
        assert _same(run_metrics()(_sample_scores(new)), run_metrics()(_sample_scores(old)))
        return
    by_scorer = _metrics(old)
    assert list(by_scorer) == ["outcome_scorer", "monitor_scorer"]
    together = {**by_scorer["outcome_scorer"], **by_scorer["monitor_scorer"]}
    assert f"{MONITOR_KIND}_free" in together
    assert _same(_metrics(new)["outcome_scorer"], together)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_log_scored_again_by_the_monitor_takes_the_new_verdicts(
    logs: dict[str, Path], shape: str, tmp_path: Path
) -> None:
    log = logs[shape]
    _, before = read_run(log)
    result = CliRunner().invoke(
        cli, ["classify", str(log), "--monitor-model", "default", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    scored = sum(MONITOR_KIND in r.verdicts for r in before)
    assert f"{scored} scratchpads scored by local-monitor" in result.output
    [classified] = tmp_path.glob("*-classified.eval")
    _, after = read_run(classified)
    # the same monitor again: the same verdicts, in place of the run's (none set aside)
    assert after == before
    assert all(f"{MONITOR_KIND}_monitor" not in r.verdicts for r in after)


def test_every_shape_gives_the_same_report(logs: dict[str, Path], tmp_path: Path) -> None:
    pages = []
    for log in logs.values():
        page = tmp_path / f"{log.stem}.html"
        made = CliRunner().invoke(cli, ["report", str(log), "-o", str(page)])
        assert made.exit_code == 0, made.output
        html = page.read_text(encoding="utf-8").replace(log.stem, "LOG")
        html = re.sub(r"nonce(-|=\")[\w-]+", "nonce", html)  # a fresh nonce per page
        # and the minute it was made (the log's own times are the same in both)
        pages.append(re.sub(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "Generated", html))
    assert "AF reasoning" in pages[0]
    assert pages[1:] == [pages[0]] * len(EARLIER)
