"""How hard a sweep tries: concurrency, retries of requests, samples and cells, log durability.

Every value here is a command-line option; the defaults suit a real provider API. Retries of a
request are Inspect's (recorded in the log as the model call's ``retries``); the provider SDK's own
silent retries are off by default so that every retry shows up in the log and the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from afscope.errors import ConfigError

__all__ = ["RetryPolicy"]

# providers whose SDK client takes a ``max_retries`` argument through Inspect's model args
SDK_RETRY_PROVIDERS = frozenset({"openai", "anthropic"})


@dataclass(frozen=True)
class RetryPolicy:
    """Concurrency and retry settings of a sweep (passed to ``inspect_ai.eval_set``)."""

    max_connections: int = 10  # concurrent requests per model
    max_retries: int = 5  # Inspect retries of one request (429, 5xx, 529, timeouts, drops)
    attempt_timeout: int = 120  # seconds before one attempt is abandoned and retried
    # seconds for one request with all its retries; then the sample fails (None: no cap)
    timeout: int | None = 600
    retry_on_error: int = 2  # reruns of a sample that raised (e.g. an answer with no choices)
    retry_attempts: int = 3  # reruns of a cell whose log still has failed samples (0: none)
    sdk_retries: int = 0  # the provider SDK's own, unrecorded retries
    # samples buffered before they are written into the log file: 1 puts every finished sample
    # in the .eval file at once, so a killed sweep resumes from the file alone (Inspect's own
    # default, 10, relies on a sample buffer in the machine's data directory)
    log_buffer: int = 1

    def __post_init__(self) -> None:
        for name in ("max_connections", "attempt_timeout", "log_buffer"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1", key=f"--{_flag(name)}")
        for name in ("max_retries", "retry_on_error", "retry_attempts", "sdk_retries"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative", key=f"--{_flag(name)}")
        if self.timeout is not None and self.timeout < 1:
            raise ConfigError("timeout must be at least 1 second", key="--timeout")

    def eval_set_args(self) -> dict[str, Any]:
        """Keyword arguments of ``inspect_ai.eval_set`` that this policy sets."""
        return {
            "max_connections": self.max_connections,
            "max_retries": self.max_retries,
            "attempt_timeout": self.attempt_timeout,
            "timeout": self.timeout,
            "retry_on_error": self.retry_on_error or None,
            "retry_attempts": self.retry_attempts,
            "log_buffer": self.log_buffer,
            # finish every sample, then mark the log failed if any sample failed, so that a
            # rerun of the sweep retries exactly those samples
            "fail_on_error": True,
            "continue_on_fail": True,
        }

    def sdk_model_args(self, provider: str) -> dict[str, Any]:
        """Model args that set the provider SDK's own retries (empty for other providers)."""
        return {"max_retries": self.sdk_retries} if provider in SDK_RETRY_PROVIDERS else {}

    def options(self) -> list[str]:
        """Command-line options that reproduce this policy (non-default values only)."""
        defaults = RetryPolicy()
        out: list[str] = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value != getattr(defaults, name):
                out += [f"--{_flag(name)}", str(value)]
        return out


def _flag(name: str) -> str:
    return name.replace("_", "-")
