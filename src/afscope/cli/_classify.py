"""`afscope classify`: judge transcripts again, or for the first time, without regenerating them.

Inspect logs get the new verdicts as added scores (the old ones stay) in a new log next to the
original (or in place with --in-place); foreign JSONL transcripts get a JSONL of verdicts.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from afscope.errors import ConfigError, DataError
from afscope.providers import check_api_key

DEFAULT_RUBRICS = "af_reasoning,compliance,partial_compliance"


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--judge", required=True, metavar="MODEL", help="Judge model (any Inspect model).")
@click.option("--judge-base-url", default=None, help="Base URL of the judge model's API.")
@click.option("--rubrics", default=DEFAULT_RUBRICS, show_default=True, help="Comma list.")
@click.option("--votes", type=click.IntRange(min=1), default=None, help="Votes per verdict.")
@click.option("--adaptive", type=click.Choice(["exact", "sequential", "off"]), default=None)
@click.option("--in-place", is_flag=True, help="Add the scores to the input logs themselves.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file (JSONL input) or directory (logs).")
def classify(
    inputs: tuple[Path, ...],
    judge: str,
    judge_base_url: str | None,
    rubrics: str,
    votes: int | None,
    adaptive: str | None,
    in_place: bool,
    output: Path | None,
) -> None:
    """Judge existing Inspect logs or foreign JSONL transcripts (a `text` field per line)."""
    from afscope.classifiers import load_rubric

    names = [name.strip() for name in rubrics.split(",") if name.strip()]
    for name in names:
        load_rubric(name)  # unknown names fail here, with "did you mean"
    for path in inputs:
        if not path.exists():
            raise DataError("no such file", file=str(path))
    if judge_base_url is None:
        check_api_key(judge)
    from inspect_ai.model import get_model

    from afscope.harness.judging import JudgeOptions

    model = get_model(judge, base_url=judge_base_url)
    options = JudgeOptions(votes=votes, adaptive=adaptive)
    for path in inputs:
        if path.suffix in (".jsonl", ".ndjson"):
            target = output or path.with_name(f"{path.stem}-verdicts.jsonl")
            _classify_jsonl(path, target, model, names, options)
        else:
            _classify_log(path, model, names, options, in_place=in_place, output_dir=output)


def _classify_log(
    path: Path, model: Any, names: list[str], options: Any, *, in_place: bool,
    output_dir: Path | None,
) -> None:
    from inspect_ai import score
    from inspect_ai.log import read_eval_log, write_eval_log

    from afscope.harness import read_run_info
    from afscope.harness.judging import af_judge_scorer

    run = read_run_info(path)  # refuses logs that are not afscope runs
    log = read_eval_log(str(path))
    scorer = af_judge_scorer(kinds=names, judge=model, options=options, setting=run.setting)
    scored = score(log, scorer, action="append", display="none")
    if in_place:
        target = path
    else:
        folder = output_dir or path.parent
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{path.stem}-classified{path.suffix}"
    write_eval_log(scored, str(target))
    counts: Counter[str] = Counter()
    for sample in scored.samples or []:
        new = (sample.scores or {}).get("af_judge_scorer")
        counts.update(list(((new.metadata or {}).get("verdicts") or {}) if new else {}))
    judged = ", ".join(f"{name} {counts[name]}" for name in names)
    click.echo(f"{path}: judged {judged} samples; written to {target}")


def _classify_jsonl(
    path: Path, target: Path, model: Any, names: list[str], options: Any
) -> None:
    from afscope.classifiers import load_foreign_transcripts, load_rubric
    from afscope.harness.judging import judge_transcripts

    transcripts = load_foreign_transcripts(path)
    rubrics = [load_rubric(name) for name in names]
    results = asyncio.run(
        judge_transcripts(model, rubrics, [t.parts for t in transcripts], options=options)
    )
    if target.exists() and target.resolve() == path.resolve():
        raise ConfigError("the output would overwrite the input", key="--output")
    decisions: Counter[str] = Counter()
    with target.open("w", encoding="utf-8") as handle:
        for transcript, verdicts in zip(transcripts, results, strict=True):
            row = {
                "id": transcript.id,
                "tier": transcript.tier.value if transcript.tier else None,
                "verdicts": {name: verdict.to_dict() for name, verdict in verdicts.items()},
            }
            handle.write(json.dumps(row) + "\n")
            decisions.update(f"{name}={v.decision}" for name, v in verdicts.items())
    shown = ", ".join(f"{key} {count}" for key, count in sorted(decisions.items()))
    click.echo(f"{path}: {len(transcripts)} transcripts judged ({shown}); written to {target}")
