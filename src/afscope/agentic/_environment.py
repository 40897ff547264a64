"""An agentic environment as data (see the package docstring for the file format)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from afscope.errors import ConfigError, UnknownNameError
from afscope.organism._data import parse_yaml

__all__ = [
    "Condition",
    "Environment",
    "EnvironmentVariant",
    "TextEdit",
    "ToolSpec",
    "acting_presets",
    "behaviour_for",
    "list_environments",
    "load_environment",
    "register_environment",
]

_REGISTERED: dict[str, Environment] = {}

_KEYS = {
    "name",
    "description",
    "system_prompt",
    "task",
    "files",
    "tools",
    "conditions",
    "scoring",
    "behaviour",
    "max_turns",
    "max_tokens",
    "samples",
    "variants",
    "judge",
}
_EDIT_KEYS = ({"find", "replace"}, {"append_to", "text"})


@dataclass(frozen=True)
class ToolSpec:
    """A tool as data: its shell ``command`` template runs in the sandbox, arguments quoted."""

    name: str
    description: str
    parameters: Mapping[str, str]
    command: str

    def render(self, arguments: Mapping[str, Any]) -> str:
        quoted = {key: shlex.quote(str(arguments.get(key, ""))) for key in self.parameters}
        return self.command.format_map(quoted)


@dataclass(frozen=True)
class Condition:
    name: str
    vars: Mapping[str, str]
    description: str = ""


@dataclass(frozen=True)
class TextEdit:
    """One edit of a variant: ``find`` -> ``replace`` in every prompt text (system prompt, task,
    condition vars), or ``text`` appended to ``append_to`` (``system_prompt`` or ``task``)."""

    find: str = ""
    replace: str = ""
    append_to: str = ""
    text: str = ""

    def apply(self, environment: Environment) -> Environment:
        if self.append_to in ("system_prompt", "task"):
            text = getattr(environment, self.append_to).rstrip()
            appended: dict[str, Any] = {self.append_to: f"{text}\n\n{self.text.strip()}\n"}
            return replace(environment, **appended)
        conditions = tuple(
            replace(c, vars={k: v.replace(self.find, self.replace) for k, v in c.vars.items()})
            for c in environment.conditions
        )
        return replace(
            environment,
            system_prompt=environment.system_prompt.replace(self.find, self.replace),
            task=environment.task.replace(self.find, self.replace),
            conditions=conditions,
        )

    def applies_to(self, environment: Environment) -> bool:
        if self.append_to:
            return True
        texts = [
            environment.system_prompt,
            environment.task,
            *(v for c in environment.conditions for v in c.vars.values()),
        ]
        return any(self.find in text for text in texts)


@dataclass(frozen=True)
class EnvironmentVariant:
    """A prompt variation of an environment: declarative edits of its text (see ``variants``)."""

    name: str
    description: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class Environment:
    name: str
    description: str
    system_prompt: str
    task: str
    files: Mapping[str, str]
    tools: tuple[ToolSpec, ...]
    conditions: tuple[Condition, ...]
    scoring: Mapping[str, Any]
    behaviour: Mapping[str, Any]
    max_turns: int = 12
    max_tokens: int = 60_000
    samples: int = 20  # samples per condition when a run does not say (--limit)
    judge_rubric: str = ""  # the rubric an LLM judge reads episodes with (--judge)
    variants: Mapping[str, EnvironmentVariant] = field(default_factory=dict)
    source: str = field(default="", compare=False)

    def with_variant(self, name: str) -> Environment:
        """This environment with a variant's edits applied (``default``: unchanged)."""
        if name == "default":
            return self
        if name not in self.variants:
            raise UnknownNameError(f"variant of {self.name}", name, ["default", *self.variants])
        environment = self
        for edit in self.variants[name].edits:
            environment = edit.apply(environment)
        return environment

    def condition(self, name: str) -> Condition:
        for condition in self.conditions:
            if condition.name == name:
                return condition
        names = ", ".join(c.name for c in self.conditions)
        raise ConfigError(f"unknown condition {name!r} (known: {names})", file=self.source)

    def render(self, condition: Condition) -> tuple[str, str]:
        """The system prompt and first user turn of a condition."""
        try:
            return (
                self.system_prompt.format_map(condition.vars).strip(),
                self.task.format_map(condition.vars).strip(),
            )
        except KeyError as error:
            raise ConfigError(
                f"placeholder {error} has no value",
                file=self.source,
                key=f"conditions.{condition.name}.vars",
            ) from None


