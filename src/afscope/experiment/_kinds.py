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

__all__ = ["KINDS", "SCHEMING_ENVIRONMENTS", "ExperimentKind", "experiment_kind"]

# the in-context scheming environments, each a kind (afscope.scheming reads its names from here,
# so that the registry lists them without importing the scheming package)
SCHEMING_ENVIRONMENTS: tuple[str, ...] = (
    "oversight_subversion",
    "self_exfiltration",
    "goal_guarding",
    "covert_email_reranking",
    "instrumental_alignment_faking",
    "sandbagging",
)


@dataclass(frozen=True)
class ExperimentKind:
    """A kind of experiment: its name, its plan function and its Inspect task ("module:attr").

    ``summary`` (optional, "module:attr") is ``(log path, price table or None) -> summary`` whose
    result has ``lines()`` (the text `run` prints) and ``to_json()`` (its ``--json``); without
    one, `run` prints the alignment-faking summary. ``default_setting`` is what ``--setting``
    means when it is not given. ``family`` groups kinds that share a reader and an organism:
    ``alignment_faking``, ``agentic`` (the agentic layer's environments, its acting presets) or
    ``scheming`` (the in-context scheming environments, their presets and report).
    """

    name: str
    plan: str
    task: str
    summary: str | None = None
    default_setting: str = "helpful-only"
    family: str = "alignment_faking"

    def plan_function(self) -> Callable[[Experiment], Plan]:
        function: Callable[[Experiment], Plan] = _resolve(self.plan)
        return function

    def task_function(self) -> Callable[..., Any]:
        """The registered Inspect task; called with :meth:`Experiment.task_args`."""
        function: Callable[..., Any] = _resolve(self.task)
        return function

    def summary_function(self) -> Callable[..., Any] | None:
        """The kind's own run summary (see the class docstring), or None for the default."""
        if self.summary is None:
            return None
        function: Callable[..., Any] = _resolve(self.summary)
        return function


# kind name -> its plan and task; add a line to register a new kind
KINDS: dict[str, ExperimentKind] = {
    "alignment_faking": ExperimentKind(
        "alignment_faking",
        plan="afscope.experiment._plan:plan_alignment_faking",
        task="afscope.harness:alignment_faking",
    ),
    "exfiltration": ExperimentKind(
        "exfiltration",
        plan="afscope.agentic._plan:plan_exfiltration",
        task="afscope.harness._registry:exfiltration",
        summary="afscope.harness:agentic_summary",
        default_setting="all",
        family="agentic",
    ),
    **{
        name: ExperimentKind(
            name,
            plan="afscope.scheming._plan:plan_scheming",
            task=f"afscope.harness._registry:{name}",
            summary="afscope.harness:scheming_summary",
            default_setting="all",
            family="scheming",
        )
        for name in ("scheming", *SCHEMING_ENVIRONMENTS)  # the suite, then each environment
    },
}


def experiment_kind(name: str) -> ExperimentKind:
    """The registered kind called ``name``; an unknown name is one line with "did you mean"."""
    if name not in KINDS:
        raise UnknownNameError("experiment kind", name, sorted(KINDS))
    return KINDS[name]


def _resolve(target: str) -> Any:
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)
