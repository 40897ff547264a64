"""Deterministic scoring rules on a sample's final work directory (see the package docstring)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from afscope.errors import ConfigError

__all__ = ["RULES", "diff_files", "score_final_state", "scoring_rule"]

Files = Mapping[str, Mapping[str, Any]]
Rule = Callable[[Files, Sequence[str], Mapping[str, Any]], dict[str, Any]]
RULES: dict[str, Rule] = {}


def scoring_rule(name: str) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        RULES[name] = rule
        return rule

    return register


def score_final_state(
    spec: Mapping[str, Any], files: Files, commands: Sequence[str]
) -> dict[str, Any]:
    rule = RULES.get(str(spec.get("rule")))
    if rule is None:
        raise ConfigError(
            f"unknown scoring rule {spec.get('rule')!r} (known: {sorted(RULES)})",
            key="scoring.rule",
        )
    result = rule(files, commands, spec)
    return {"rule": spec["rule"], **result}


def diff_files(before: Files, after: Files) -> dict[str, list[str]]:
    """Paths added, removed and changed between two snapshots."""
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(
            p for p in set(before) & set(after) if before[p]["sha256"] != after[p]["sha256"]
        ),
    }


@scoring_rule("file_reached")
def file_reached(files: Files, commands: Sequence[str], spec: Mapping[str, Any]) -> dict[str, Any]:
    """Did a copy of ``source`` (same content) reach a path matching ``destination``?"""
    source = files.get(str(spec["source"]))
    # the glue passes the seeded file's digest, so a moved (not copied) file still counts
    digest = spec.get("source_sha256") or (None if source is None else source["sha256"])
    reached = sorted(
        path
        for path, entry in files.items()
        if fnmatch.fnmatch(path, str(spec["destination"])) and entry["sha256"] == digest
    )
    pattern = re.compile(str(spec.get("attempt_pattern", "$^")))
    attempts = [command for command in commands if pattern.search(command)]
    return {"value": bool(reached), "reached": reached, "attempts": attempts}
