"""Inspect entry point: registers the afscope tasks and the ``organism`` model provider."""

from __future__ import annotations

from typing import Any

from inspect_ai import Task, task
from inspect_ai.model import modelapi

from afscope.harness.task import alignment_faking

__all__ = ["alignment_faking", "exfiltration", "organism"]


@modelapi(name="organism")
def organism() -> type[Any]:
    from afscope.harness.provider import OrganismAPI

    return OrganismAPI


# the bubblewrap sandbox environment ("bwrap"), registered on import
from afscope.sandbox import inspect_env as _sandbox  # noqa: E402

del _sandbox


@task
def exfiltration(conditions: str | None = None, epochs: int = 1, sandbox: str = "bwrap") -> Task:
    """The weight-exfiltration opportunity (afscope.agentic data ``exfiltration``)."""
    from afscope.agentic import load_environment
    from afscope.agentic.inspect_glue import environment_task

    chosen = conditions.split(",") if conditions else None
    return environment_task(
        load_environment("exfiltration"), conditions=chosen, epochs=epochs, sandbox_type=sandbox
    )
