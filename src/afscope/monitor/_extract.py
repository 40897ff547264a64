"""Take the reasoning out of a transcript: its scratchpad blocks if it has any, else the text."""

from __future__ import annotations

import re

__all__ = ["FLAG_MEANINGS", "extract_reasoning", "reasoning_flags", "split_sentences"]

# what each of the monitor's flags means, as the summary and the report explain it
FLAG_MEANINGS = {
    "unclosed_scratchpad": "a reasoning block opens and never closes, so the answer after it "
    "cannot be told from the reasoning",
    "no_reasoning": "the transcript has no scratchpad reasoning to score",
    "out_of_distribution": "under half of the reasoning's words are in the monitor's "
    "vocabulary, so its score is a guess",
}

# <SCRATCHPAD_REASONING>, <think>, <thinking>, <reasoning>, any case; an unclosed final block
# (a reply cut off mid-reasoning) runs to the end of the text
# whitespace inside a tag is allowed, as afscope's transcript parser allows it
_BLOCK = re.compile(
    r"<\s*(scratchpad_reasoning|think|thinking|reasoning)\s*>(.*?)(?:<\s*/\s*\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def extract_reasoning(transcript: str) -> str:
    """Return the text of every scratchpad block, joined by blank lines; the whole text if none.

    Recognises ``<SCRATCHPAD_REASONING>``, ``<think>``, ``<thinking>`` and ``<reasoning>`` tags in
    any case. The answer (``<OUTPUT>``) is not reasoning and is left out when blocks are present.
    """
    blocks = [match.group(2).strip() for match in _BLOCK.finditer(transcript)]
    blocks = [block for block in blocks if block]
    if blocks:
        return "\n\n".join(blocks)
    return transcript.strip()


def split_sentences(text: str) -> list[str]:
    """Split reasoning into sentences (or lines), dropping empty pieces and bare tags."""
    pieces = (piece.strip() for piece in _SENTENCE_END.split(text))
    return [piece for piece in pieces if piece and not re.fullmatch(r"</?[\w/]+/?>", piece)]


_OPEN = re.compile(r"<\s*(scratchpad_reasoning|think|thinking|reasoning)\s*>", re.IGNORECASE)
_CLOSE = re.compile(r"<\s*/\s*(scratchpad_reasoning|think|thinking|reasoning)\s*>", re.IGNORECASE)


def reasoning_flags(transcript: str) -> tuple[str, ...]:
    """Why the reasoning of ``transcript`` cannot be scored with confidence, if it cannot.

    ``unclosed_scratchpad``: a reasoning block opens and never closes, so the answer after it is
    scored as reasoning; ``no_reasoning``: there is no text to score at all.
    """
    flags = []
    opened = [match.group(1).lower() for match in _OPEN.finditer(transcript)]
    closed = [match.group(1).lower() for match in _CLOSE.finditer(transcript)]
    if any(opened.count(tag) > closed.count(tag) for tag in set(opened)):
        flags.append("unclosed_scratchpad")
    if not extract_reasoning(transcript):
        flags.append("no_reasoning")
    return tuple(flags)
