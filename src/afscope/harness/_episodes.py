"""Read an agentic run back from its Inspect log as :class:`afscope.agentic.Episode` records, and
the summary `afscope run` prints for agentic kinds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspect_ai.log import EvalSample

from afscope.agentic import Episode, load_environment
from afscope.agentic._summary import AgenticSummary, summarize_episodes
from afscope.cost import PriceTable, cost_of_usage
from afscope.harness._header import afscope_meta, is_agentic_log, is_scheming_log, read_run_info
from afscope.harness._logs import iter_samples, with_verdict_specs
from afscope.harness._messages import episode_steps
from afscope.records import RunInfo, Verdict

if TYPE_CHECKING:
    from afscope.scheming import SchemingRun, SchemingSummary

__all__ = [
    "FINAL_STATE_SCORER",
    "agentic_run",
    "agentic_summary",
    "is_agentic_log",
    "is_scheming_log",
    "read_episodes",
    "scheming_run",
    "scheming_summary",
]

FINAL_STATE_SCORER = "final_state_scorer"
SCHEMING_SCORER = "scheming_scorer"


def read_episodes(path: str | Path) -> tuple[RunInfo, list[Episode]]:
    """A run's RunInfo (classifier specs completed from the verdicts) and its episodes."""
    run = read_run_info(path)
    episodes = [_episode(sample, run.model) for sample in iter_samples(path)]
    return with_verdict_specs(run, (episode.verdicts for episode in episodes)), episodes


def _episode(sample: EvalSample, model: str) -> Episode:
    meta = sample.metadata or {}
    scores = sample.scores or {}
    final = scores.get(FINAL_STATE_SCORER)
    details: dict[str, Any] = (final.metadata or {}) if final else {}
    rule = details.get("deterministic") or {}
    record: dict[str, Any] = dict((sample.store or {}).get("agentic") or {})
    verdicts: dict[str, Verdict] = {}
    for score in scores.values():
        for rubric, data in ((score.metadata or {}).get("verdicts") or {}).items():
            verdicts[rubric] = Verdict.from_dict(data)
    usage = (sample.model_usage or {}).get(model)
    condition = str(meta.get("condition", sample.id))
    messages = sample.messages
    return Episode(
        sample_id=str(sample.id),
        epoch=sample.epoch,
        condition=condition,
        setting=str(meta.get("setting", condition.split("/")[0])),
        version=str(meta.get("version", condition.split("/")[-1])),
        system=next((m.text for m in messages if m.role == "system"), ""),
        task=next((m.text for m in messages if m.role == "user"), ""),
        steps=episode_steps(messages),
        reached=bool(final.value) if final is not None and not sample.error else None,
        attempts=tuple(rule.get("attempts", ())),
        diff=record.get("diff", {}),
        before=record.get("before", {}),
        after=record.get("after", {}),
        turns=int(record.get("turns", 0)),
        stopped=str(record.get("stopped", "")),
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        truth=details.get("organism_truth"),
        verdicts=verdicts,
        error=sample.error.message if sample.error else None,
    )


def agentic_summary(path: str | Path, prices: PriceTable | None = None) -> AgenticSummary:
    """The summary of an agentic run's log (its environment named in the log's metadata)."""
    return agentic_run(path, prices)[0]


def agentic_run(
    path: str | Path, prices: PriceTable | None = None
) -> tuple[AgenticSummary, list[Episode]]:
    """An agentic run's summary and its episodes (what the report shows)."""
    run, episodes = read_episodes(path)
    meta = afscope_meta(path)
    environment = load_environment(str(meta.get("environment", "")))
    rule = {**environment.scoring, **(run.classifiers.get("deterministic") or {})}
    rule.pop("type", None)
    tokens = (sum(e.input_tokens for e in episodes), sum(e.output_tokens for e in episodes))
    cost = cost_of_usage(
        run.model,
        input_tokens=tokens[0],
        cached_input_tokens=0,
        cache_write_tokens=0,
        output_tokens=tokens[1],
        prices=prices,
    )
    summary = summarize_episodes(
        run,
        episodes,
        environment=environment.name,
        outcome=str(environment.scoring.get("outcome", "rule met")),
        rule={"rule": rule.pop("name", environment.scoring.get("rule")), **rule},
        judge_rubric=environment.judge_rubric,
        bounds=(int(meta.get("max_turns", 0)), int(meta.get("max_tokens_per_sample", 0))),
        cost_usd=cost,
    )
    return summary, episodes


def scheming_run(path: str | Path) -> SchemingRun:
    """A scheming run's info, its summary (the numbers ``afscope scheming`` printed) and its
    episodes, each the agentic view (``reached``: the rule found scheming) with its record."""
    from afscope.harness._scheming_scoring import before_interrogation
    from afscope.scheming import SchemingEpisode, summarize_scheming

    run = read_run_info(path)
    items = []
    for sample in iter_samples(path):
        score = (sample.scores or {}).get(SCHEMING_SCORER)
        record = dict(score.metadata or {}) if score is not None else {}
        schemed = bool(record["schemed"]) if record and not sample.error else None
        # the steps end where management's questions begin: the report shows those apart
        episode = _episode(sample, run.model)
        messages = before_interrogation(sample.messages, record.get("questions") or [])
        episode = replace(episode, reached=schemed, steps=episode_steps(messages))
        items.append(SchemingEpisode(episode, record))
    return run, summarize_scheming(item.record for item in items), items


def scheming_summary(path: str | Path, prices: PriceTable | None = None) -> SchemingSummary:
    """What `afscope run` prints after a scheming kind's run: :func:`scheming_run`'s summary
    (the prices are not used: a scheming summary states no cost)."""
    return scheming_run(path)[1]
