"""Jinja2 helpers for section text: check which variables a template uses, and render it.

Section text is trusted configuration, but it is still rendered in a sandbox with strict
undefined variables, so a typo fails loudly instead of rendering as an empty string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def template_problem(text: str, declared: Iterable[str]) -> str | None:
    """Why ``text`` is not a usable template with the ``declared`` variables, or None if it is."""
    try:
        used = meta.find_undeclared_variables(_ENV.parse(text))
    except TemplateSyntaxError as error:
        return f"invalid Jinja2 template (line {error.lineno}: {error.message})"
    unknown = sorted(used - set(declared))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        known = ", ".join(sorted(declared)) or "none"
        return (
            f"uses undeclared variable(s) {names}; declare them under `variables:` or fix the "
            f"spelling (declared: {known})"
        )
    return None


def render(text: str, variables: Mapping[str, str]) -> str:
    """Render one section template with the scenario's variables, trimmed of outer whitespace."""
    return _ENV.from_string(text).render(dict(variables)).strip()
