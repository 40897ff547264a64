"""An agentic environment as data (see the package docstring for the file format)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from afscope.errors import ConfigError
from afscope.organism._data import parse_yaml

__all__ = [
    "Condition",
    "Environment",
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
}


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
    source: str = field(default="", compare=False)

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
    return Environment(
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
        source=file,
    )


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
