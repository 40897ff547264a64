"""Inspect entry point: registers the afscope tasks and the ``organism`` model provider."""

from __future__ import annotations

from typing import Any

from inspect_ai.model import modelapi

from afscope.harness.task import alignment_faking

__all__ = ["alignment_faking", "organism"]


@modelapi(name="organism")
def organism() -> type[Any]:
    from afscope.harness.provider import OrganismAPI

    return OrganismAPI


# the bubblewrap sandbox environment ("bwrap"), registered on import
from afscope.sandbox import inspect_env as _sandbox  # noqa: E402

del _sandbox
