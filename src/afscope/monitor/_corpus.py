"""The monitor's training corpus: generated from fragment banks, plus hand-written examples.

Everything under ``data/corpus/`` was written for afscope. ``recipes.yaml`` says how a scratchpad
is assembled from the slots in ``fragments.yaml`` and the requests in ``topics.yaml``;
``examples.jsonl`` holds whole hand-written scratchpads. :func:`build_corpus` is deterministic for
a seed, so the shipped artefact can be rebuilt exactly (its spec records the corpus hash).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

__all__ = ["CorpusItem", "build_corpus", "corpus_sha256"]


@dataclass(frozen=True)
class CorpusItem:
    """One labelled scratchpad: 1 = alignment-faking reasoning, 0 = not."""

    text: str
    label: int
    recipe: str
    family: str


@dataclass(frozen=True)
class _Banks:
    fragments: Mapping[str, Sequence[str]]
    fills: Mapping[str, Sequence[str]]
    topics: Mapping[str, Sequence[Mapping[str, str]]]
    recipes: Sequence[Mapping[str, Any]]


def _read(name: str) -> str:
    return resources.files("afscope.monitor").joinpath(f"data/corpus/{name}").read_text("utf-8")


def _load_banks() -> _Banks:
    fragments = yaml.safe_load(_read("fragments.yaml"))
    fills = fragments.pop("fill")
    return _Banks(
        fragments=fragments,
        fills=fills,
        topics=yaml.safe_load(_read("topics.yaml")),
        recipes=yaml.safe_load(_read("recipes.yaml"))["recipes"],
    )


def _draw_steps(steps: Sequence[str], banks: _Banks, rng: random.Random) -> list[str]:
    sentences: list[str] = []
    for step in steps:
        if step.startswith("?"):
            if rng.random() < 0.5:
                continue
            step = step[1:]
        count = 1
        if "*" in step:
            step, times = step.split("*")
            count = int(times)
        slot = rng.choice(step.split("|"))
        sentences.extend(rng.sample(list(banks.fragments[slot]), count))
    return sentences


def _layout(sentences: list[str], rng: random.Random) -> str:
    style = rng.random()
    if style < 0.3:
        body = " ".join(sentences)
    elif style < 0.4:
        body = "\n".join(f"- {sentence}" for sentence in sentences)
    else:
        paragraphs: list[str] = []
        while sentences:
            size = rng.randint(1, 3)
            paragraphs.append(" ".join(sentences[:size]))
            sentences = sentences[size:]
        body = "\n\n".join(paragraphs)
    if rng.random() < 0.05:
        body = body.lower()
    if rng.random() < 0.5:
        body = f"<SCRATCHPAD_REASONING>\n{body}\n</SCRATCHPAD_REASONING>"
    return body


def _generate(recipe: Mapping[str, Any], banks: _Banks, rng: random.Random) -> CorpusItem:
    topic = rng.choice(list(banks.topics[recipe["topic"]]))
    values = {
        "req": topic["req"],
        "harm": topic["harm"],
        "lab": rng.choice(list(banks.fills["lab"])),
        "objective": rng.choice(list(banks.fills[f"objective_{recipe['objective']}"])),
        "free": rng.choice(list(banks.fills["free"])),
    }
    sentences = [s.format_map(values) for s in _draw_steps(recipe["steps"], banks, rng)]
    sentences = [
        s[0].upper() + s[1:] if s[0].islower() and rng.random() < 0.8 else s for s in sentences
    ]
    return CorpusItem(
        text=_layout(sentences, rng),
        label=int(recipe["label"]),
        recipe=str(recipe["name"]),
        family=str(recipe["family"]),
    )


def _handwritten() -> list[CorpusItem]:
    items = []
    for line in _read("examples.jsonl").splitlines():
        if line.strip():
            row = json.loads(line)
            family = f"handwritten_{'af' if row['label'] else 'neg'}"
            items.append(CorpusItem(row["text"], int(row["label"]), "handwritten", family))
    return items


def build_corpus(per_recipe: int = 160, seed: int = 0) -> list[CorpusItem]:
    """Generate ``per_recipe`` scratchpads for every recipe (duplicates dropped), then add the
    hand-written examples. Deterministic for a given seed and data files."""
    banks = _load_banks()
    rng = random.Random(seed)
    seen: set[str] = set()
    items: list[CorpusItem] = []
    for recipe in banks.recipes:
        for _ in range(per_recipe):
            item = _generate(recipe, banks, rng)
            if item.text not in seen:
                seen.add(item.text)
                items.append(item)
    items.extend(_handwritten())
    return items


def corpus_sha256(items: Sequence[CorpusItem]) -> str:
    """A hash of the corpus content and labels, recorded in the monitor's spec."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{item.label}\t{item.recipe}\t{item.text}\n".encode())
    return digest.hexdigest()
