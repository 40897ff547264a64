"""What `run` and `sweep` share so that a run always ends: bounded retries, a retry line, checks.

* :func:`retry_options` adds the retry and timeout options (bounded defaults from
  :class:`afscope.sweep.RetryPolicy`) to a command; :func:`policy_from` reads them back.
* :func:`show_retries` turns on one terminal line per retried request (what failed, how often,
  when the next attempt is), fed by Inspect's ``on_model_retry`` hook, and makes Ctrl-C end
  Inspect's eval functions with KeyboardInterrupt.
* :func:`check_model`, :func:`check_queries` and :func:`check_log_dir` refuse a bad model string,
  an empty query file or an unusable log directory with one line, before anything is sent.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from afscope.cli._options import add_options
from afscope.errors import ConfigError, DataError
from afscope.providers import API_KEY_VARIABLES, provider_of
from afscope.records import Decision, SampleRecord

if TYPE_CHECKING:
    from afscope.sweep import RetryPolicy

__all__ = [
    "BATCH_PRICE_NOTE",
    "INSPECT_PROVIDERS",
    "check_judged",
    "check_log_dir",
    "check_model",
    "check_queries",
    "failure_causes",
    "failure_line",
    "policy_from",
    "policy_option",
    "redact",
    "refusal_line",
    "retry_options",
    "show_retries",
    "stdout_to_stderr",
]

# HTTP status of a provider error that no retry can fix -> what the user should do
_FIXES = {
    400: "the provider refused the request as invalid: check the model's options and -M arguments",
    401: "the API key was refused: check its environment variable (or -M api_key=...)",
    403: "the API key may not use this model: check the key's access or the organisation",
    404: "no such model or endpoint: check the model name and --base-url",
}

F = TypeVar("F", bound=Callable[..., Any])

BATCH_PRICE_NOTE = (
    "--batch: the model's requests are priced at its batch API's price where the price table "
    "gives one (Anthropic, OpenAI: half); a judge's requests are not batched"
)

# model providers of the pinned Inspect (0.3.285) plus afscope's simulated organism
INSPECT_PROVIDERS = (
    "anthropic",
    "azureai",
    "bedrock",
    "cloudflare",
    "deepseek",
    "fireworks",
    "google",
    "grok",
    "groq",
    "hf",
    "hf-inference-providers",
    "litellm-proxy",
    "llama-cpp-python",
    "meta",
    "mistral",
    "mockllm",
    "moonshot",
    "nnterp",
    "none",
    "ollama",
    "openai",
    "openai-api",
    "openai-api-completions",
    "openrouter",
    "organism",
    "perplexity",
    "sagemaker",
    "sambanova",
    "sglang",
    "together",
    "transformer_lens",
    "vllm",
    "vllm-completions",
)

_SUGGESTED = tuple(p for p in INSPECT_PROVIDERS if p not in ("none", "mockllm"))


def retry_options(command: F) -> F:
    """Add the concurrency options, --max-retries, --attempt-timeout, --timeout (bounded by
    default) and --batch."""
    options = [
        click.option(
            "--max-connections",
            type=click.IntRange(min=1),
            default=None,
            help="A fixed number of concurrent requests per model [default: adaptive, 10-100].",
        ),
        click.option(
            "--adaptive-max",
            type=click.IntRange(min=1),
            default=None,
            help="Keep Inspect's adaptive concurrency, which scales each model's requests by its "
            "rate-limit answers, but never above N [default: 100].",
        ),
        policy_option(
            "--max-retries",
            click.IntRange(min=0),
            "Retries of one request (429, 5xx, 529, timeouts, dropped connections).",
        ),
        policy_option(
            "--attempt-timeout",
            click.IntRange(min=1),
            "Seconds before one attempt is abandoned and retried.",
        ),
        policy_option(
            "--timeout",
            click.IntRange(min=1),
            "Seconds for one request with all its retries; then the sample fails.",
        ),
        click.option(
            "--batch",
            is_flag=False,
            flag_value="true",
            default=None,
            metavar="[N|FILE]",
            help="Send requests through the provider's batch API (half price, answers within "
            "24 h; anthropic, openai, google, together, grok): batches of N requests [100], or "
            "Inspect's batch settings from a YAML/JSON FILE (size, send_delay, tick, ...).",
        ),
    ]
    return add_options(command, options)


def policy_option(flag: str, type: Any, help: str) -> Callable[[F], F]:
    """An option setting the :class:`afscope.sweep.RetryPolicy` field of its name, whose
    default (shown in ``--help``) is the policy's."""
    from afscope.sweep import RetryPolicy

    default = getattr(RetryPolicy(), flag.removeprefix("--").replace("-", "_"))
    return click.option(flag, type=type, default=default, show_default=True, help=help)


