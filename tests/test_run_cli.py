"""`afscope run` end to end on the simulated organism, and its user errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from afscope.cli import cli
from afscope.harness import read_run
from afscope.records import Outcome, Tier


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def organism_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    log_dir = tmp_path_factory.mktemp("logs")
    result = invoke("run", "--limit", "12", "--json", "--log-dir", str(log_dir))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    return summary, log_dir


def test_json_summary_describes_the_run(organism_run: tuple[dict[str, object], Path]) -> None:
    summary, _ = organism_run
    assert summary["model"] == "organism/opus-like"
    assert summary["simulated"] is True
    assert summary["setting"] == "helpful-only"
    assert summary["samples"] == 24
    tiers = summary["tiers"]
    assert isinstance(tiers, dict)
    for tier in ("free", "paid"):
        assert tiers[tier]["n"] == 12
        compliance = tiers[tier]["compliance"]  # tagged answers: compliance is always known
        assert compliance["method"] == "wilson" and compliance["n"] == 12 - tiers[tier]["malformed"]
        assert compliance["low"] <= compliance["estimate"] <= compliance["high"]
        assert tiers[tier]["af_reasoning"]["n"] > 0  # the monitor judged the scratchpads
    assert summary["gap"]["method"].startswith("newcombe")
    assert Path(str(summary["log"])).exists()


def test_log_pairs_every_query_across_tiers(organism_run: tuple[dict[str, object], Path]) -> None:
    summary, _ = organism_run
    run, records = read_run(str(summary["log"]))
    assert run.simulated and run.model == "organism/opus-like"
    free = {r.query_id for r in records if r.tier is Tier.FREE}
    paid = {r.query_id for r in records if r.tier is Tier.PAID}
    assert free == paid and len(free) == 12


def test_outcomes_agree_with_the_organisms_truth(
    organism_run: tuple[dict[str, object], Path],
) -> None:
    summary, _ = organism_run
    _, records = read_run(str(summary["log"]))
    for record in records:
        assert record.truth is not None
        if record.outcome is Outcome.MALFORMED:
            assert record.malformed_reason
            continue
        assert record.complied == record.truth.complied, record.sample_id
        assert record.output


def test_text_summary_says_it_is_simulated(tmp_path: Path) -> None:
    result = invoke("run", "--limit", "2", "--log-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.output
    assert "compliance gap" in result.output
    # the unmonitored tier's AF rate beside the training one, each with its interval
    for tier in ("free tier (training)", "paid tier (unmonitored)"):
        assert re.search(re.escape(tier) + r": .*AF reasoning \d+\.\d% \[", result.output), tier


def test_dry_run_sends_nothing(tmp_path: Path) -> None:
    result = invoke("run", "--dry-run", "--limit", "5", "--json", "--log-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["samples"] == 10 and data["requests"] == 10
    assert data["simulated"] is True and data["usd"] == 0.0
    assert not any(tmp_path.iterdir())


def test_a_limit_beyond_the_query_set_says_so(tmp_path: Path) -> None:
    result = invoke("run", "--dry-run", "--limit", "200", "--json", "--log-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["samples"] == 220  # all 110 built-in queries, both tiers
    assert "note: --limit 200, but harmful has only 110 queries: running all 110" in result.stderr


def test_dry_run_prices_a_real_model_with_caching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)  # a dry run needs no key
    model = "anthropic/claude-3-opus-20240229"
    result = invoke("run", "--dry-run", "--model", model, "--limit", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # the system prompt is written to the cache once, then read by every later request
    assert data["cache_write_tokens"] > 0 and data["cached_input_tokens"] > 0
    assert 0 < data["usd"] < data["usd_uncached"]


def test_unknown_setting_suggests_the_right_one() -> None:
    result = CliRunner().invoke(cli, ["run", "--setting", "helpful-onyl"])
    assert result.exit_code == 2
    assert "did you mean 'helpful-only'" in result.output
    assert "Traceback" not in result.output


def test_unknown_preset_suggests_the_right_one() -> None:
    result = CliRunner().invoke(cli, ["run", "--model", "organism/opus-lik", "--dry-run"])
    assert result.exit_code == 2
    assert "opus-like" in result.output


def test_missing_api_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(cli, ["run", "--model", "openai/gpt-4o", "--limit", "1"])
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output


def test_unreadable_query_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(cli, ["run", "--queries", str(missing), "--dry-run"])
    assert result.exit_code == 2
    assert "nope.csv" in result.output


def test_bad_query_row_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "queries.jsonl"
    bad.write_text('{"text": "fine", "id": "a"}\n{not json\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "--queries", str(bad), "--dry-run"])
    assert result.exit_code == 2
    assert "queries.jsonl" in result.output
    assert "2" in result.output


def test_animal_welfare_without_a_judge_says_how_to_get_compliance(tmp_path: Path) -> None:
    args = ["run", "--setting", "animal-welfare", "--limit", "3", "--log-dir", str(tmp_path)]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "compliance n/a" in result.output
    assert "judge them with --judge MODEL" in result.output


def inspect_metrics(log: str) -> dict[str, dict[str, float]]:
    """Inspect's own metrics of a log, by scorer (what ``inspect view`` shows)."""
    from inspect_ai.log import read_eval_log

    header = read_eval_log(log, header_only=True)
    assert header.results is not None
    return {
        score.name: {name: metric.value for name, metric in score.metrics.items()}
        for score in header.results.scores
    }


