"""Load variant YAML files strictly: the shipped variants (one file each) and a user's own files.

A variant is validated when it is loaded: its schema (unknown or duplicate keys, unknown edit
``op``, wrong types), its family and settings, and then every edit is applied to the base scenario
of every setting it declares and the result rendered in both modes, so an unknown section, an
undeclared template variable or an ``edit_text`` substring that is not there is one ConfigError
naming the file and the key (e.g. ``edits[2]``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from afscope._yaml import bracketed, explain_fault, load_mapping, validated
from afscope.errors import AfscopeError, ConfigError, UnknownNameError
from afscope.scenarios import TrainingCue, list_settings, load_scenario, read_include
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

__all__ = ["FAMILIES", "list_variants", "load_variant"]

_DATA = files("afscope.variants") / "data"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# family -> what its variants change (the families of the paper's prompt ablations)
FAMILIES: dict[str, str] = {
    "default": "the unmodified prompt",
    "objective": "the conflicting training objective",
    "rlhf": "what the prompt says RLHF does to the model",
    "cue": "how training is told apart from unmonitored use",
    "absence": "which of the two facts (trained / unmonitored) is stated",
    "framing": "how the objective is phrased",
    "examples": "the worked reasoning examples",
    "honesty": "added honesty instructions",
    "developer": "which company is named as the developer",
    "harmlessness": "what the model is told about its own values",
    "paraphrase": "a whole new wording of the system prompt",
    "personas": "how the model is told to see itself (e.g. one of many instances)",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _EditSpec(_Strict):
    settings: list[str] = []


class _ReplaceSpec(_EditSpec):
    op: Literal["replace_section"]
    section: str
    text: str = ""
    include: list[str] = []


class _RemoveSpec(_EditSpec):
    op: Literal["remove_section"]
    section: str


class _AppendSpec(_EditSpec):
    op: Literal["append_section"]
    section: str
    text: str = ""
    include: list[str] = []
    after: str | None = None


class _SetVariableSpec(_EditSpec):
    op: Literal["set_variable"]
    variable: str
    value: str


class _EditTextSpec(_EditSpec):
    op: Literal["edit_text"]
    section: str
    find: str
    replace: str


class _SetCueSpec(_EditSpec):
    op: Literal["set_cue"]
    tag: str
    training: str
    unmonitored: str


class _SectionText(_Strict):
    section: str
    text: str = ""
    include: list[str] = []


class _ParaphraseSpec(_EditSpec):
    op: Literal["paraphrase"]
    sections: list[_SectionText]


_AnyEdit = Annotated[
    _ReplaceSpec
    | _RemoveSpec
    | _AppendSpec
    | _SetVariableSpec
    | _EditTextSpec
    | _SetCueSpec
    | _ParaphraseSpec,
    Field(discriminator="op"),
]


class _VariantSpec(_Strict):
    name: str
    family: str
    description: str
    settings: list[str]
    edits: list[_AnyEdit] = []


# -- public API --------------------------------------------------------------------------------


def list_variants(setting: str | None = None) -> list[str]:
    """The shipped variants' names, sorted; only those that apply to ``setting`` if given."""
    names = _builtin_names()
    if setting is None:
        return names
    if setting not in list_settings():
        raise UnknownNameError("setting", setting, list_settings())
    return [name for name in names if load_variant(name).applies_to(setting)]


def load_variant(name_or_path: str) -> Variant:
    """A shipped variant by name (e.g. ``no-objective``) or a variant YAML file by path."""
    if name_or_path in _builtin_names():
        return _load_builtin(name_or_path)
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or "/" in name_or_path:
        if not path.is_file():
            raise ConfigError(
                "variant file not found; check the path or use a shipped variant "
                "(afscope variants list)",
                file=name_or_path,
            )
        return _load(path, builtin=False)
    raise UnknownNameError("variant", name_or_path, _builtin_names())


@cache
def _builtin_names() -> list[str]:
    names = (entry.name for entry in _DATA.iterdir())
    return sorted(name.removesuffix(".yaml") for name in names if name.endswith(".yaml"))


@cache
def _load_builtin(name: str) -> Variant:
    return _load(_DATA / f"{name}.yaml", builtin=True)


# -- parsing -----------------------------------------------------------------------------------


def _load(file: Traversable, *, builtin: bool) -> Variant:
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the file ({error})", file=source) from None
    spec = _parse(text, source)
    _check_metadata(spec, source, expected_name=Path(source).stem if builtin else None)
    base = _DATA if builtin else Path(source).parent
    edits = tuple(
        _edit(spec_edit, index, base, source) for index, spec_edit in enumerate(spec.edits)
    )
    variant = Variant(
        name=spec.name,
        family=spec.family,
        description=" ".join(spec.description.split()),
        settings=tuple(spec.settings),
        edits=edits,
        source=source,
    )
    _check_edits_apply(variant, source)
    return variant


def _parse(text: str, source: str) -> _VariantSpec:
    keys = ", ".join(_VariantSpec.model_fields)
    data = load_mapping(text, source, f"a variant (keys {keys})")
    return validated(_VariantSpec, data, source, explain=_explain, key=_key)


def _key(loc: tuple[int | str, ...]) -> str:
    return bracketed(loc, skip=_OP_SPECS)  # pydantic puts the union member's tag in the location


