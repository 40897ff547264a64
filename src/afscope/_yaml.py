"""YAML for afscope's data files: safe tags only, and a key given twice is an error, not a
silent overwrite (PyYAML keeps the last one)."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["DuplicateKeyError", "load_unique"]


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
