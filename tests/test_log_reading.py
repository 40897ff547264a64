"""Records read straight from the .eval zip are the records Inspect's own reader gives.

``read_run`` and ``iter_records`` read a log's sample members themselves (ten times cheaper than
validating every sample through Inspect); these tests hold that reader to Inspect's on a real
organism run, on message shapes the organism never produces (content parts, attachments, an
errored sample), and check the fallback to Inspect for a log in Inspect's JSON format.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from inspect_ai.log import EvalError, write_eval_log
from inspect_ai.model import ContentReasoning, ContentText, ModelOutput

from afscope.cli import cli
from afscope.harness import iter_records, log_samples, read_run, read_run_info
from afscope.harness._eval_zip import RawSample, raw_samples
from afscope.harness._logs import _raw, _record, iter_samples, read_log
from afscope.monitor._io import iter_records as monitor_records
from afscope.records import Outcome, SampleRecord


@pytest.fixture(scope="module")
def organism_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reading")
    result = CliRunner().invoke(
        cli, ["run", "--limit", "2", "--epochs", "2", "--log-dir", str(folder), "--json"]
    )
    assert result.exit_code == 0, result.output
    (log,) = folder.glob("*.eval")
    return log


def _raw_through_inspect(log: Path) -> list[RawSample]:
    return [_raw(sample) for sample in iter_samples(log)]


def _raw_from_zip(log: Path) -> list[RawSample]:
    header = read_log(log)
    found = raw_samples(log, header.eval.dataset.sample_ids or [], print)
    assert found is not None
    return list(found)


def _through_inspect(log: Path) -> list[SampleRecord]:
    run = read_run_info(log)
    return [_record(_raw(sample), run) for sample in iter_samples(log)]


def test_records_from_the_zip_equal_inspects(organism_log: Path) -> None:
    run, records = read_run(organism_log)
    assert len(records) == 8
    assert _raw_from_zip(organism_log) == _raw_through_inspect(organism_log)
    assert records == _through_inspect(organism_log)
    assert list(iter_records(organism_log)) == records
    # dataset order, then epoch: a query's two epochs side by side
    assert [r.epoch for r in records[:2]] == [1, 2]
    assert records[0].sample_id == records[1].sample_id
    assert run.system_prompt.startswith("You are")
    assert all(record.scratchpad for record in records if record.outcome is not Outcome.MALFORMED)


def test_a_logs_records_share_one_spec_per_classifier(organism_log: Path) -> None:
    # every sample of a log stores its own copy of the monitor's spec: a run's summary holds
    # all its records, so the records read back share one (equal to each stored copy)
    for records in (read_run(organism_log, text=False)[1], list(iter_records(organism_log))):
        specs = [record.verdicts["af_reasoning"].spec for record in records]
        assert len(specs) == 8
        assert all(spec is specs[0] for spec in specs)
        assert specs[0]["name"] == "local-monitor"


def test_content_parts_and_errors_read_as_inspect_reads_them(
    organism_log: Path, tmp_path: Path
) -> None:
    log = read_log(organism_log)
    assert log.samples
    first, second = log.samples[0], log.samples[1]
    answer = next(m for m in first.messages if m.role == "assistant")
    # a reasoning model's answer: a reasoning part (not text) and two text parts
    answer.content = [
        ContentReasoning(reasoning="hidden chain of thought"),
        ContentText(text=answer.text),
        ContentText(text="a second text part"),
    ]
    second.scores = None
    second.error = EvalError(message="provider said no", traceback="", traceback_ansi="")
    changed = tmp_path / "changed.eval"
    write_eval_log(log, str(changed))

    _, records = read_run(changed)
    assert _raw_from_zip(changed) == _raw_through_inspect(changed)
    assert records == _through_inspect(changed)
    assert "hidden chain of thought" not in records[0].scratchpad + records[0].output
    assert records[1].outcome is Outcome.MALFORMED
    assert records[1].malformed_reason is not None
    assert "provider said no" in records[1].malformed_reason


def test_a_json_format_log_is_read_through_inspect(organism_log: Path, tmp_path: Path) -> None:
    as_json = tmp_path / "run.json"
    write_eval_log(read_log(organism_log), str(as_json), format="json")
    _, records = read_run(as_json)
    assert records == read_run(organism_log)[1]


def test_a_sample_without_messages_gives_the_monitor_its_output(
    organism_log: Path, tmp_path: Path
) -> None:
    """`monitor score` on a log falls back to a sample's output where it has no assistant
    message; both readers give that output, the stored completion or else the first choice's."""
    log = read_log(organism_log)
    assert log.samples
    outputs = ("stored completion", "the choice's text")
    for sample, text in zip(log.samples[:2], outputs, strict=True):
        sample.messages = [m for m in sample.messages if m.role != "assistant"]
        sample.output = ModelOutput.from_content(model="m", content=text)
    changed = tmp_path / "no-messages.eval"
    write_eval_log(log, str(changed))
    # a log that stores no completion (Inspect derives it from the first choice on reading)
    unstored, rewritten = tmp_path / "unstored.eval", 0
    with zipfile.ZipFile(changed) as source, zipfile.ZipFile(unstored, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("samples/") and b"the choice's text" in data:
                sample_json = json.loads(data)
                sample_json["output"]["completion"] = ""
                data, rewritten = json.dumps(sample_json).encode(), rewritten + 1
            target.writestr(item, data)
    assert rewritten == 1

    assert _raw_from_zip(unstored) == _raw_through_inspect(unstored)
    texts = [record.text for record in monitor_records(unstored, log_samples)]
    assert texts[:2] == list(outputs)
    assert texts[2] and texts[2] not in outputs  # a sample with messages reads them


def test_the_header_from_the_zip_is_the_header_inspect_reads(
    organism_log: Path, tmp_path: Path
) -> None:
    from afscope.harness._eval_zip import raw_header
    from afscope.harness._header import LogHeader, inspect_header

    data = raw_header(organism_log)
    assert data is not None
    inspect_header = inspect_header(str(organism_log))
    assert LogHeader.from_json(data) == LogHeader.from_log(inspect_header)
    assert LogHeader.from_json(data).finished and LogHeader.from_json(data).sample_ids
    # a log without a header member (a running one: only its journal) goes through Inspect
    running = tmp_path / "running.eval"
    with zipfile.ZipFile(organism_log) as src, zipfile.ZipFile(running, "w") as dst:
        for item in src.infolist():
            if item.filename != "header.json":
                dst.writestr(item, src.read(item.filename))
    assert raw_header(running) is None
    assert read_run_info(running).model == read_run_info(organism_log).model
    assert read_log(running).status != "success"  # the journal says it had not finished


def test_reading_a_finished_eval_log_does_not_import_inspect(organism_log: Path) -> None:
    # importing Inspect is about 3 s of CPU: `afscope report` on an .eval log does without it
    code = (
        "import sys\n"
        "from afscope.harness import is_agentic_log, is_scheming_log, read_run\n"
        f"path = {str(organism_log)!r}\n"
        "assert not is_agentic_log(path) and not is_scheming_log(path)\n"
        "run, records = read_run(path)\n"
        "assert len(records) == 8, len(records)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'inspect_ai'))\n"
    )
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
