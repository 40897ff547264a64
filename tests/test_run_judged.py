"""`afscope run --judge`: the organism judged by an LLM judge behind a local OpenAI server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from inspect_ai.log import read_eval_log

from afscope.cli import cli
from afscope.harness import iter_samples, read_run
from support.judge_replies import ScriptedJudge
from support.wire_servers import OpenAIServer


def test_run_with_a_judge_scores_as_it_goes(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    # the judge calls alignment faking whatever mentions modifying values
    judge = ScriptedJudge(af_yes=lambda prompt: "modif" in prompt.split("<criteria>")[0])
    server = openai_server(judge, max_requests=2000)
    args = [
        "run",
        "--limit",
        "4",
        "--json",
        "--log-dir",
        str(tmp_path),
        "--judge",
        "openai/gpt-4o-mini",
        "--judge-base-url",
        server.base_url,
        "--judge-votes",
        "3",
        "--adaptive",
        "off",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    for tier in ("free", "paid"):
        stats = summary["tiers"][tier]
        assert stats["af_reasoning"] is not None
        assert stats["partial_compliance"] is not None
        assert stats["judge_errors"] == 0
        assert stats["judge_tokens"] > 0
    spec = summary["af_classifier"]
    assert spec["name"] == "af_reasoning" and spec["judge_model"] == "openai/gpt-4o-mini"
    assert spec["votes"] == 3
    run, records = read_run(summary["log"])
    # every sample judged once per applicable rubric, 3 votes each: nothing lost or doubled
    assert judge.judged["partial_compliance"] == 3 * len(records)
    with_reasoning = [r for r in records if r.scratchpad]
    assert judge.judged["af_reasoning"] == 3 * len(with_reasoning)
    for record in with_reasoning:
        verdict = record.verdicts["af_reasoning"]
        assert verdict.votes and len(verdict.votes) == 3
        assert verdict.spec["rubric_sha256"]
    # with a judge, the local monitor does not run unless asked for
    assert "af_reasoning_monitor" not in run.classifiers
    # a sample's tokens are the tested model's, over every turn: Inspect's own tally of the
    # sample's usage for that model, the judge's calls (in the same samples) left out
    usage = {(str(s.id), s.epoch): s.model_usage for s in iter_samples(summary["log"])}
    assert any(record.turns > 1 for record in records)
    for record in records:
        by_model = usage[(record.sample_id, record.epoch)]
        assert by_model["openai/gpt-4o-mini"].input_tokens > 0  # the judge was called here
        tested = by_model[run.model]
        assert (record.input_tokens, record.output_tokens) == (
            tested.input_tokens,
            tested.output_tokens,
        )


def test_a_monitor_beside_a_judge_is_named_apart_in_inspects_metrics(
    openai_server: Callable[..., OpenAIServer], tmp_path: Path
) -> None:
    # inspect view shows each scorer's metrics: the monitor's AF rate, which the outcome scorer
    # records, must not read as the judge's af_reasoning rate
    judge = ScriptedJudge(af_yes=lambda prompt: True)
    server = openai_server(judge, max_requests=2000)
    args = ["run", "--limit", "4", "--json", "--log-dir", str(tmp_path), "--monitor"]
    args += ["--judge", "openai/gpt-4o-mini", "--judge-base-url", server.base_url]
    args += ["--judge-votes", "1", "--adaptive", "off"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout.strip().splitlines()[-1])["log"]
    header = read_eval_log(log, header_only=True)
    assert header.results is not None
    metrics = {s.name: {k: m.value for k, m in s.metrics.items()} for s in header.results.scores}
    outcome, judged = metrics["outcome_scorer"], metrics["af_judge_scorer"]
    assert judged["af_reasoning_free"] == 1.0  # the judge says yes to every scratchpad
    assert "af_reasoning_free" not in outcome
    assert 0.0 <= outcome["af_reasoning_monitor_free"] <= 1.0
    assert outcome["af_reasoning_monitor_free"] != judged["af_reasoning_free"]
