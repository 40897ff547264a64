"""`afscope classify`: judge transcripts again, or for the first time, without regenerating them.

Inspect logs get the new verdicts as added scores (the old ones stay) in a new log next to the
original (or in place with --in-place); foreign JSONL transcripts get a JSONL of verdicts.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from afscope._atomic import atomic_open
from afscope.classifiers import ADAPTIVE_RULES
from afscope.cli._limits import refusal_line
from afscope.cli._two_stage import Judging, TwoStage, two_stage_log
from afscope.errors import ConfigError, DataError
from afscope.providers import check_api_key
from afscope.records import Decision, VerdictKind

if TYPE_CHECKING:
    from afscope.classifiers import JudgeTally

DEFAULT_RUBRICS = "af_reasoning,compliance,partial_compliance"
_SETTINGS = ("helpful-only", "animal-welfare")


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--judge", default=None, metavar="MODEL", help="Judge model (any Inspect model).")
@click.option(
    "--monitor-model",
    default=None,
    metavar="NAME|PATH",
    help="Instead of a judge, score AF reasoning of logs with a monitor fitted with "
    "'afscope monitor fit' (its name or artefact path; 'default': the shipped one).",
)
@click.option("--judge-base-url", default=None, help="Base URL of the judge model's API.")
@click.option(
    "--rubrics",
    default=DEFAULT_RUBRICS,
    show_default=True,
    help="Comma list of kinds (resolved for the setting) or rubric names.",
)
@click.option(
    "--setting",
    type=click.Choice(_SETTINGS),
    default=None,
    help="Whose compliance rubric to use [default: a log's own setting; JSONL: "
    "helpful-only]. animal-welfare judges compliance with its own rubric.",
)
@click.option("--votes", type=click.IntRange(min=1), default=None, help="Votes per verdict.")
@click.option("--adaptive", type=click.Choice(ADAPTIVE_RULES), default=None)
@click.option(
    "--two-stage",
    is_flag=True,
    help="The monitor (--monitor-model, default the shipped one) scores every scratchpad; only "
    "those in its uncertain band go to --judge. Needs --validation.",
)
@click.option(
    "--validation",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --two-stage: transcripts labelled by the judge (JSONL text+label, or an organism "
    "run's log: its ground truth), from whose monitor scores the band is chosen.",
)
@click.option(
    "--max-error",
    type=click.FloatRange(0.0, 0.5),
    default=0.02,
    show_default=True,
    help="With --two-stage: the share of the validation transcripts on each side of the band "
    "whose monitor decision the judge may reverse.",
)
@click.option("--in-place", is_flag=True, help="Add the scores to the input logs themselves.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (JSONL input) or directory (logs).",
)
def classify(
    inputs: tuple[Path, ...],
    judge: str | None,
    monitor_model: str | None,
    judge_base_url: str | None,
    rubrics: str,
    setting: str | None,
    votes: int | None,
    adaptive: str | None,
    two_stage: bool,
    validation: Path | None,
    max_error: float,
    in_place: bool,
    output: Path | None,
) -> None:
    """Judge existing Inspect logs or foreign JSONL transcripts (a `text` field per line).

    Prints per rubric the verdicts, the judge errors and the transcripts skipped (with why);
    exits 1 when nothing at all could be judged.
    """
    from afscope.classifiers import rubric_for

    if two_stage:
        if judge is None:
            raise ConfigError("--two-stage needs --judge MODEL", key="--judge")
        if validation is None:
            raise ConfigError(
                "--two-stage needs --validation FILE: transcripts labelled by the judge (JSONL "
                "text+label) from which the monitor's uncertain band is chosen",
                key="--validation",
            )
        for path in inputs:
            if path.suffix.lower() in (".jsonl", ".ndjson", ".json", ".csv"):
                raise DataError(
                    "--two-stage classifies Inspect logs: import the transcripts first "
                    f"('afscope import {path} -o RUN.eval'), then classify RUN.eval --two-stage",
                    file=str(path),
                )
    elif validation is not None:
        raise ConfigError("--validation is used only with --two-stage", key="--validation")
    elif (judge is None) == (monitor_model is None):
        raise ConfigError("give one of --judge MODEL or --monitor-model NAME", key="--judge")
    if monitor_model is not None and not two_stage:
        _monitor_logs(inputs, monitor_model, in_place=in_place, output_dir=output)
        return
    assert judge is not None
    names = [name.strip() for name in rubrics.split(",") if name.strip()]
    if two_stage and names != [VerdictKind.AF_REASONING]:
        if rubrics != DEFAULT_RUBRICS:
            raise ConfigError(
                "--two-stage judges AF reasoning only: drop --rubrics (or give af_reasoning)",
                key="--rubrics",
            )
        names = [VerdictKind.AF_REASONING]
    for name in names:
        rubric_for(name, setting or "helpful-only")  # unknown names fail here, "did you mean"
    for path in inputs:
        if not path.exists():
            raise DataError("no such file", file=str(path))
    if judge_base_url is None:
        check_api_key(judge)
    from afscope.harness import JudgeOptions, model_for

    model = model_for(judge, judge_base_url)
    options = JudgeOptions(votes=votes, adaptive=adaptive)
    plan = None
    if two_stage:
        assert validation is not None
        plan = TwoStage.chosen(validation, monitor_model, max_error)
        for line in plan.band_lines():
            click.echo(line)
    judged_any, errors = False, list[str]()
    for path in inputs:
        if plan is not None:
            judging = Judging(judge, model, names, options, setting)
            tally = two_stage_log(path, plan, judging, in_place=in_place, output_dir=output)
        elif path.suffix in (".jsonl", ".ndjson"):
            target = output or path.with_name(f"{path.stem}-verdicts.jsonl")
            tally = _classify_jsonl(path, target, model, names, options, setting or "helpful-only")
        else:
            tally = _classify_log(
                path, model, names, options, setting, in_place=in_place, output_dir=output
            )
        for line in tally.lines():
            click.echo(line)
        judged_any = judged_any or not tally.nothing_judged
        errors += tally.errors
    if not judged_any:
        refused = refusal_line(judge, errors)
        cause = (
            f"every verdict failed: {refused}" if refused else "every verdict an error or skipped"
        )
        click.echo(f"error: nothing could be judged ({cause}; see above)", err=True)
        sys.exit(1)


def _monitor_logs(
    inputs: tuple[Path, ...], monitor_model: str, *, in_place: bool, output_dir: Path | None
) -> None:
    """Score the AF reasoning of Inspect logs with a (fitted) monitor: a new log, like a judge's."""
    from afscope.harness import MONITOR_KIND, monitor_scorer, read_run, score_log, write_log
    from afscope.monitor import load_monitor

    monitor = load_monitor(monitor_model)  # an unknown name fails before any log is read
    for path in inputs:
        if path.suffix in (".jsonl", ".ndjson", ".json") or not path.exists():
            raise DataError(
                "--monitor-model classifies Inspect logs; score JSONL with "
                f"'afscope monitor score {path} --monitor-model {monitor_model} -o OUT'",
                file=str(path),
            )
        log = _readable_log(path, in_place=in_place)
        scored = score_log(log, monitor_scorer(MONITOR_KIND, monitor_model))
        target = _classified(path, in_place, output_dir)
        write_log(_without_two_stage(scored), target)
        _, records = read_run(target)  # what every reader of the new log will take
        verdicts = [r.verdicts.get(MONITOR_KIND) for r in records]
        mine = [v for v in verdicts if v is not None and v.spec == monitor.spec]
        total, flagged = len(mine), sum(v.decision == Decision.YES for v in mine)
        unscored = Counter(r.skipped[MONITOR_KIND] for r in records if MONITOR_KIND in r.skipped)
        version = monitor.spec.version
        not_scored = ", ".join(f"{flag} {n}" for flag, n in sorted(unscored.items()))
        click.echo(
            f"{path}: {total} scratchpads scored by local-monitor {version}, {flagged} flagged"
            + (f", not scored: {not_scored}" if unscored else "")
            + f"; written to {target}"
        )


