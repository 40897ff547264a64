"""The price table: shipped as data (``data/prices.yaml``), overridable by a user's YAML/JSON file.

A model's price is the exact entry for its Inspect model string, else the longest matching prefix
entry (a name ending in ``*``), else unknown (``None``): an unknown price is never guessed.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from afscope._yaml import load_unique
from afscope.errors import ConfigError

__all__ = ["PRICES_VARIABLE", "Caching", "Price", "PriceTable", "load_prices"]

PRICES_VARIABLE = "AFSCOPE_PRICES"
_SHIPPED = "prices.yaml"
DEFAULT_MIN_CACHED_TOKENS = 1024


class Caching(StrEnum):
    """How a provider caches a prompt prefix shared by requests."""

    EXPLICIT = "explicit"  # marked in the request (Anthropic): the first request writes, later read
    AUTOMATIC = "automatic"  # long prefixes cached by the provider (OpenAI); writes cost nothing
    NONE = "none"


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens for one model."""

    input: float
    cached_input: float | None
    cache_write: float | None
    output: float
    caching: Caching = Caching.NONE
    min_cached_tokens: int = DEFAULT_MIN_CACHED_TOKENS
    # share of every price above billed for a request sent through the provider's batch API
    # (Anthropic, OpenAI: 0.5); None: no batch price known, a batched request costs the list price
    batch: float | None = None


class _PriceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)
    caching: Caching = Caching.NONE
    min_cached_tokens: int = Field(default=DEFAULT_MIN_CACHED_TOKENS, ge=0)
    batch: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _caching_from_text(cls, data: Any) -> Any:
        # strict mode would refuse the plain string a YAML file holds
        if isinstance(data, dict) and isinstance(data.get("caching"), str):
            known = [c.value for c in Caching]
            if data["caching"] not in known:
                raise ValueError(f"caching must be one of {', '.join(known)}")
            return {**data, "caching": Caching(data["caching"])}
        return data

    @model_validator(mode="after")
    def _prices_for_caching(self) -> _PriceSpec:
        if self.caching is not Caching.NONE and self.cached_input is None:
            raise ValueError(f"caching: {self.caching.value} needs a cached_input price")
        if self.caching is Caching.EXPLICIT and self.cache_write is None:
            raise ValueError("caching: explicit needs a cache_write price")
        if self.caching is not Caching.EXPLICIT and self.cache_write is not None:
            raise ValueError("cache_write is only billed with caching: explicit")
        return self

    def to_price(self) -> Price:
        return Price(
            input=self.input,
            cached_input=self.cached_input,
            cache_write=self.cache_write,
            output=self.output,
            caching=self.caching,
            min_cached_tokens=self.min_cached_tokens,
            batch=self.batch,
        )


class _TableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    as_of: str | None = None
    note: str | None = None
    models: dict[str, _PriceSpec]


@dataclass(frozen=True)
class PriceTable:
    """Prices by model name (exact) or prefix (a name ending in ``*``)."""

    entries: Mapping[str, Price]
    as_of: str | None = None
    note: str | None = None
    sources: tuple[str, ...] = ()

    def price(self, model: str) -> Price | None:
        """The exact entry, else the longest matching prefix entry, else None (unknown)."""
        exact = self.entries.get(model)
        if exact is not None and not model.endswith("*"):
            return exact
        prefixes = [
            name for name in self.entries if name.endswith("*") and model.startswith(name[:-1])
        ]
        if not prefixes:
            return None
        return self.entries[max(prefixes, key=len)]

    def merged(self, other: PriceTable) -> PriceTable:
        """This table with ``other``'s entries added, replacing entries of the same name."""
        return PriceTable(
            entries=MappingProxyType({**self.entries, **other.entries}),
            as_of=other.as_of or self.as_of,
            note=other.note or self.note,
            sources=(*self.sources, *other.sources),
        )


def load_prices(path: str | Path | None = None) -> PriceTable:
    """The shipped table, overridden by ``path`` (or the file named by ``AFSCOPE_PRICES``)."""
    table = _shipped_prices()
    if path is None:
        path = os.environ.get(PRICES_VARIABLE, "").strip() or None
    if path is None:
        return table
    return table.merged(_read_override(Path(path)))


@functools.cache
def _shipped_prices() -> PriceTable:
    shipped = resources.files("afscope.cost") / "data" / _SHIPPED
    return parse_prices(shipped.read_text(encoding="utf-8"), source=f"afscope:{_SHIPPED}")


def _read_override(path: Path) -> PriceTable:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(
            f"cannot read the price file ({reason}); pass an existing YAML or JSON file",
            file=str(path),
        ) from None
    return parse_prices(text, source=str(path))


def parse_prices(text: str, *, source: str) -> PriceTable:
    """Parse and strictly validate a price table (YAML or JSON; unknown/duplicate keys rejected)."""
    data = _parse_json(text, source) if source.endswith(".json") else _parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ConfigError("must be a mapping with a 'models' key", file=source)
    try:
        spec = _TableSpec.model_validate(data)
    except ValidationError as error:
        # a misspelt key also makes the right one "missing": name the misspelling first
        first = min(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(_explain(first), file=source, key=key or None) from None
    return PriceTable(
        entries=MappingProxyType({name: entry.to_price() for name, entry in spec.models.items()}),
        as_of=spec.as_of,
        note=spec.note,
        sources=(source,),
    )


def _explain(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        in_entry = len(error["loc"]) > 2  # models.<name>.<key>
        allowed = _PriceSpec.model_fields if in_entry else _TableSpec.model_fields
        return "unknown key; allowed: " + ", ".join(allowed)
    if kind == "missing":
        return "required key is missing"
    if kind == "float_type":
        return "expected a number (US dollars per million tokens, without quotes)"
    if kind == "int_type":
        return "expected a whole number of tokens"
    if kind == "string_type":
        return "expected text (put quotes around it)"
    if kind == "dict_type":
        return "expected a mapping of name: value"
    return str(error["msg"]).removeprefix("Value error, ")


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return load_unique(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"invalid YAML{where}: {problem}", file=source) from None


def _parse_json(text: str, source: str) -> Any:
    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ConfigError("duplicate key; keep only one", file=source, key=duplicates[0])
        return dict(pairs)

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as error:
        problem = f"invalid JSON at line {error.lineno}: {error.msg}"
        raise ConfigError(problem, file=source) from None
