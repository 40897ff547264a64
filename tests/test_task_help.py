"""Inspect shows a task's, scorer's and solver's docstring as its help: each documents every
parameter in an ``Args:`` section."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import afscope
from afscope.harness import _registry

HARNESS = Path(afscope.__file__).parent / "harness"
DECORATORS = {"scorer", "solver", "task"}


def _decorated() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted(HARNESS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                (d.func if isinstance(d, ast.Call) else d).id in DECORATORS  # type: ignore[union-attr]
                for d in node.decorator_list
                if isinstance(d.func if isinstance(d, ast.Call) else d, ast.Name)
            ):
                found.append((f"{path.name}:{node.name}", node))
    return found


def _undocumented(doc: str | None, names: list[str]) -> list[str]:
    section = (doc or "").partition("Args:")[2]
    listed = re.findall(r"^\s+(\w+(?:, \w+)*):", section, re.MULTILINE)
    return [name for name in names if name not in {n for line in listed for n in line.split(", ")}]


def test_the_harness_has_scorers_solvers_and_tasks_to_check() -> None:
    assert {"scratchpad_loop", "outcome_scorer", "monitor_scorer", "alignment_faking"} <= {
        node.name for _, node in _decorated()
    }


@pytest.mark.parametrize(("where", "node"), _decorated(), ids=lambda value: str(value)[:60])
def test_every_parameter_of_a_scorer_solver_or_task_is_documented(
    where: str, node: ast.FunctionDef
) -> None:
    names = [arg.arg for arg in (*node.args.args, *node.args.kwonlyargs)]
    assert _undocumented(ast.get_docstring(node), names) == [], where


REGISTERED: list[Callable[..., Any]] = [
    getattr(_registry, name) for name in _registry.__all__ if name not in ("organism", "imported")
]


@pytest.mark.parametrize("made", REGISTERED, ids=lambda made: made.__name__)
def test_every_registered_task_documents_its_options(made: Callable[..., Any]) -> None:
    names = list(inspect.signature(made).parameters)
    assert names and _undocumented(inspect.getdoc(made), names) == [], made.__name__
