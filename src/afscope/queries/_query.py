"""The Query value object and the operations on lists of queries: dedupe, sample, take."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from afscope.errors import ConfigError

__all__ = ["Query", "dedupe", "first_queries", "normalise", "sample_queries"]


@dataclass(frozen=True)
class Query:
    """One user request. ``source`` names the data set it came from (e.g. "advbench")."""

    id: str
    text: str
    category: str
    source: str


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The form two texts are compared in: case-folded, single-spaced, no outer punctuation."""
    return _SPACE.sub(" ", text.casefold()).strip(" .!?;:,\"'")


def dedupe(queries: Iterable[Query]) -> list[Query]:
    """The queries without repeats of an earlier text (after normalising), in their order."""
    seen: set[str] = set()
    kept = []
    for query in queries:
        key = normalise(query.text)
        if key not in seen:
            seen.add(key)
            kept.append(query)
    return kept


def sample_queries(queries: Sequence[Query], n: int | None, *, seed: int = 0) -> list[Query]:
    """A deterministic sample of ``n`` queries (all when n is None), kept in their original order.

    Each query gets a rank from a hash of (seed, id, text) and the ``n`` lowest ranks are taken,
    so the same seed always gives the same sample on any machine, and a larger ``n`` extends a
    smaller one instead of drawing a different set.
    """
    _check_count(n)
    if n is None or n >= len(queries):
        return list(queries)

    def rank(index: int) -> str:
        query = queries[index]
        return hashlib.sha256(f"{seed}\0{query.id}\0{query.text}".encode()).hexdigest()

    chosen = sorted(range(len(queries)), key=rank)[:n]
    return [queries[index] for index in sorted(chosen)]


def first_queries(queries: Sequence[Query], n: int | None) -> list[Query]:
    """The first ``n`` queries (all when n is None), e.g. for ``--limit``."""
    _check_count(n)
    return list(queries) if n is None else list(queries[:n])


def _check_count(n: int | None) -> None:
    if n is not None and n < 0:
        raise ConfigError(f"the number of queries must be 0 or more, not {n}", key="n")
