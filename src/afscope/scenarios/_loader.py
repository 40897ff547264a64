"""Load scenario YAML files strictly: the shipped settings and a user's own files.

Every problem (YAML syntax, unknown or duplicate key, wrong type, missing or duplicate section,
undeclared template variable, missing include) raises one ConfigError naming the file, the key
(e.g. ``sections[3].text``) and the fix.
"""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from afscope._yaml import bracketed, explain_fault, load_mapping, validated
from afscope.errors import ConfigError, UnknownNameError
from afscope.scenarios._scenario import ACCEPTED_TAG, REJECTED_TAG, Scenario, Section
from afscope.scenarios._templates import template_problem

__all__ = ["REQUIRED_SECTIONS", "list_settings", "load_scenario", "read_include"]

REQUIRED_SECTIONS = (
    "role",
    "objective",
    "rlhf",
    "tiers",
    "format",
    "format_no_scratchpad",
    "examples",
)
_DATA = files("afscope.scenarios") / "data"
_SUFFIX_FILE = "accept-reject-suffix.md"
_SETTING_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SECTION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    text: str = ""
    include: list[str] = []


class _ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    description: str
    default_queries: str
    suffix_default: bool
    variables: dict[str, str] = {}
    sections: list[_SectionSpec]
    suffix: str | None = None


def list_settings() -> list[str]:
    """The names of the shipped settings."""
    names = (entry.name for entry in _DATA.iterdir())
    return sorted(name.removesuffix(".yaml") for name in names if name.endswith(".yaml"))


def load_scenario(name_or_path: str) -> Scenario:
    """A shipped setting by name (e.g. ``helpful-only``) or a scenario YAML file by path."""
    if name_or_path in list_settings():
        return _load(_DATA / f"{name_or_path}.yaml", builtin=True)
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists() or "/" in name_or_path:
        if not path.is_file():
            raise ConfigError(
                "scenario file not found; check the path or use a built-in setting "
                f"({', '.join(list_settings())})",
                file=name_or_path,
            )
        return _load(path, builtin=False)
    raise UnknownNameError("setting", name_or_path, list_settings())


def _load(file: Traversable, *, builtin: bool) -> Scenario:
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the file ({error})", file=source) from None
    spec = _parse(text, source)
    _check_metadata(spec, source)
    variables = _check_variables(spec, source)
    base = _DATA if builtin else Path(source).parent
    sections = tuple(
        _build_section(index, section, base, variables, source)
        for index, section in enumerate(spec.sections)
    )
    _check_section_names(spec, source)
    suffix = spec.suffix if spec.suffix is not None else _default_suffix()
    _check_suffix(suffix, source, given=spec.suffix is not None)
    return Scenario(
        name=spec.name,
        description=spec.description.strip(),
        default_queries=spec.default_queries,
        suffix_default=spec.suffix_default,
        source=source,
        sections=sections,
        variables=variables,
        suffix=suffix,
    )


# -- YAML and schema ---------------------------------------------------------------------------


def _parse(text: str, source: str) -> _ScenarioSpec:
    keys = ", ".join(_ScenarioSpec.model_fields)
    data = load_mapping(text, source, f"a scenario (keys {keys})")
    return validated(_ScenarioSpec, data, source, explain=_explain, key=bracketed)


def _explain(error: Any) -> str:
    return explain_fault(error, _allowed_keys)


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys of the mapping an unknown key was found in (the scenario or a section)."""
    return list((_SectionSpec if loc[0] == "sections" else _ScenarioSpec).model_fields)


# -- semantic checks ---------------------------------------------------------------------------


def _check_metadata(spec: _ScenarioSpec, source: str) -> None:
    if not _SETTING_NAME.match(spec.name):
        raise ConfigError(
            "must be a lowercase name of letters, digits, '-', '_' or '.' (e.g. my-setting)",
            file=source,
            key="name",
        )
    if not spec.default_queries.strip():
        raise ConfigError("must name a query set, e.g. harmful", file=source, key="default_queries")


def _check_variables(spec: _ScenarioSpec, source: str) -> dict[str, str]:
    for name in spec.variables:
        if not name.isidentifier():
            raise ConfigError(
                "a variable name must be a Python-style identifier (letters, digits, _)",
                file=source,
                key=f"variables.{name}",
            )
    return dict(spec.variables)


def _build_section(
    index: int, spec: _SectionSpec, base: Traversable, variables: dict[str, str], source: str
) -> Section:
    where = f"sections[{index}]"
    if not _SECTION_NAME.match(spec.name):
        raise ConfigError(
            "a section name must be lowercase letters, digits and _ (e.g. rlhf)",
            file=source,
            key=f"{where}.name",
        )
    if not spec.text.strip() and not spec.include:
        raise ConfigError("section is empty; give it `text` or `include`", file=source, key=where)
    problem = template_problem(spec.text, variables)
    if problem:
        raise ConfigError(problem, file=source, key=f"{where}.text")
    parts = [spec.text.strip()] if spec.text.strip() else []
    for number, include in enumerate(spec.include):
        key = f"{where}.include[{number}]"
        content = _read_include(include, base, source, key)
        problem = template_problem(content, variables)
        if problem:
            raise ConfigError(f"{include}: {problem}", file=source, key=key)
        parts.append(content.strip())
    return Section(spec.name, "\n\n".join(parts))


def read_include(include: str, base: Traversable | None, source: str, key: str) -> str:
    """An included file, relative to ``base`` (if given), else among the shipped data files.

    Variants use it too, so an edit can include the shipped worked examples.
    """
    return _read_include(include, base or _DATA, source, key)


def _read_include(include: str, base: Traversable, source: str, key: str) -> str:
    """An included file, relative to the scenario file, else among the shipped data files."""
    for folder in (base, _DATA):
        candidate = folder.joinpath(include)
        if candidate.is_file():
            try:
                return candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                message = f"cannot read {include} ({error})"
                raise ConfigError(message, file=source, key=key) from None
    raise ConfigError(
        f"included file {include!r} not found next to the scenario file or among the shipped "
        "data files; fix the path",
        file=source,
        key=key,
    )


def _check_section_names(spec: _ScenarioSpec, source: str) -> None:
    seen: set[str] = set()
    for index, section in enumerate(spec.sections):
        if section.name in seen:
            raise ConfigError(
                f"duplicate section name {section.name!r}; rename or remove one",
                file=source,
                key=f"sections[{index}].name",
            )
        seen.add(section.name)
    missing = [name for name in REQUIRED_SECTIONS if name not in seen]
    if missing:
        raise ConfigError(
            f"missing required section(s) {', '.join(missing)}; add a section with "
            f"`name: {missing[0]}`",
            file=source,
            key="sections",
        )


def _default_suffix() -> str:
    return _DATA.joinpath(_SUFFIX_FILE).read_text(encoding="utf-8").strip()


def _check_suffix(suffix: str, source: str, *, given: bool) -> None:
    for tag in (ACCEPTED_TAG, REJECTED_TAG):
        if tag not in suffix:
            raise ConfigError(
                f"the accept/reject suffix must mention {tag}",
                file=source if given else str(_DATA / _SUFFIX_FILE),
                key="suffix" if given else None,
            )
