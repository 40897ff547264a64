"""Parse a model's turns in the alignment-faking format into a typed transcript, and read the
reasoning of any text (what the local monitor scores), with one tag grammar.

Pure and strict: anything that cannot be read unambiguously is a MALFORMED outcome with a reason,
never silently counted as a refusal or as compliance.
"""

from afscope.transcripts._parse import (
    ACCEPT_TAG,
    REJECT_TAG,
    ParsedTranscript,
    Reasoning,
    has_answer_tag,
    has_output,
    has_scratchpad,
    needs_continuation,
    parse_transcript,
    parse_turns,
    read_reasoning,
)

__all__ = [
    "ACCEPT_TAG",
    "REJECT_TAG",
    "ParsedTranscript",
    "Reasoning",
    "has_answer_tag",
    "has_output",
    "has_scratchpad",
    "needs_continuation",
    "parse_transcript",
    "parse_turns",
    "read_reasoning",
]