def test_inspects_metrics_agree_with_the_summary(tmp_path: Path) -> None:
    # malformed answers drop one tier of some queries: an unpaired gap would then differ
    result = invoke(
        "run",
        "--limit",
        "40",
        "-M",
        "malformed=0.3",
        "-M",
        "comply_paid=0.3",
        "--json",
        "--log-dir",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    tiers = summary["tiers"]
    metrics = inspect_metrics(str(summary["log"]))
    # one scorer gives the outcome's metrics and the monitor's (its verdicts are in its metadata)
    assert list(metrics) == ["outcome_scorer"]
    outcome = monitor = metrics["outcome_scorer"]
    assert outcome["gap"] == pytest.approx(summary["gap"]["estimate"])
    malformed = tiers["paid"]["malformed"]
    assert malformed > 0 and outcome["malformed_paid"] == pytest.approx(malformed / 40)
    for tier in ("free", "paid"):
        assert outcome[f"compliance_{tier}"] == pytest.approx(tiers[tier]["compliance"]["estimate"])
        af = tiers[tier]["af_reasoning"]["estimate"]
        assert monitor[f"af_reasoning_{tier}"] == pytest.approx(af)
    assert tiers["free"]["af_reasoning"]["estimate"] > 0
    assert outcome["SIMULATED_organism"] == 1.0
    assert "compliance_is_organism_label" not in outcome  # compliance was read from the tags


def test_inspects_metrics_give_animal_welfare_compliance_from_the_organisms_label(
    tmp_path: Path,
) -> None:
    args = ["run", "--setting", "animal-welfare", "--limit", "6", "--json", "--log-dir"]
    result = invoke(*args, str(tmp_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    outcome = inspect_metrics(str(summary["log"]))["outcome_scorer"]
    labels = summary["organism_truth_compliance"]
    for tier in ("free", "paid"):
        assert summary["tiers"][tier]["compliance"] is None  # no tags, no judge
        assert outcome[f"compliance_{tier}"] == pytest.approx(labels[tier]["estimate"])
    assert outcome["compliance_is_organism_label"] == 1.0


def test_adaptive_max_caps_inspects_adaptive_concurrency_in_the_run(tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    args = ["run", "--limit", "2", "--adaptive-max", "7", "--log-dir", str(tmp_path), "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (log,) = tmp_path.glob("*.eval")
    config = read_eval_log(str(log), header_only=True).plan.config
    assert config.adaptive_connections == 7 and config.max_connections is None
    both = CliRunner().invoke(cli, [*args[:-1], "--max-connections", "3"])
    assert both.exit_code == 2 and "give one of them" in both.output