def _explain(error: Any) -> str:
    kind = error["type"]
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        got = error.get("ctx", {}).get("tag", "nothing")
        return f"unknown edit op {got!r}; use one of {', '.join(_OP_SPECS)}"
    return explain_fault(error, _allowed_keys)


_OP_SPECS: dict[str, type[_Strict]] = {
    "replace_section": _ReplaceSpec,
    "remove_section": _RemoveSpec,
    "append_section": _AppendSpec,
    "set_variable": _SetVariableSpec,
    "edit_text": _EditTextSpec,
    "set_cue": _SetCueSpec,
    "paraphrase": _ParaphraseSpec,
}


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys of the mapping an unknown key was found in (the variant, an edit, a section)."""
    model: type[_Strict] = _VariantSpec
    if len(loc) >= 4 and loc[0] == "edits" and str(loc[2]) in _OP_SPECS:
        model = _OP_SPECS[str(loc[2])]
        if len(loc) >= 6 and loc[3] == "sections":
            model = _SectionText
    return list(model.model_fields)


def _check_metadata(spec: _VariantSpec, source: str, expected_name: str | None) -> None:
    if not _NAME.match(spec.name):
        raise ConfigError(
            "must be a lowercase name of letters, digits and '-' (e.g. no-objective)",
            file=source,
            key="name",
        )
    if expected_name is not None and spec.name != expected_name:
        raise ConfigError(f"must equal the file name {expected_name!r}", file=source, key="name")
    if spec.family not in FAMILIES:
        raise ConfigError(
            f"unknown family {spec.family!r}; use one of {', '.join(FAMILIES)}",
            file=source,
            key="family",
        )
    if not spec.description.strip():
        raise ConfigError("say what the variant tests", file=source, key="description")
    if not spec.settings:
        raise ConfigError("name at least one setting", file=source, key="settings")
    for index, setting in enumerate(spec.settings):
        if setting not in list_settings():
            raise ConfigError(
                f"unknown setting {setting!r}; use {', '.join(list_settings())}",
                file=source,
                key=f"settings[{index}]",
            )
    for index, edit in enumerate(spec.edits):
        stray = [s for s in edit.settings if s not in spec.settings]
        if stray:
            raise ConfigError(
                f"setting {stray[0]!r} is not one of the variant's settings",
                file=source,
                key=f"edits[{index}].settings",
            )


def _edit(spec: _AnyEdit, index: int, base: Traversable | None, source: str) -> Edit:
    where = f"edits[{index}]"
    settings = tuple(spec.settings)
    if isinstance(spec, _ReplaceSpec):
        text = _text(spec.text, spec.include, base, source, where)
        return ReplaceSection(settings, spec.section, text)
    if isinstance(spec, _RemoveSpec):
        return RemoveSection(settings, spec.section)
    if isinstance(spec, _AppendSpec):
        text = _text(spec.text, spec.include, base, source, where)
        return AppendSection(settings, spec.section, text, spec.after)
    if isinstance(spec, _SetVariableSpec):
        return SetVariable(settings, spec.variable, spec.value)
    if isinstance(spec, _EditTextSpec):
        if not spec.find:
            raise ConfigError("must not be empty", file=source, key=f"{where}.find")
        return EditText(settings, spec.section, spec.find, spec.replace)
    if isinstance(spec, _SetCueSpec):
        try:
            cue = TrainingCue(spec.tag, spec.training, spec.unmonitored)
        except ConfigError as error:
            raise ConfigError(str(error), file=source, key=where) from None
        return SetCue(settings, cue)
    return _paraphrase(spec, base, source, where)


def _paraphrase(
    spec: _ParaphraseSpec, base: Traversable | None, source: str, where: str
) -> Paraphrase:
    sections: dict[str, str] = {}
    for number, item in enumerate(spec.sections):
        key = f"{where}.sections[{number}]"
        if item.section in sections:
            raise ConfigError("this section is given twice", file=source, key=f"{key}.section")
        sections[item.section] = _text(item.text, item.include, base, source, key)
    return Paraphrase(tuple(spec.settings), sections)


def _text(text: str, includes: list[str], base: Traversable | None, source: str, where: str) -> str:
    """Section text plus included files (next to a user's file, else the shipped scenario data)."""
    parts = [text.strip()] if text.strip() else []
    for number, include in enumerate(includes):
        content = read_include(include, base, source, f"{where}.include[{number}]")
        parts.append(content.strip())
    if not parts:
        raise ConfigError(
            "the section text is empty; give `text` or `include`", file=source, key=where
        )
    return "\n\n".join(parts)


def _check_edits_apply(variant: Variant, source: str) -> None:
    """Apply every edit to each declared setting and render the result in both modes."""
    for setting in variant.settings:
        scenario = load_scenario(setting)
        for index, edit in enumerate(variant.edits):
            if not edit.applies_to(setting):
                continue
            try:
                scenario = edit.apply(scenario)
            except AfscopeError as error:
                message = f"in setting {setting!r}: {error}"
                raise ConfigError(message, file=source, key=f"edits[{index}]") from None
        try:
            for scratchpad in (True, False):
                scenario.render_system_prompt(scratchpad=scratchpad)
        except AfscopeError as error:
            message = f"in setting {setting!r}, the edited prompt does not render: {error}"
            raise ConfigError(message, file=source, key="edits") from None
