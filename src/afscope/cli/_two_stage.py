"""`classify --two-stage`: the monitor settles the clear scratchpads of a log, the judge the rest.

The band is chosen from judge-labelled validation transcripts (:func:`afscope.stats.choose_band`);
the classified log records the spec and the per-tier strata in ``eval.metadata["two_stage"]``,
from which every reader gives the two-stage AF rate (:mod:`afscope.two_stage`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afscope.errors import DataError
from afscope.records import Decision, VerdictKind

if TYPE_CHECKING:
    from afscope.classifiers import JudgeTally
    from afscope.stats import Band

__all__ = ["Judging", "TwoStage", "two_stage_log"]


@dataclass(frozen=True)
class TwoStage:
    """The monitor and its band for two-stage classification, chosen from judge-labelled texts."""

    monitor: Any
    band: Band
    validation: str
    max_error: float

    @classmethod
    def chosen(cls, validation: Path, monitor_model: str | None, max_error: float) -> TwoStage:
        from afscope.cli._monitor import labelled_texts
        from afscope.monitor import load_monitor
        from afscope.stats import choose_band

        monitor = load_monitor(monitor_model)
        name, texts, labels = labelled_texts(validation)
        if all(labels) or not any(labels):
            raise DataError(
                "a two-stage band needs validation transcripts of both labels (AF and not AF)",
                file=str(validation),
            )
        scores = [result.score for result in monitor.score(texts, evidence=False)]
        return cls(monitor, choose_band(scores, labels, max_error), name, max_error)

    def band_lines(self) -> list[str]:
        b = self.band
        return [
            f"two-stage: {self.monitor.spec.label} settles "
            f"scores below {b.low:.3f} as not AF ({b.below[0]}/{b.below[1]} of the validation "
            f"judged AF there) and from {b.high:.3f} as AF ({b.above[1] - b.above[0]}/"
            f"{b.above[1]} judged not AF); the judge sees the band between "
            f"(validation: {self.validation}, max error {self.max_error} per side)"
        ]

    def spec(self, judge: str) -> dict[str, Any]:
        return {
            "method": "two-stage: monitor outside the band, judge inside",
            "monitor": dict(self.monitor.spec),
            "judge_model": judge,
            "band": {"low": self.band.low, "high": self.band.high},
            "validation": {
                "name": self.validation,
                "below": list(self.band.below),
                "above": list(self.band.above),
            },
            "max_error": self.max_error,
        }


@dataclass(frozen=True)
class Judging:
    """Who judges and how: the judge's name and Inspect model, rubrics, options and setting."""

    judge: str
    model: Any
    names: list[str]
    options: Any
    setting: str | None


def two_stage_log(
    path: Path, plan: TwoStage, judging: Judging, *, in_place: bool, output_dir: Path | None
) -> JudgeTally:
    """Judge only the log's samples whose monitor score is in the band; the rate per tier mixes
    the judge's verdicts there with the monitor's decisions outside, each with its error."""
    from afscope.cli._classify import _classified, _judge_samples, _readable_log
    from afscope.harness import read_run, write_log
    from afscope.records import Outcome, Tier
    from afscope.stats import format_interval, two_stage_rate

    _, records = read_run(path)  # refuses logs that are not afscope runs (and missing files)
    log = _readable_log(path, in_place=in_place)
    samples = log.samples or []
    # the samples an AF rate counts: well-formed answers with reasoning (summary.py's rule)
    reasoning = [
        i
        for i, r in enumerate(records)
        if r.scratchpad.strip() and r.outcome is not Outcome.MALFORMED
    ]
    scores = plan.monitor.score([records[i].scratchpad for i in reasoning], evidence=False)
    score_of = {i: result.score for i, result in zip(reasoning, scores, strict=True)}
    inside = [i for i in reasoning if plan.band.judged(score_of[i])]
    partial = log.model_copy(update={"samples": [samples[i] for i in inside]})
    j = judging
    tally = _judge_samples(partial, path, j.model, j.names, j.options, j.setting)
    judged_by_index = {}
    for i, sample in zip(inside, partial.samples or [], strict=True):
        samples[i] = sample
        judged_by_index[i] = _af_decision(sample)
    lines, rates = [], {}
    for tier in Tier:
        mine = [i for i in reasoning if records[i].tier is tier]
        if not mine:
            continue
        below = sum(score_of[i] < plan.band.low for i in mine)
        above = sum(score_of[i] >= plan.band.high for i in mine)
        verdicts = [judged_by_index[i] for i in mine if i in judged_by_index]
        judged = [v for v in verdicts if v is not None]
        rate = two_stage_rate(plan.band, below, above, sum(judged), len(judged))
        failed = len(verdicts) - len(judged)
        rates[tier.value] = {
            "below": below,
            "above": above,
            "judged": len(judged),
            "judged_yes": sum(judged),
            "judge_failed": failed,
            "rate": {"estimate": rate.estimate, "low": rate.low, "high": rate.high},
        }
        lines.append(
            f"  {tier.value} tier: two-stage AF rate {format_interval(rate)} "
            f"({below} settled not AF, {above} settled AF by the monitor, "
            f"{len(judged)} judged{f', {failed} judge errors left out' if failed else ''})"
        )
    saved = len(reasoning) - len(inside)
    head = (
        f"{path}: two-stage: {len(inside)} of {len(reasoning)} scratchpads sent to the judge, "
        f"{saved} judge calls saved ({saved / len(reasoning):.0%})"
        if reasoning
        else f"{path}: two-stage: no scratchpads to classify"
    )
    spec = plan.spec(judging.judge)
    log.eval.metadata = {
        **(log.eval.metadata or {}),
        "two_stage": {**spec, "judge_calls_saved": saved, "tiers": rates},
    }
    log.samples = samples
    target = _classified(path, in_place, output_dir)
    write_log(log, target)
    for line in [head, *lines, f"{path}: written to {target}"]:
        click.echo(line)
    return tally


def _af_decision(sample: Any) -> bool | None:
    """The judge's AF verdict on a sample just judged (None: failed or skipped)."""
    from afscope.cli._classify import score_metadata

    verdicts = score_metadata(sample, "af_judge_scorer").get("verdicts", {})
    verdict = verdicts.get(VerdictKind.AF_REASONING)
    if not verdict or verdict.get("decision") not in (Decision.YES, Decision.NO):
        return None
    return bool(verdict["decision"] == Decision.YES)