def _classify_log(
    path: Path,
    model: Any,
    names: list[str],
    options: Any,
    setting: str | None,
    *,
    in_place: bool,
    output_dir: Path | None,
) -> JudgeTally:
    from afscope.harness import write_log

    log = _readable_log(path, in_place=in_place)
    tally = _judge_samples(log, path, model, names, options, setting)
    target = _classified(path, in_place, output_dir)
    write_log(_without_two_stage(log), target)
    click.echo(f"{path}: {len(log.samples or [])} samples; written to {target}")
    return tally


def _classified(path: Path, in_place: bool, output_dir: Path | None) -> Path:
    """Where a classified log goes: over ``path`` (--in-place), else a ``-classified`` copy."""
    copy = f"{path.stem}-classified{path.suffix}"
    return path if in_place else (output_dir or path.parent) / copy


def _without_two_stage(log: Any) -> Any:
    """``log`` without a two-stage record: once classified again its verdicts are no longer the
    strata that record counted, and readers would give its stale rate as the log's."""
    if log.eval.metadata and "two_stage" in log.eval.metadata:
        log.eval.metadata = {k: v for k, v in log.eval.metadata.items() if k != "two_stage"}
    return log


def _readable_log(path: Path, *, in_place: bool) -> Any:
    """The log's readable samples (damaged ones named on stderr and left out); refused when it
    is not an afscope run, or when --in-place would drop damaged samples from the log itself."""
    from afscope.harness import read_log, read_run_info

    read_run_info(path)
    unreadable: list[tuple[str | int, int]] = []
    log = read_log(path, unreadable)
    if unreadable and in_place:
        raise DataError(
            f"{len(unreadable)} samples are unreadable and --in-place would drop them from the "
            "log; classify without --in-place (writes a -classified copy beside it)",
            file=str(path),
        )
    return log


