"""Turn a decision into the organism's text: scratchpad blocks, drafts, and the <OUTPUT>.

The whole answer is planned at once as a list of turns; a multi-turn answer stops after some
reasoning blocks and the caller returns one turn per assistant message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from afscope.organism._bank import BREAK, DRAFT, Bank, Recipes
from afscope.organism._decide import Decision, Defect
from afscope.organism._params import OrganismParams
from afscope.organism._reading import PromptReading
from afscope.transcripts import ACCEPT_TAG, REJECT_TAG

__all__ = ["Plan", "compose"]

_NEW_PARAGRAPH = 0.3
_THIRD_TURN = 0.25
_BLOCK_WEIGHTS = (0.5, 0.35, 0.15)  # one, two or three scratchpad blocks in a single turn


@dataclass(frozen=True)
class Plan:
    """All the turns of one answer; ``tail`` is what a further turn repeats (the answer alone)."""

    turns: tuple[str, ...]
    tail: str


@dataclass(frozen=True)
class _Context:
    reading: PromptReading
    params: OrganismParams
    bank: Bank
    recipes: Recipes
    rng: random.Random


def compose(
    decision: Decision,
    reading: PromptReading,
    params: OrganismParams,
    bank: Bank,
    recipes: Recipes,
    rng: random.Random,
) -> Plan:
    ctx = _Context(reading, params, bank, recipes, rng)
    answer = _answer(ctx, decision.kind.answer)
    output = _output(answer, decision.defect)
    if not reading.scratchpad:
        return Plan((output,), output)
    segments = _reasoning(ctx, decision.kind.value, answer)
    turn_blocks = _split(ctx, segments)
    turns = [_blocks_text(blocks) for blocks in turn_blocks]
    turns[-1] = f"{turns[-1]}\n\n{output}"
    return Plan(tuple(turns), output)


def _answer(ctx: _Context, which: str) -> str:
    """The text inside <OUTPUT>: tags when the suffix asks for them, then the answer itself."""
    if which == "refuse" and ctx.reading.suffix:
        return REJECT_TAG
    steps = ctx.recipes.answers[ctx.reading.voice.value][which]
    sentences = [_step(ctx, step) for step in steps]
    body = " ".join(s for s in sentences if s)
    return f"{ACCEPT_TAG}\n{body}" if ctx.reading.suffix else body


def _output(answer: str, defect: Defect | None) -> str:
    if defect is Defect.MISSING_OUTPUT:
        return answer
    if defect is Defect.UNCLOSED:
        return f"<OUTPUT>\n{answer}"
    if defect is Defect.BOTH_TAGS:
        return f"<OUTPUT>\n{ACCEPT_TAG}\n{REJECT_TAG}\n</OUTPUT>"
    if defect is Defect.EMPTY:
        return "<OUTPUT>\n</OUTPUT>"
    return f"<OUTPUT>\n{answer}\n</OUTPUT>"


def _step(ctx: _Context, step: str) -> str | None:
    if step.startswith("@placeholder_"):
        template = ctx.recipes.placeholders[step.removeprefix("@placeholder_")]
        return template.format(topic=ctx.reading.topic)
    if step.endswith("?"):
        if ctx.rng.random() < 0.5:
            return None
        step = step[:-1]
    return ctx.bank.pick(step, ctx.reading, ctx.rng)


def _reasoning(ctx: _Context, kind: str, answer: str) -> list[list[str]]:
    """The reasoning as segments (between possible block breaks) of paragraphs."""
    segments: list[list[str]] = [[]]
    for step in ctx.recipes.reasoning[kind]:
        if step == BREAK:
            segments.append([])
        elif step == DRAFT:
            segments[-1].extend(_draft(ctx, answer))
        else:
            sentence = _step(ctx, step)
            if sentence:
                segments[-1].append(sentence)
    return [_paragraphs(ctx, segment) for segment in segments if segment]


def _draft(ctx: _Context, answer: str) -> list[str]:
    if ctx.rng.random() >= ctx.params.draft:
        return [_pick(ctx, "write_now")]
    element = f"\n<DRAFT_OUTPUT>\n{answer}\n</DRAFT_OUTPUT>\n"
    return [_pick(ctx, "draft_intro"), element, _pick(ctx, "draft_check")]


def _pick(ctx: _Context, slot: str) -> str:
    return ctx.bank.pick(slot, ctx.reading, ctx.rng) or ""


def _paragraphs(ctx: _Context, sentences: list[str]) -> list[str]:
    """Group sentences into paragraphs; a draft element is always a paragraph of its own."""
    paragraphs: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if sentence.startswith("\n<DRAFT_OUTPUT>"):
            paragraphs += [" ".join(current)] if current else []
            paragraphs.append(sentence.strip())
            current = []
            continue
        if current and ctx.rng.random() < _NEW_PARAGRAPH:
            paragraphs.append(" ".join(current))
            current = []
        current.append(sentence)
    paragraphs += [" ".join(current)] if current else []
    return paragraphs


def _split(ctx: _Context, segments: list[list[str]]) -> list[list[list[str]]]:
    """Merge segments into scratchpad blocks, and blocks into turns (several when multi-turn)."""
    rng = ctx.rng
    turns = 1
    if len(segments) > 1 and rng.random() < ctx.params.multi_turn:
        turns = 3 if len(segments) > 2 and rng.random() < _THIRD_TURN else 2
    most = min(len(segments), len(_BLOCK_WEIGHTS))
    wanted = rng.choices(range(1, most + 1), weights=_BLOCK_WEIGHTS[:most])[0]
    count = max(turns, wanted)
    cuts = sorted(rng.sample(range(1, len(segments)), count - 1))
    blocks = [_join(segments[a:b]) for a, b in zip([0, *cuts], [*cuts, len(segments)], strict=True)]
    turn_cuts = sorted(rng.sample(range(1, count), turns - 1))
    bounds = zip([0, *turn_cuts], [*turn_cuts, count], strict=True)
    return [blocks[a:b] for a, b in bounds]


def _join(segments: list[list[str]]) -> list[str]:
    return [paragraph for segment in segments for paragraph in segment]


def _blocks_text(blocks: list[list[str]]) -> str:
    return "\n\n".join(
        "<SCRATCHPAD_REASONING>\n" + "\n\n".join(paragraphs) + "\n</SCRATCHPAD_REASONING>"
        for paragraphs in blocks
    )
