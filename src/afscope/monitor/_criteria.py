"""Criterion detectors: how strongly a text shows each ingredient of alignment-faking reasoning.

Each criterion (training awareness, modification, value conflict, preservation) is a list of
regular expressions in ``data/criteria.yaml``. A criterion's sub-score is the number of its
patterns that match, divided by two and capped at 1, so one clear phrase gives 0.5 and two
different phrasings give 1. The sub-scores, and whether all four are present, are also inputs to
the monitor's linear model.

Most patterns cannot match most texts, and a regex search walks the whole text to find that
out. Each pattern therefore carries the literal strings one of which any match must contain
(read from the pattern's parse, see :func:`required_literals`); a text without any of them skips
the search, which gives the same answer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

import numpy as np
import yaml

try:  # the parse re compiles from: CPython's own module, not a public API
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - without it every pattern is searched, as before
    _parser = None

__all__ = ["CRITERIA", "CriteriaDetector", "load_criteria", "required_literals"]

CRITERIA = ("training_awareness", "modification", "value_conflict", "preservation")


@dataclass(frozen=True)
class CriteriaDetector:
    """Compiled criterion patterns, with the SHA-256 of the file they came from."""

    patterns: Mapping[str, tuple[re.Pattern[str], ...]]
    sha256: str

    def subscores(self, text: str) -> dict[str, float]:
        """Each criterion's sub-score in [0, 1] for ``text``."""
        lowered = text.replace("\u2019", "'").lower()
        return {
            name: min(
                1.0,
                sum(
                    1
                    for pattern, literals in self._prefiltered[name]
                    if (literals is None or any(map(lowered.__contains__, literals)))
                    and pattern.search(lowered)
                )
                / 2,
            )
            for name in CRITERIA
        }

    @cached_property
    def _prefiltered(
        self,
    ) -> dict[str, tuple[tuple[re.Pattern[str], tuple[str, ...] | None], ...]]:
        return {
            name: tuple((p, required_literals(p)) for p in patterns)
            for name, patterns in self.patterns.items()
        }

    def features(self, texts: list[str]) -> np.ndarray:
        """Dense model inputs: the four sub-scores, then 1.0 when all four are present."""
        rows = []
        for text in texts:
            subscores = self.subscores(text)
            scores = [subscores[name] for name in CRITERIA]
            rows.append([*scores, float(all(score > 0 for score in scores))])
        return np.asarray(rows, dtype=np.float64).reshape(len(texts), len(CRITERIA) + 1)


@cache
def load_criteria() -> CriteriaDetector:
    """The shipped detector (``afscope/monitor/data/criteria.yaml``)."""
    raw = resources.files("afscope.monitor").joinpath("data/criteria.yaml").read_bytes()
    data = yaml.safe_load(raw)
    patterns = {name: tuple(re.compile(pattern) for pattern in data[name]) for name in CRITERIA}
    return CriteriaDetector(patterns=patterns, sha256=hashlib.sha256(raw).hexdigest())


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, or None when none can be told.

    Read from the parse ``re`` compiles the pattern from: a run of literal characters, or a group
    or alternation whose every branch has such strings, or a repeat of at least once; of those,
    the set whose shortest string is longest. Anything case-insensitive gives None.
    """
    if _parser is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        found = _sequence_literals(list(_parser.parse(pattern.pattern, pattern.flags)))
    except Exception:  # a private parser that changed: search every text, as before
        return None
    return tuple(sorted(found)) if found else None


def _sequence_literals(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _parser.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            candidates.append(frozenset(["".join(run)]))
            run = []
        found = _item_literals(op, arg)
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset(["".join(run)]))
    if not candidates:
        return None
    return max(candidates, key=lambda found: (min(map(len, found)), -len(found)))


def _item_literals(op: Any, arg: Any) -> frozenset[str] | None:
    if op is _parser.SUBPATTERN:
        _group, add_flags, _del_flags, inner = arg
        if add_flags & re.IGNORECASE:
            return None
        return _sequence_literals(list(inner))
    if op is _parser.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            found = _sequence_literals(list(branch))
            if not found:
                return None
            union |= found
        return frozenset(union)
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
        low, _high, inner = arg
        return _sequence_literals(list(inner)) if low >= 1 else None
    return None  # classes, any character, anchors, look-arounds, back references