def _judge_samples(
    log: Any, path: Path, model: Any, names: list[str], options: Any, setting: str | None
) -> JudgeTally:
    """Judge ``log``'s samples (their scores are appended in place); the verdicts tallied."""
    from afscope.classifiers import JudgeTally
    from afscope.harness import af_judge_scorer, read_run_info, score_log
    from afscope.records import Verdict

    setting = setting or read_run_info(path).setting
    scorer = af_judge_scorer(kinds=names, judge=model, options=options, setting=setting)
    click.echo(f"{path}: judging {len(log.samples or [])} samples ({setting})", err=True)
    scored = score_log(log, scorer)  # Inspect's display shows the progress
    log.samples, log.results, log.eval = scored.samples, scored.results, scored.eval
    tally = JudgeTally(names)
    for sample in scored.samples or []:
        meta = score_metadata(sample, "af_judge_scorer")
        for kind, verdict in (meta.get("verdicts") or {}).items():
            tally.add_verdict(kind, Verdict.from_dict(verdict))
        unreadable = score_metadata(sample, "outcome_scorer").get("malformed_reason")
        for kind, reason in (meta.get("skipped") or {}).items():
            tally.add_skipped(kind, _skip_reason(reason, unreadable))
    return tally


def score_metadata(sample: Any, scorer: str) -> dict[str, Any]:
    """The metadata of the sample's score by ``scorer`` (none: empty)."""
    score = (sample.scores or {}).get(scorer)
    return (score.metadata or {}) if score else {}


def _skip_reason(missing: str, unreadable: str | None) -> str:
    """Why a rubric skipped a transcript; a missing output says why no answer could be read."""
    if unreadable and "output" in missing:
        return f"{missing} ({unreadable})"
    return missing


def _classify_jsonl(
    path: Path, target: Path, model: Any, names: list[str], options: Any, setting: str
) -> JudgeTally:
    from afscope.classifiers import JudgeTally, load_foreign_transcripts, rubric_for
    from afscope.harness import judge_transcripts

    if target.exists() and target.resolve() == path.resolve():
        raise ConfigError("the output would overwrite the input", key="--output")
    transcripts = load_foreign_transcripts(path)
    rubrics = {name: rubric_for(name, setting) for name in names}
    progress = _Progress(len(transcripts), f"{path}: judging ({setting})")
    results = asyncio.run(
        judge_transcripts(
            model,
            list(rubrics.values()),
            [t.parts for t in transcripts],
            options=options,
            on_done=progress.step,
        )
    )
    progress.show()
    tally = JudgeTally(names)
    with atomic_open(target) as handle:
        for transcript, verdicts in zip(transcripts, results, strict=True):
            row = {
                "id": transcript.id,
                "tier": transcript.tier.value if transcript.tier else None,
                "verdicts": {name: verdict.to_dict() for name, verdict in verdicts.items()},
            }
            handle.write(json.dumps(row) + "\n")
            for name, rubric in rubrics.items():
                if rubric.name in verdicts:
                    tally.add_verdict(name, verdicts[rubric.name])
                else:
                    lacking = ", ".join(rubric.missing_parts(transcript.parts))
                    missing = f"the transcript has no {lacking}"
                    tally.add_skipped(name, _skip_reason(missing, transcript.unreadable))
    click.echo(f"{path}: {len(transcripts)} transcripts; written to {target}")
    return tally


class _Progress:
    """``judging 12/100`` on stderr: rewritten in place on a terminal, every tenth otherwise."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.live = sys.stderr.isatty()
        click.echo(f"{label}: 0/{total} transcripts", err=True, nl=not self.live)

    def step(self) -> None:
        self.done += 1
        if self.live:
            self.show(nl=False)
        elif self.done % max(1, self.total // 10) == 0 and self.done < self.total:
            self.show()

    def show(self, nl: bool = True) -> None:
        """The count so far (over the last one, on a terminal)."""
        again = "\r" if self.live else ""
        click.echo(f"{again}{self.label}: {self.done}/{self.total} transcripts", err=True, nl=nl)
