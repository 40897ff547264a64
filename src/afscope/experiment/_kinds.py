"""The registry of experiment kinds: each names its pure plan function and its Inspect task.

Both are ``"module:attribute"`` strings imported only when used, so that listing or validating
kinds imports neither Inspect nor any kind's code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from afscope.errors import UnknownNameError

if TYPE_CHECKING:
    from afscope.experiment._experiment import Experiment
    from afscope.experiment._plan import Plan

__all__ = ["KINDS", "ExperimentKind", "experiment_kind"]


@dataclass(frozen=True)
class ExperimentKind:
    """A kind of experiment: its name, its plan function and its Inspect task ("module:attr")."""

    name: str
    plan: str
    task: str

    def plan_function(self) -> Callable[[Experiment], Plan]:
        function: Callable[[Experiment], Plan] = _resolve(self.plan)
        return function

    def task_function(self) -> Callable[..., Any]:
        """The registered Inspect task; called with :meth:`Experiment.task_args`."""
        function: Callable[..., Any] = _resolve(self.task)
        return function


# kind name -> its plan and task; add a line to register a new kind
KINDS: dict[str, ExperimentKind] = {
    "alignment_faking": ExperimentKind(
        "alignment_faking",
        plan="afscope.experiment._plan:plan_alignment_faking",
        task="afscope.harness.task:alignment_faking",
    ),
}


def experiment_kind(name: str) -> ExperimentKind:
    """The registered kind called ``name``; an unknown name is one line with "did you mean"."""
    if name not in KINDS:
        raise UnknownNameError("experiment kind", name, sorted(KINDS))
    return KINDS[name]


def _resolve(target: str) -> Any:
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)
