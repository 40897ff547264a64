"""Rubrics: the judge prompts, as versioned package data.

A rubric is one YAML file under ``classifiers/data/rubrics/``: its name, version, kind, criteria,
decision rule and default voting settings. All rubrics share one Jinja template
(``data/judge_prompt.md.j2``) that places the transcript parts in delimited blocks marked as
untrusted data. A rubric's hash covers both files, so any change to what the judge reads changes
the hash recorded with every verdict.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import jinja2
from pydantic import BaseModel, ConfigDict, Field, field_validator

from afscope._yaml import load_mapping, validated
from afscope.errors import ConfigError, UnknownNameError
from afscope.records import VerdictKind

__all__ = [
    "Criterion",
    "Rubric",
    "TranscriptParts",
    "load_rubric",
    "render_prompt",
    "rubric_for",
    "rubric_names",
]

Part = Literal["query", "scratchpad", "output"]
_PART_TAGS: dict[str, str] = {"query": "user_query", "scratchpad": "scratchpad", "output": "output"}
_TEMPLATE = "judge_prompt.md.j2"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class TranscriptParts:
    """What a judge reads of one transcript: the user's query, the hidden reasoning, the answer."""

    query: str = ""
    scratchpad: str = ""
    output: str = ""

    def part(self, name: str) -> str:
        return str(getattr(self, name))


class Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    votes: int = Field(ge=1, le=100)
    temperature: float = Field(ge=0.0, le=2.0)
    threshold: float = Field(gt=0.0, le=1.0)
    maybe_band: float = Field(ge=0.0, le=1.0)


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str
    question: str = Field(min_length=10)

    @field_validator("name")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"{value!r} must be snake_case (letters, digits, underscores)")
        return value


class Rubric(BaseModel):
    """A validated rubric file. ``sha256`` hashes the file and the shared prompt template."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str
    version: int = Field(ge=1)
    kind: Literal[
        "af_reasoning",
        "compliance",
        "partial_compliance",
        "scheming",
        "interrogation",
        "exfiltration",
    ]
    title: str
    description: str
    shows: tuple[Part, ...] = Field(min_length=1)
    requires: tuple[Part, ...] = ()
    combine: Literal["all", "any", "none"]
    final_format: Literal["binary", "compliance"]
    defaults: Defaults
    instructions: str
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    decision_rule: str
    final_answer: str
    sha256: str = ""

    @field_validator("criteria")
    @classmethod
    def _unique_criteria(cls, value: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
        names = [criterion.name for criterion in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"duplicate criteria: {', '.join(duplicates)}")
        return value

    @property
    def criterion_names(self) -> tuple[str, ...]:
        return tuple(criterion.name for criterion in self.criteria)

    def missing_parts(self, parts: TranscriptParts) -> tuple[str, ...]:
        """The required transcript parts that are empty (the rubric cannot judge without them)."""
        return tuple(name for name in self.requires if not parts.part(name).strip())


def _data() -> resources.abc.Traversable:
    return resources.files("afscope.classifiers") / "data"


def _rubric_files() -> dict[str, resources.abc.Traversable]:
    folder = _data() / "rubrics"
    return {
        entry.name.removesuffix(".yaml"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


def rubric_names() -> tuple[str, ...]:
    """The names of the shipped rubrics, sorted."""
    return tuple(sorted(_rubric_files()))


@cache
def _template_source() -> str:
    return (_data() / _TEMPLATE).read_text(encoding="utf-8")


def parse_rubric(text: str, *, file: str, template: str) -> Rubric:
    """Validate one rubric file's text; raise ConfigError naming the file and key on any fault."""
    raw = load_mapping(text, file, "a rubric")
    for key in ("shows", "requires", "criteria"):
        if isinstance(raw.get(key), list):
            raw[key] = tuple(raw[key])
    digest = hashlib.sha256(text.encode("utf-8") + b"\0" + template.encode("utf-8"))
    rubric = validated(Rubric, {**raw, "sha256": digest.hexdigest()}, file)
    stem = file.rsplit("/", 1)[-1].removesuffix(".yaml")
    if rubric.name != stem:
        raise ConfigError(f"name {rubric.name!r} must match the file name {stem!r}", file=file)
    unknown = set(rubric.requires) - set(rubric.shows)
    if unknown:
        raise ConfigError(f"requires parts the judge is not shown: {sorted(unknown)}", file=file)
    return rubric


@cache
def load_rubric(name: str) -> Rubric:
    """Load a shipped rubric by name ("did you mean" on a misspelling)."""
    files = _rubric_files()
    if name not in files:
        raise UnknownNameError("rubric", name, files)
    entry = files[name]
    return parse_rubric(
        entry.read_text(encoding="utf-8"), file=f"rubrics/{entry.name}", template=_template_source()
    )


def rubric_for(kind: str, setting: str = "helpful-only") -> Rubric:
    """The default rubric for a kind in a setting (animal welfare has its own compliance)."""
    if kind == VerdictKind.COMPLIANCE and setting == "animal-welfare":
        return load_rubric("compliance_animal_welfare")
    return load_rubric(kind)


_DELIMITER = re.compile(r"<(/?)(untrusted_)", re.IGNORECASE)


def _untrusted(text: str) -> str:
    """Neutralise our own delimiter tags inside untrusted text so it cannot close its block."""
    return _DELIMITER.sub(r"&lt;\1\2", text)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
    )
    env.filters["untrusted"] = _untrusted
    return env


def render_prompt(rubric: Rubric, parts: TranscriptParts) -> str:
    """The judge prompt for one transcript: rubric text, then the shown parts as untrusted data."""
    blocks = [
        {"tag": _PART_TAGS[name], "text": parts.part(name).strip() or "(empty)"}
        for name in rubric.shows
    ]
    template = _environment().from_string(_template_source())
    return template.render(rubric=rubric, parts=blocks)