def policy_from(options: dict[str, Any], models: Sequence[str]) -> RetryPolicy:
    """The :class:`afscope.sweep.RetryPolicy` of a command's retry (and batch) options: each
    option named like a policy field sets that field. --batch is refused for ``models`` that
    have no batch API."""
    from afscope.sweep import RetryPolicy, check_batchable, parse_batch

    names = {field.name for field in fields(RetryPolicy)} - {"batch"}
    settings = {name: value for name, value in options.items() if name in names}
    policy = RetryPolicy(**settings, batch=parse_batch(options["batch"]))
    if policy.batch is not None:
        check_batchable(tuple(models))
    return policy


class _RetryLine:
    """Counts retries per model and prints one line per retry on stderr."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def report(
        self, model: str, attempt: int, wait: float, kind: str | None, status: int | None
    ) -> None:
        self.counts[model] += 1
        what = " ".join(p for p in (f"HTTP {status}" if status else None, kind) if p) or "error"
        click.echo(
            f"retrying {model}: {what} (attempt {attempt} of this request failed; "
            f"{self.counts[model]} retries so far); next attempt in {wait:.0f} s",
            err=True,
        )


RETRY_LINE = _RetryLine()


def show_retries(on: bool = True) -> None:
    """Print a line on stderr for every request Inspect retries (off: library use stays quiet).

    It also makes a run that Ctrl-C ended raise KeyboardInterrupt out of Inspect's eval
    functions (:func:`afscope.harness.watch_runs`): every command that shows retries runs Inspect.
    """
    from afscope.harness import watch_runs

    RETRY_LINE.counts.clear()
    watch_runs(RETRY_LINE.report if on else None, interrupts=on)


def stdout_to_stderr(on: bool) -> contextlib.AbstractContextManager[Any]:
    """While Inspect runs under --json, whatever it prints (its hook banner) goes to stderr."""
    return contextlib.redirect_stdout(sys.stderr) if on else contextlib.nullcontext()


def check_model(model: str, option: str = "--model") -> None:
    """Refuse a model string Inspect cannot resolve, with "did you mean", before any work."""
    provider, sep, name = model.partition("/")
    if not sep or not provider or not name:
        close = difflib.get_close_matches(model.lower(), _SUGGESTED, n=1, cutoff=0.6)
        guess = (
            "openai"
            if model.lower().startswith(("gpt", "o1", "o3", "o4"))
            else (
                "anthropic" if model.lower().startswith("claude") else (close[0] if close else None)
            )
        )
        hint = f"; did you mean {guess + '/' + model!r}?" if guess else ""
        raise ConfigError(
            f"model {model!r} has no provider prefix (provider/name){hint}", key=option
        )
    if provider not in INSPECT_PROVIDERS:
        close = difflib.get_close_matches(provider, _SUGGESTED, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0] + '/' + name!r}?" if close else ""
        raise ConfigError(
            f"unknown model provider {provider_of(model)!r} in {model!r}{hint} "
            "(e.g. openai, anthropic, google, mistral, ollama; simulated: organism/<preset>)",
            key=option,
        )


def check_queries(queries: Sequence[Any], spec: str) -> None:
    """An empty query file or set is refused: a run of nothing would look like success."""
    if not queries:
        raise DataError("no queries in this file (it is empty or has only a header)", file=spec)


def check_log_dir(log_dir: str, option: str = "--log-dir") -> None:
    """The log directory exists or can be created; a file in its way is named."""
    path = Path(log_dir)
    for part in (path, *path.parents):
        if part.exists():
            if not part.is_dir():
                raise ConfigError(f"{str(part)!r} is a file, not a directory", key=option)
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create {log_dir!r}: {error.strerror}", key=option) from None


def refusal_line(model: str, reasons: Sequence[str]) -> str | None:
    """The refusal among ``reasons`` that no retry fixes (400, 401, 403, 404), with the fix."""
    for reason in reasons:
        match = re.search(r"(?:Error code|status(?: code)?)[:= ]+(\d{3})", reason)
        if match and int(match.group(1)) in _FIXES:
            status = int(match.group(1))
            return f"{provider_of(model)} answered HTTP {status} for {model!r}; {_FIXES[status]}"
    return None


def failure_line(model: str, reasons: Sequence[str]) -> str:
    """One line for a run in which every sample failed: the provider's status and the fix."""
    refused = refusal_line(model, reasons)
    if refused:
        return f"every sample failed: {refused}"
    first = _cause(reasons[0]) if reasons else "unknown"
    return f"every sample failed ({len(reasons)} samples): {first}"


