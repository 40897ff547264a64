"""Stop sending to a provider that refused a request for good (HTTP 400, 401, 403, 404).

No retry fixes a refused key, a model the key may not use, a model that does not exist or a
request the provider calls invalid, so after the first such answer a task sends nothing more to
that model: every later sample fails at once with a line naming the first refusal, and is
redone by ``afscope resume`` (or the same ``sweep``) once the cause is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["REFUSED_STATUSES", "NotSent", "RefusalGuard", "refusal_status"]

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
    """Remembers, per model, the first refusal; later calls to that model are not made."""

    def __init__(self) -> None:
        self._refused: dict[str, str] = {}

    async def call(self, model: str, request: Awaitable[T]) -> T:
        """Await ``request`` (a model call) unless ``model`` has refused one already."""
        first = self._refused.get(model)
        if first is not None:
            close = getattr(request, "close", None)
            if close is not None:
                close()  # the coroutine is never awaited: nothing is sent
            raise NotSent(f"not sent: {first}")
        try:
            return await request
        except Exception as error:
            status = refusal_status(error)
            if status is not None:
                detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
                self._refused.setdefault(
                    model, f"{model} refused an earlier request with HTTP {status} ({detail})"
                )
            raise
