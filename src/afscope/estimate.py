"""What a run would send, estimated before sending anything (``--dry-run``).

Token counts are estimates (about four characters per token); output tokens assume a typical answer
length for the mode, since nothing has been generated yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RunEstimate", "estimate_run", "estimate_tokens"]

CHARS_PER_TOKEN = 4
# typical answer lengths seen in the published transcripts' format (reasoning makes answers long)
OUTPUT_TOKENS_SCRATCHPAD = 800
OUTPUT_TOKENS_DIRECT = 250


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class RunEstimate:
    samples: int
    requests: int
    system_tokens: int
    input_tokens: int
    output_tokens: int


def estimate_run(system_prompt: str, user_turns: Sequence[str], *, scratchpad: bool) -> RunEstimate:
    """One request per sample (continuations after <NEXT/> add more; not counted here)."""
    system = estimate_tokens(system_prompt)
    per_answer = OUTPUT_TOKENS_SCRATCHPAD if scratchpad else OUTPUT_TOKENS_DIRECT
    return RunEstimate(
        samples=len(user_turns),
        requests=len(user_turns),
        system_tokens=system,
        input_tokens=sum(system + estimate_tokens(turn) for turn in user_turns),
        output_tokens=per_answer * len(user_turns),
    )