def check_judged(records: Sequence[SampleRecord], logs: str) -> None:
    """The judge's failed verdicts: their causes on stderr and, when it failed every verdict, a
    failing status with the cause, its fix and how to judge the kept answers in ``logs`` once it
    is fixed (a bad judge key would otherwise end as exit 0 and a count)."""
    judged = [v for r in records for v in r.verdicts.values() if v.spec.judge_model]
    failed = [v for v in judged if v.decision is Decision.ERROR]
    if not failed:
        return
    reasons = [v.error or "" for v in failed]
    for line in failure_causes(reasons, what="judge verdicts"):
        click.echo(line, err=True)
    if len(failed) == len(judged):
        judge = str(failed[0].spec.judge_model)
        cause = refusal_line(judge, reasons) or _cause(reasons[0])
        raise click.ClickException(
            f"the judge failed every verdict: {cause}. The answers are kept; once fixed, judge "
            f"them with: afscope classify {logs} --judge {judge}"
        )


def _cause(reason: str) -> str:
    """A failed sample's error as one short line (a retry loop that gave up says so)."""
    text = redact(reason.removeprefix("sample error: ").strip())
    not_sent = re.search(r"not sent: (\S+) refused an earlier request with HTTP (\d{3})", text)
    if not_sent:
        return f"not sent (the provider refused an earlier request with HTTP {not_sent[2]})"
    status = re.search(r"Error code: (\d{3})", text)
    if status:
        after = text[status.end() :]  # "- {'error': {'message': '...'}}" or "- the message"
        message = re.search(r"message\W+([^'\"\\]+)", after) or re.match(r" - ([^'\"\\{]+)", after)
        return f"HTTP {status.group(1)}" + (f": {message.group(1)}" if message else "")
    gave_up = re.match(r"RetryError\(<Future .* raised (\w+)>\)", text)
    if gave_up:
        return (
            f"{gave_up.group(1)} on every attempt; gave up at the retry bounds "
            "(--max-retries, --timeout)"
        )
    return text.splitlines()[0][:240] if text else "unknown error"


def failure_causes(reasons: Sequence[str], what: str = "samples") -> list[str]:
    """One line per distinct cause of failed samples (or ``what``), with how many it ended."""
    causes = Counter(_cause(r) for r in reasons)
    return [f"{n} {what} failed: {cause}" for cause, n in causes.most_common()]


def redact(text: str) -> str:
    """``text`` with API keys (from the environment, -M api_key=..., URL passwords) masked."""
    for variable in (*API_KEY_VARIABLES.values(), "AFSCOPE_API_KEY"):
        value = os.environ.get(variable, "").strip()
        if len(value) >= 4:
            text = text.replace(value, "***")
    text = re.sub(
        r"((?:api_key|api-key|key|token|password|secret)=)[^\s'\",&]+",
        r"\1***",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"(\w+://[^/\s:@]+:)[^@\s/]+@", r"\1***@", text)
    return re.sub(r"\b(sk-[A-Za-z0-9_-]{3})[A-Za-z0-9_-]{8,}", r"\1***", text)
