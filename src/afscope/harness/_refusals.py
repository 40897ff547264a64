"""Stop sending to a provider that refused a request for good (HTTP 400, 401, 403, 404).

No retry fixes a refused key, a model the key may not use, a model that does not exist or a
request the provider calls invalid, so after the first such answer a run sends nothing more to
that model (the same name, base URL and key): every later call fails at once with a line naming
the first refusal, and its sample is redone by ``afscope resume`` (or the same ``sweep``) once
the cause is fixed.

Checking before a call is not enough: by the time the first refusal comes back, many calls have
already passed that check and wait in Inspect's connection queue (about 20 per refusal at
adaptive concurrency). So every guarded call runs in a cancel scope, and the first refusal
cancels every other call to that model still waiting or in flight. Both the model's calls and the
judge's go through :func:`send`; one guard serves one Inspect run (its event loop), so a sweep's
cells share it and a later run in the same process starts afresh.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import anyio
from anyio.lowlevel import RunVar

__all__ = ["REFUSED_STATUSES", "NotSent", "RefusalGuard", "refusal_status", "send"]

REFUSED_STATUSES = frozenset({400, 401, 403, 404})

T = TypeVar("T")


class NotSent(Exception):
    """A request afscope did not send: the provider had refused an earlier one for good."""


def refusal_status(error: BaseException) -> int | None:
    """The HTTP status of a provider error that no retry can fix, else None."""
    status = getattr(error, "status_code", None)  # the openai and anthropic SDKs' errors
    if not isinstance(status, int):
        match = re.search(r"Error code: (\d{3})\b", str(error))
        status = int(match.group(1)) if match else None
    return status if status in REFUSED_STATUSES else None


class RefusalGuard:
    """Remembers, per model, the first refusal; later calls and waiting ones are not made."""

    def __init__(self) -> None:
        self._refused: dict[str, str] = {}
        self._waiting: dict[str, set[anyio.CancelScope]] = {}

    async def call(self, model: str, request: Awaitable[T], *, name: str | None = None) -> T:
        """Await ``request`` (a call to ``model``, a key) unless ``model`` has refused one.

        ``name`` is the model as the user knows it (default: ``model``), for the message.
        """
        if model not in self._refused:
            scope = anyio.CancelScope()
            waiting = self._waiting.setdefault(model, set())
            waiting.add(scope)
            try:
                with scope:
                    return await request
            except Exception as error:
                self._note(model, name or model, error)
                raise
            finally:
                waiting.discard(scope)
            # here only when another call's refusal cancelled this one
        else:
            close = getattr(request, "close", None)
            if close is not None:
                close()  # the coroutine is never awaited: nothing is sent
        raise NotSent(f"not sent: {self._refused[model]}")

    def _note(self, model: str, name: str, error: Exception) -> None:
        """A refusal is remembered, and every other call to the model still open is cancelled."""
        status = refusal_status(error)
        if status is None or model in self._refused:
            return
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        detail = (getattr(error, "provider_message", None) or next(iter(lines), ""))[:200]
        detail = detail or type(error).__name__
        self._refused[model] = f"{name} refused an earlier request with HTTP {status} ({detail})"
        for scope in self._waiting.get(model, ()):
            scope.cancel()


_GUARD: RunVar[RefusalGuard] = RunVar("afscope_refusal_guard")


def _guard() -> RefusalGuard:
    """The guard of the running Inspect run (one per event loop)."""
    try:
        return _GUARD.get()
    except LookupError:
        guard = RefusalGuard()
        _GUARD.set(guard)
        return guard


def model_key(model: Any) -> str:
    """An Inspect model's name, base URL and a digest of its key: what a refusal is about."""
    api = getattr(model, "api", None)
    key = str(getattr(api, "api_key", None) or "")
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"{model}|{getattr(api, 'base_url', None) or ''}|{digest}"


async def send(model: Any, request: Awaitable[T]) -> T:
    """Await ``request``, a call to the Inspect ``model``, through the run's refusal guard."""
    return await _guard().call(model_key(model), request, name=str(model))
