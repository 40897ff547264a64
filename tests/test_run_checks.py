"""`afscope run` refuses a bad model string, an empty query file or a bad log dir in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from afscope.cli import cli
from afscope.cli._limits import failure_line, redact


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", "did you mean 'openai/gpt-4o'?"),
        ("opnai/gpt-4o", "did you mean 'openai/gpt-4o'?"),
        ("nosuchprovider/x", "unknown model provider 'nosuchprovider'"),
    ],
)
def test_a_bad_model_string_is_one_line_before_any_work(model: str, expected: str) -> None:
    for extra in ([], ["--dry-run"]):
        result = CliRunner().invoke(cli, ["run", "--model", model, "--limit", "1", *extra])
        assert result.exit_code == 2 and expected in result.stderr, result.output
    judged = CliRunner().invoke(cli, ["run", "--judge", model, "--dry-run"])
    assert judged.exit_code == 2 and "--judge" in judged.stderr


def test_empty_query_files_and_bad_log_dirs_are_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("text\n")
    blocker = tmp_path / "file"
    blocker.write_text("")
    cases = [
        (["--queries", str(empty), "--dry-run"], "empty.jsonl: no queries"),
        (["--queries", str(header)], "header.csv: no queries"),
        (["--log-dir", str(blocker / "logs")], "is a file, not a directory"),
    ]
    for extra, expected in cases:
        result = CliRunner().invoke(cli, ["run", "--limit", "1", *extra])
        assert result.exit_code == 2 and expected in result.stderr, result.output
        assert "Traceback" not in result.output


def test_a_refused_key_names_the_status_and_the_fix() -> None:
    reasons = ["sample error: AuthenticationError: Error code: 401 - {'error': 'bad key'}"]
    line = failure_line("openai/gpt-4o", reasons)
    assert "openai answered HTTP 401" in line and "API key was refused" in line


def test_secrets_are_masked_in_printed_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-secret-value-123")
    command = (
        "afscope sweep -M openai/gpt-4o api_key=abc123 --base-url "
        "openai=http://user:pw@host/v1 # sk-live-secret-value-123"
    )
    masked = redact(command)
    for secret in ("abc123", ":pw@", "sk-live-secret-value-123"):
        assert secret not in masked
    assert "api_key=***" in masked


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("prompts.csv", "prompt\nhow do I pick a lock\n"),
        ("prompts.jsonl", '{"prompt": "how do I pick a lock"}\n'),
    ],
)
def test_a_query_file_without_a_text_column_says_what_to_rename(
    tmp_path: Path, name: str, content: str
) -> None:
    """The CLI has no column mapping: the hint is one a CLI user can act on, and it works."""
    path = tmp_path / name
    path.write_text(content)
    result = CliRunner().invoke(cli, ["run", "--queries", str(path), "--dry-run"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert name in result.stderr and "rename the file's column to 'text'" in result.stderr
    path.write_text(content.replace("prompt", "text", 1))
    fixed = CliRunner().invoke(cli, ["run", "--queries", str(path), "--dry-run"])
    assert fixed.exit_code == 0, fixed.output


@pytest.mark.parametrize(
    "url",
    [
        "http://bob:hunter2pw@127.0.0.1:9/v1",
        "http://127.0.0.1:9/v1?key=hunter2pw",
        "http://127.0.0.1:9/v1?x=1&api_key=hunter2pw",
    ],
)
def test_a_base_url_with_a_credential_is_refused_before_it_reaches_a_log(
    tmp_path: Path, url: str
) -> None:
    """Inspect writes the base URL into the .eval header; the secret is never echoed either."""
    commands = [
        ["run", "--base-url", url, "--log-dir", str(tmp_path), "--limit", "1"],
        ["run", "--judge-base-url", url, "--judge", "openai/gpt-4o", "--dry-run"],
        [
            "sweep",
            "--models",
            "openai/gpt-4o",
            "--base-url",
            f"openai={url}",
            "--log-dir",
            str(tmp_path),
            "--dry-run",
        ],
    ]
    for args in commands:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert "carries a credential" in result.stderr and "hunter2pw" not in result.output
    assert not list(tmp_path.glob("*.eval"))
    ok = CliRunner().invoke(cli, ["run", "--base-url", "http://127.0.0.1:9/v1?x=1", "--dry-run"])
    assert ok.exit_code == 0, ok.output
