"""YAML for afscope's data files: safe tags only, and a key given twice is an error, not a
silent overwrite (PyYAML keeps the last one). :func:`load_mapping` and :func:`validated` turn
a file's YAML and schema faults into one ConfigError naming the file, the key and the fix."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from afscope.errors import ConfigError

__all__ = [
    "DuplicateKeyError",
    "bracketed",
    "explain_fault",
    "load_mapping",
    "load_unique",
    "validated",
]

M = TypeVar("M", bound=BaseModel)


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping gives the same key twice; ``first_line`` and ``line`` are 1-based."""

    def __init__(self, key: Any, first_line: int, node: yaml.Node) -> None:
        self.key = key
        self.first_line = first_line
        self.line = node.start_mark.line + 1
        message = f"duplicate key {key!r} (lines {first_line} and {self.line}); keep only one"
        super().__init__(None, None, message, node.start_mark)


class _UniqueKeyLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in lines:
            raise DuplicateKeyError(key, lines[key], key_node)
        lines[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_unique(text: str) -> Any:
    """Parse YAML safely; raises :class:`DuplicateKeyError` or another ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_UniqueKeyLoader)


def load_mapping(text: str, file: str, what: str) -> dict[Any, Any]:
    """Parse ``text`` as one YAML mapping (``what`` names it in the error, e.g. "a rubric"); a
    key given twice is named by its path (``sections[5].name``)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _reject_duplicate_keys(node, "", file)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or " ".join(str(error).split())
        message = f"invalid YAML{where}: {problem}; check the indentation and quoting"
        raise ConfigError(message, file=file) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{what} must be a YAML mapping", file=file)
    return data


def _reject_duplicate_keys(node: yaml.Node, path: str, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            child = f"{path}.{key}" if path else str(key)
            line = key_node.start_mark.line + 1
            if key in seen:
                message = f"duplicate key (lines {seen[key]} and {line}); keep only one"
                raise ConfigError(message, file=file, key=child)
            seen[key] = line
            _reject_duplicate_keys(value_node, child, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, f"{path}[{index}]", file)


def validated(
    model: type[M],
    data: Mapping[Any, Any],
    file: str,
    *,
    explain: Callable[[Any], str] | None = None,
    key: Callable[[tuple[int | str, ...]], str] | None = None,
    prefix: Sequence[str] = (),
) -> M:
    """``data`` (a file's mapping) checked against ``model``. The first fault is a ConfigError at
    its key (``prefix`` + its location, dotted unless ``key`` spells it), in ``explain``'s words
    or pydantic's (a key YAML reads as a number is one such fault, not a TypeError)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        loc = (*prefix, *first["loc"])
        where = key(loc) if key else ".".join(str(part) for part in loc)
        message = explain(first) if explain else str(first["msg"])
        raise ConfigError(message, file=file, key=where) from None


def bracketed(loc: tuple[int | str, ...], skip: Iterable[str] = ()) -> str:
    """A fault's location as a key path, list items by index: ``sections[2].name`` (``skip``:
    parts of the location that are not keys of the file)."""
    skipped = set(skip)
    key = ""
    for part in loc:
        if part in skipped:
            continue
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


_TYPE_HINTS = {
    "string_type": "expected text (put quotes around it)",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of name: value",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}


def explain_fault(error: Any, allowed: Callable[[tuple[int | str, ...]], Iterable[str]]) -> str:
    """A schema fault in a data file's words: an unknown key with the keys ``allowed`` where it
    stands (given the fault's location), a missing key, or the type expected and the one given."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key; allowed keys here: {', '.join(allowed(error['loc']))}"
    if kind == "missing":
        return "required key is missing; add it"
    hint = _TYPE_HINTS.get(kind, str(error["msg"]))
    return f"{hint}, got {type(error['input']).__name__}"
