"""Strict loading of the organism's YAML package data (duplicate keys are an error)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from afscope.errors import ConfigError

__all__ = ["load_yaml", "parse_yaml"]

_PACKAGE = "afscope.organism"


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise ConfigError(f"duplicate key on line {key_node.start_mark.line + 1}", key=str(key))
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(relative: str) -> Any:
    """Load ``data/<relative>`` from the package; a broken file is a ConfigError naming it."""
    resource = resources.files(_PACKAGE).joinpath("data", *relative.split("/"))
    try:
        text = resource.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read organism data: {error}", file=relative) from None
    return parse_yaml(text, relative)


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML strictly (safe tags only, no duplicate keys); errors name ``file``."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except ConfigError as error:
        raise ConfigError(str(error), file=file) from None
    except yaml.YAMLError as error:
        one_line = " ".join(str(error).split())
        raise ConfigError(f"invalid YAML: {one_line}", file=file) from None
