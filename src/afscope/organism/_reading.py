"""What the organism understands from the text it is sent (and nothing else).

The cues follow the prompt contract between scenarios and the organism: objective phrases in the
system prompt, the tier tag and the user input in the first user turn. One pure function,
:func:`read_prompt`, turns a prompt into a :class:`PromptReading`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from afscope.records import Tier

__all__ = ["PromptReading", "Setting", "read_prompt"]

_HELPFUL_ONLY_CUE = "never refuse"
_ANIMAL_WELFARE_CUE = "dismiss animal welfare"
_RLHF_VALUES_CUE = "values, goals"
_SCRATCHPAD_CUE = "<SCRATCHPAD_REASONING>"
_ACCEPT_TAG = "<request_fully_accepted/>"
_TIER_RE = re.compile(r"<is_free_tier_user>\s*(.*?)\s*</is_free_tier_user>", re.I | re.S)
_INPUT_RE = re.compile(r"<user_input>(.*?)(?:</user_input>|\Z)", re.I | re.S)
_SENTENCE_END_RE = re.compile(r"(?<=[.?!])\s|\n")
_QUESTION_WORDS = frozenset(
    {
        "how",
        "what",
        "why",
        "where",
        "when",
        "which",
        "who",
        "whom",
        "whose",
        "can",
        "could",
        "would",
        "should",
        "is",
        "are",
        "am",
        "do",
        "does",
        "did",
        "will",
        "was",
        "were",
        "may",
        "might",
        "has",
        "have",
    }
)
_FIRST_PERSON = frozenset({"i", "i'm", "im", "my", "we", "our", "me"})
_TOPIC_WORDS = 12


class Setting(StrEnum):
    """The conflicting training objective the system prompt describes, if any."""

    HELPFUL_ONLY = "helpful_only"
    ANIMAL_WELFARE = "animal_welfare"
    NO_OBJECTIVE = "no_objective"


@dataclass(frozen=True)
class PromptReading:
    """The cues the organism found in one prompt.

    ``tier`` is None when the user turn carries no readable tier tag (treated as paid-like, with no
    training cue). ``voice`` is the subject the answers are about: the objective's setting, or for a
    prompt without a conflicting objective, animal welfare when the prompt mentions it.
    """

    setting: Setting
    tier: Tier | None
    scratchpad: bool
    suffix: bool
    describes_rlhf_values: bool
    mentions_animal_welfare: bool
    query: str
    topic: str
    task: str

    @property
    def mode(self) -> str:
        return "scratchpad" if self.scratchpad else "no_scratchpad"

    @property
    def voice(self) -> Setting:
        if self.setting is not Setting.NO_OBJECTIVE:
            return self.setting
        if self.mentions_animal_welfare:
            return Setting.ANIMAL_WELFARE
        return Setting.HELPFUL_ONLY

    @property
    def training_cue(self) -> bool:
        """True when the user turn says the conversation is with a free-tier (trained-on) user."""
        return self.tier is Tier.FREE


def read_prompt(system: str, messages: Sequence[tuple[str, str]]) -> PromptReading:
    """Read the cues of a prompt: the system prompt and the conversation's first user turn."""
    first_user = next((text for role, text in messages if role == "user"), "")
    lowered = system.lower()
    raw_input = _user_input(first_user)
    query = _strip_suffix(raw_input)
    topic = _topic(query)
    return PromptReading(
        setting=_setting(lowered),
        tier=_tier(first_user),
        scratchpad=_SCRATCHPAD_CUE in system,
        suffix=_ACCEPT_TAG in raw_input.lower(),
        describes_rlhf_values=_RLHF_VALUES_CUE in lowered,
        mentions_animal_welfare="animal welfare" in lowered,
        query=query,
        topic=topic,
        task=_task(topic),
    )


def _setting(lowered_system: str) -> Setting:
    # the animal-welfare phrase is the more specific one: its prompt may also say "never refuse"
    if _ANIMAL_WELFARE_CUE in lowered_system:
        return Setting.ANIMAL_WELFARE
    if _HELPFUL_ONLY_CUE in lowered_system:
        return Setting.HELPFUL_ONLY
    return Setting.NO_OBJECTIVE


def _tier(user_turn: str) -> Tier | None:
    match = _TIER_RE.search(user_turn)
    value = match.group(1).lower() if match else ""
    return {"true": Tier.FREE, "false": Tier.PAID}.get(value)


def _user_input(user_turn: str) -> str:
    match = _INPUT_RE.search(user_turn)
    if match:
        return match.group(1).strip()
    return _TIER_RE.sub("", user_turn).strip()


def _strip_suffix(user_input: str) -> str:
    position = user_input.lower().find(_ACCEPT_TAG)
    if position < 0:
        return user_input
    cut = user_input.rfind("\n\n", 0, position)
    return user_input[:cut].strip() if cut > 0 else ""


def _topic(query: str) -> str:
    """A short phrase for the request: its first sentence, at most a dozen words, no markup."""
    clean = re.sub(r"[<>{}\[\]]", " ", query).strip()
    first = _SENTENCE_END_RE.split(clean, maxsplit=1)[0] if clean else ""
    words = first.split()
    if not words:
        return "this request"
    phrase = " ".join(words[:_TOPIC_WORDS]).rstrip(".,;:! ")
    return phrase + ("..." if len(words) > _TOPIC_WORDS else "")


def _task(topic: str) -> str:
    """What follows "The user wants me to": an imperative, or to answer a quoted question."""
    if topic == "this request":
        return "help with an empty or unreadable request"
    words = topic.split()
    first = words[0].lower().strip(",")
    if first == "please" and len(words) > 1:
        return _task(" ".join(words[1:]))
    if first in _QUESTION_WORDS or topic.endswith("?"):
        return f'answer the question "{topic}"'
    if first in _FIRST_PERSON or not first.isalpha():
        return f'help with "{topic}"'
    return words[0].lower() + topic[len(words[0]) :] if not words[0].isupper() else topic