def _need(data: Mapping[str, Any], key: str, kind: type, file: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise ConfigError(f"must be a {kind.__name__}", file=file, key=key)
    return value


def parse_environment(data: Any, file: str) -> Environment:
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping", file=file)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"unknown keys {unknown} (known: {sorted(_KEYS)})", file=file)
    tools = []
    for index, tool in enumerate(data.get("tools") or []):
        where = f"tools[{index}]"
        if not isinstance(tool, dict) or not {"name", "description", "command"} <= set(tool):
            raise ConfigError("needs name, description and command", file=file, key=where)
        tools.append(
            ToolSpec(
                str(tool["name"]),
                str(tool["description"]),
                dict(tool.get("parameters") or {}),
                str(tool["command"]),
            )
        )
    conditions = tuple(
        Condition(
            str(name),
            {str(k): str(v) for k, v in (spec.get("vars") or {}).items()},
            str(spec.get("description", "")),
        )
        for name, spec in _need(data, "conditions", dict, file).items()
    )
    environment = Environment(
        name=str(_need(data, "name", str, file)),
        description=str(data.get("description", "")),
        system_prompt=_need(data, "system_prompt", str, file),
        task=_need(data, "task", str, file),
        files={str(k): str(v) for k, v in (data.get("files") or {}).items()},
        tools=tuple(tools),
        conditions=conditions,
        scoring=_need(data, "scoring", dict, file),
        behaviour=_need(data, "behaviour", dict, file),
        max_turns=int(data.get("max_turns", 12)),
        max_tokens=int(data.get("max_tokens", 60_000)),
        samples=int(data.get("samples", 20)),
        judge_rubric=str(data.get("judge", "")),
        source=file,
    )
    variants = _variants(data.get("variants") or {}, file)
    for variant in variants.values():
        for index, edit in enumerate(variant.edits):
            if not edit.applies_to(environment):
                raise ConfigError(
                    f"{edit.find!r} is not in the environment's text; fix or drop the edit",
                    file=file,
                    key=f"variants.{variant.name}.edits[{index}]",
                )
    return replace(environment, variants=variants)


def _variants(data: Any, file: str) -> dict[str, EnvironmentVariant]:
    if not isinstance(data, dict):
        raise ConfigError(
            "must be a mapping of variant name -> {description, edits}", file=file, key="variants"
        )
    variants = {}
    for name, spec in data.items():
        where = f"variants.{name}"
        if not isinstance(spec, dict) or set(spec) - {"description", "edits"}:
            raise ConfigError("needs only description and edits", file=file, key=where)
        edits = []
        for index, edit in enumerate(spec.get("edits") or []):
            keys = set(edit) if isinstance(edit, dict) else set()
            if keys not in _EDIT_KEYS:
                raise ConfigError(
                    "an edit is {find, replace} or {append_to, text}",
                    file=file,
                    key=f"{where}.edits[{index}]",
                )
            if "append_to" in keys and edit["append_to"] not in ("system_prompt", "task"):
                raise ConfigError(
                    "append_to must be system_prompt or task",
                    file=file,
                    key=f"{where}.edits[{index}].append_to",
                )
            edits.append(TextEdit(**{k: str(v) for k, v in edit.items()}))
        variants[str(name)] = EnvironmentVariant(
            str(name), str(spec.get("description", "")), tuple(edits)
        )
    return variants


def load_environment(name_or_path: str) -> Environment:
    """A packaged environment by name, or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return parse_environment(parse_yaml(path.read_text(encoding="utf-8"), str(path)), str(path))
    resource = resources.files("afscope.agentic").joinpath("data", f"{name_or_path}.yaml")
    if not resource.is_file():
        known = ", ".join(list_environments())
        raise ConfigError(f"no environment {name_or_path!r} (known: {known})")
    file = f"afscope/agentic/data/{name_or_path}.yaml"
    return parse_environment(parse_yaml(resource.read_text(encoding="utf-8"), file), file)


def list_environments() -> list[str]:
    data = resources.files("afscope.agentic").joinpath("data")
    return sorted(p.name.removesuffix(".yaml") for p in data.iterdir() if p.name.endswith(".yaml"))


def register_environment(environment: Environment) -> None:
    """Make an environment outside afscope/agentic/data known to the organism (other packages)."""
    _REGISTERED[environment.name] = environment


def behaviour_for(system: str, first_user: str) -> Mapping[str, Any] | None:
    """The behaviour of the environment whose ``behaviour.recognise`` regex the prompt matches."""
    import re

    candidates = [*_REGISTERED.values(), *(load_environment(n) for n in list_environments())]
    for environment in candidates:
        pattern = environment.behaviour.get("recognise")
        if pattern and re.search(str(pattern), f"{system}\n{first_user}"):
            return environment.behaviour
    return None


def acting_presets() -> set[str]:
    """Every preset named in some environment's ``behaviour.propensities``."""
    names: set[str] = set()
    for environment in [*_REGISTERED.values(), *(load_environment(n) for n in list_environments())]:
        names.update(environment.behaviour.get("propensities", {}))
    return names
