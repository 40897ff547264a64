"""Prompt variations: named, declarative edits of a base scenario (the paper's ablations).

A variant is a YAML file (one per variant under ``data/``) with a name, a family, a description
of what it tests, the settings it applies to and an ordered list of edits: ``replace_section``,
``remove_section``, ``append_section``, ``set_variable``, ``edit_text``, ``set_cue`` and
``paraphrase``. Every shipped variant is validated against each setting it declares when it is
loaded. ``default`` is the identity.

    >>> scenario = apply_variant(load_scenario("helpful-only"), "no-objective")
    >>> print(diff_variants("default", "cue-eu-region", setting="helpful-only"))
"""

from afscope.variants._apply import apply_variant, diff_variants, render_variant
from afscope.variants._loader import FAMILIES, list_variants, load_variant
from afscope.variants._model import (
    AppendSection,
    Edit,
    EditText,
    Paraphrase,
    RemoveSection,
    ReplaceSection,
    SetCue,
    SetVariable,
    Variant,
)

__all__ = [
    "FAMILIES",
    "AppendSection",
    "Edit",
    "EditText",
    "Paraphrase",
    "RemoveSection",
    "ReplaceSection",
    "SetCue",
    "SetVariable",
    "Variant",
    "apply_variant",
    "diff_variants",
    "list_variants",
    "load_variant",
    "render_variant",
]
