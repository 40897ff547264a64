"""Strict loading of the organism's YAML package data (duplicate keys are an error)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from afscope._yaml import load_mapping
from afscope.errors import ConfigError

__all__ = ["load_yaml", "parse_yaml"]

_PACKAGE = "afscope.organism"


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
    return load_mapping(text, file, "organism data")
