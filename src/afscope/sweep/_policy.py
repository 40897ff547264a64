"""How hard a sweep tries: concurrency, retries of requests, samples and cells, log durability.

Every value here is a command-line option; the defaults suit a real provider API. Retries of a
request are Inspect's (recorded in the log as the model call's ``retries``); the provider SDK's own
silent retries are off by default so that every retry shows up in the log and the summary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from afscope.errors import ConfigError
from afscope.sweep._batch import BatchOptions

__all__ = ["RetryPolicy", "log_buffer_for"]

# a run's log file is written this many times (plus once at the end): each write copies the whole
# file, so writing it after every sample makes a run's cost grow with the square of its size
LOG_WRITES_PER_RUN = 50

# providers whose SDK client takes a ``max_retries`` argument through Inspect's model args
SDK_RETRY_PROVIDERS = frozenset({"openai", "anthropic"})


@dataclass(frozen=True)
class RetryPolicy:
    """Concurrency and retry settings of a sweep (passed to ``inspect_ai.eval_set``)."""

    # concurrent requests per model: None is Inspect's adaptive concurrency (each model scales
    # between 10 and 100 by its own rate-limit answers, never above adaptive_max when given); a
    # number fixes it at that number
    max_connections: int | None = None
    adaptive_max: int | None = None
    max_retries: int = 5  # Inspect retries of one request (429, 5xx, 529, timeouts, drops)
    attempt_timeout: int = 120  # seconds before one attempt is abandoned and retried
    # seconds for one request with all its retries; then the sample fails (None: no cap)
    timeout: int | None = 600
    retry_on_error: int = 2  # reruns of a sample that raised (e.g. an answer with no choices)
    retry_attempts: int = 3  # reruns of a cell whose log still has failed samples (0: none)
    sdk_retries: int = 0  # the provider SDK's own, unrecorded retries
    # samples buffered before they are written into the log file; None: log_buffer_for(the
    # run's samples). Inspect also writes any finished sample that has waited 60 s, so a kill
    # loses at most a buffer's or a minute's samples (a resume sends those again)
    log_buffer: int | None = None
    # send requests through the provider's batch API (None: one request at a time); batching
    # replaces adaptive concurrency (Inspect then keeps every sample in flight)
    batch: BatchOptions | None = None

    def __post_init__(self) -> None:
        if self.max_connections is not None and self.adaptive_max is not None:
            raise ConfigError(
                "--max-connections fixes the concurrency, --adaptive-max caps the adaptive one: "
                "give one of them",
                key="--adaptive-max",
            )
        for name in ("max_connections", "adaptive_max", "attempt_timeout", "log_buffer"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be at least 1", key=f"--{_flag(name)}")
        for name in ("max_retries", "retry_on_error", "retry_attempts", "sdk_retries"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative", key=f"--{_flag(name)}")
        if self.timeout is not None and self.timeout < 1:
            raise ConfigError("timeout must be at least 1 second", key="--timeout")

    def eval_args(self, samples: int) -> dict[str, Any]:
        """Keyword arguments of ``inspect_ai.eval`` for a run of ``samples`` samples."""
        return {
            # adaptive by default; a user's --max-connections N is a fixed N (Inspect then also
            # keeps about N samples in flight: an adaptive cap left 20+ samples queued on one
            # connection, all past the refusal guard, so a 401 was sent once per queued sample)
            **(
                {"max_connections": self.max_connections}
                if self.max_connections is not None
                else {"adaptive_connections": self.adaptive_max}
            ),
            "max_retries": self.max_retries,
            "attempt_timeout": self.attempt_timeout,
            "timeout": self.timeout,
            "log_buffer": self.log_buffer or log_buffer_for(samples),
            # live metrics are recomputed over every finished sample about once a second, which
            # grows with the run; the summary at the end has them all
            "score_display": False,
            **({"batch": self.batch.config() or True} if self.batch is not None else {}),
        }

    def eval_set_args(self, samples: int) -> dict[str, Any]:
        """Keyword arguments of ``inspect_ai.eval_set`` for cells of at most ``samples``."""
        return {
            **self.eval_args(samples),
            "retry_on_error": self.retry_on_error or None,
            "retry_attempts": self.retry_attempts,
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
            if name == "batch":
                out += value.option() if value is not None else []
            elif value != getattr(defaults, name):
                out += [f"--{_flag(name)}", str(value)]
        return out


def log_buffer_for(samples: int) -> int:
    """Samples per write of a run's log file: the file is written LOG_WRITES_PER_RUN times."""
    return max(1, math.ceil(samples / LOG_WRITES_PER_RUN))


def _flag(name: str) -> str:
    return name.replace("_", "-")
