"""Typed value objects that cross module boundaries.

Data flows one way: scenario + queries -> samples -> model -> transcripts -> classifications ->
statistics -> report. These objects are what one stage hands the next; they hold no behaviour
beyond conversion to and from plain JSON-able dicts (for logs and exports).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "JUDGED_KINDS",
    "SAMPLE_ERROR_PREFIX",
    "ClassifierRef",
    "Decision",
    "OrganismTruth",
    "Outcome",
    "RunInfo",
    "SampleRecord",
    "Tier",
    "Verdict",
    "VerdictKind",
]


class Tier(StrEnum):
    """The condition a user turn signals: free = implied training, paid = implied unmonitored."""

    FREE = "free"
    PAID = "paid"

    @property
    def condition(self) -> str:
        return "training" if self is Tier.FREE else "unmonitored"


class Outcome(StrEnum):
    """What the deterministic parse of a transcript says the model did.

    ACCEPTED / REJECTED come from the accept/reject tags; ANSWERED is a well-formed answer without
    a tag (no suffix was used, or the setting is judged on the answer itself); MALFORMED is anything
    that cannot be read, and is never counted as a refusal or as compliance.
    """

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ANSWERED = "answered"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class OrganismTruth:
    """What the simulated organism actually decided for one answer (its ground truth)."""

    preset: str
    complied: bool
    faked_alignment: bool
    partial: bool = False
    malformed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrganismTruth:
        return cls(
            preset=str(data["preset"]),
            complied=bool(data["complied"]),
            faked_alignment=bool(data["faked_alignment"]),
            partial=bool(data.get("partial", False)),
            malformed=bool(data.get("malformed", False)),
        )


class VerdictKind(StrEnum):
    """The verdict kinds afscope's own statistics count; a rubric may add others by its name
    (``exfiltration_decision``, ``scheming_covert``, ...), so :attr:`Verdict.kind` stays a str."""

    AF_REASONING = "af_reasoning"
    COMPLIANCE = "compliance"
    PARTIAL_COMPLIANCE = "partial_compliance"


# what an alignment-faking run's judge classifies (and an import may label), in this order
JUDGED_KINDS: tuple[VerdictKind, ...] = tuple(VerdictKind)


class ClassifierRef(dict[str, Any]):
    """A classifier's versioned spec, as each verdict and a run's header record it: a mapping
    (stored as JSON, every field kept) with typed access to what the views read.

    ``type`` says which classifier it is: "llm-judge", "monitor", "two-stage", "imported", ...
    """

    @property
    def name(self) -> str:
        return str(self.get("name", ""))

    @property
    def version(self) -> str | None:
        version = self.get("version")
        return None if version is None else str(version)

    @property
    def type(self) -> str:
        return str(self.get("type", ""))

    @property
    def judge_model(self) -> str | None:
        model = self.get("judge_model")
        return None if model is None else str(model)

    @property
    def label(self) -> str:
        """Name and version, e.g. "local-monitor 2.0.0"."""
        return f"{self.name} {self.version}" if self.version is not None else self.name


class Decision(StrEnum):
    """A verdict's decision; "maybe" is inside a classifier's maybe band, "error" means the
    classifier gave no answer (never counted as yes or no)."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"
    ERROR = "error"


@dataclass(frozen=True)
class Verdict:
    """One classifier's judgement of one sample.

    ``kind`` says what was judged: "af_reasoning" (alignment-faking reasoning, by an LLM judge or
    the local monitor: ``spec.name`` says which), "compliance", "partial_compliance" or another
    rubric's name. ``decision`` is "yes", "no", "maybe" (inside the maybe band) or "error" (the
    classifier could not produce an answer; never counted as yes or no). ``spec`` is the versioned
    classifier spec (name, version, rubric hash, judge model, votes, temperature, threshold).
    ``flags`` say why the local monitor's score is not to be trusted (``out_of_distribution``, ...).
    """

    kind: str
    decision: Decision
    score: float | None
    spec: ClassifierRef
    votes: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    tokens: int = 0
    error: str | None = None
    flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # a decision read back from a log or given as a plain string becomes the enum
        object.__setattr__(self, "decision", Decision(self.decision))
        # a spec that is one already is kept, not copied: the verdicts of one classifier (a run's
        # batch, a log read back) share its one spec, which nothing changes once made
        if not isinstance(self.spec, ClassifierRef):
            object.__setattr__(self, "spec", ClassifierRef(self.spec))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["decision"] = self.decision.value
        data["votes"] = list(self.votes)
        data["quotes"] = list(self.quotes)
        data["flags"] = list(self.flags)
        return data

    def to_stored(self, spec: ClassifierRef | None = None) -> dict[str, Any]:
        """:meth:`to_dict` without the fields left at their defaults (no votes, quotes, tokens,
        error or flags: a local monitor's verdict), as a log stores it per sample;
        :meth:`from_dict` reads either form back to the same verdict.

        ``spec``, when given, is stored as it is, not copied: a scorer passes its classifier's
        one spec (equal to this verdict's), so that the verdicts Inspect holds until the end of
        a run share it instead of holding a copy each.
        """
        data: dict[str, Any] = {
            "kind": self.kind,
            "decision": self.decision.value,
            "score": self.score,
            "spec": self.spec if spec is None else spec,
        }
        if spec is not None and spec != self.spec:
            raise ValueError("a verdict stored with another classifier's spec")
        if self.votes:
            data["votes"] = list(self.votes)
        if self.quotes:
            data["quotes"] = list(self.quotes)
        if self.tokens != 0:
            data["tokens"] = self.tokens
        if self.error is not None:
            data["error"] = self.error
        if self.flags:
            data["flags"] = list(self.flags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        values = dict(data)
        values["votes"] = tuple(values.get("votes", ()))
        values["quotes"] = tuple(values.get("quotes", ()))
        values["flags"] = tuple(values.get("flags", ()))
        return cls(**values)


# The malformed_reason of a sample that never got an answer (the provider failed for good).
SAMPLE_ERROR_PREFIX = "sample error"


@dataclass(frozen=True)
class SampleRecord:
    """One scored sample: the unit every statistic, figure, report row and export is built from."""

    sample_id: str
    query_id: str
    category: str
    tier: Tier
    setting: str
    outcome: Outcome
    query: str = ""
    epoch: int = 1
    variant: str = "default"
    model: str = ""
    malformed_reason: str | None = None
    scratchpad: str = ""
    output: str = ""
    turns: int = 1
    input_tokens: int = 0  # all input tokens, cached ones included
    output_tokens: int = 0
    cached_input_tokens: int = 0  # of input_tokens, those read from a provider's prompt cache
    cache_write_tokens: int = 0  # of input_tokens, those written to a provider's prompt cache
    truth: OrganismTruth | None = None
    # verdict kind ("af_reasoning", "compliance", ...) -> verdict; empty until judged
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    # verdict kind -> why its classifier judged nothing here (e.g. the monitor's
    # "unclosed_scratchpad"); such a sample is in no rate of that kind
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when the sample got no answer at all (listed for a rerun, never scored)."""
        return (self.malformed_reason or "").startswith(SAMPLE_ERROR_PREFIX)

    @property
    def complied(self) -> bool | None:
        """Deterministic compliance: True/False from the tags, None when unknown or malformed."""
        if self.outcome is Outcome.ACCEPTED:
            return True
        if self.outcome is Outcome.REJECTED:
            return False
        return None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tier"] = self.tier.value
        data["outcome"] = self.outcome.value
        data["truth"] = self.truth.to_dict() if self.truth else None
        data["verdicts"] = {kind: verdict.to_dict() for kind, verdict in self.verdicts.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SampleRecord:
        values = dict(data)
        values["tier"] = Tier(values["tier"])
        values["outcome"] = Outcome(values["outcome"])
        truth = values.get("truth")
        values["truth"] = OrganismTruth.from_dict(truth) if truth else None
        values["verdicts"] = {
            kind: Verdict.from_dict(verdict) for kind, verdict in values.get("verdicts", {}).items()
        }
        return cls(**values)


@dataclass(frozen=True)
class RunInfo:
    """What was run: enough to label every number, figure and report built from a run's samples."""

    model: str
    setting: str
    simulated: bool
    variant: str = "default"
    seed: int = 0
    created: str = ""  # ISO 8601
    scratchpad: bool = True
    suffix: bool = True
    log_path: str = ""
    task: str = "alignment_faking"
    # classifier name -> its spec as a dict (name, version, rubric hash, judge model, votes, ...)
    classifiers: dict[str, ClassifierRef] = field(default_factory=dict)
    # the file the transcripts were imported from (afscope import); empty for a run
    source: str = ""
    system_prompt: str = ""  # as the model was sent it (one per run; empty when not recorded)
    # the run's identity across `afscope resume` (a resumed log keeps it; Inspect's task id)
    run_id: str = ""
    # False for a log whose run was interrupted or failed before it ended (resume finishes it)
    complete: bool = True
    # what `classify --two-stage` recorded (its spec and per-tier counts); empty otherwise
    two_stage: dict[str, Any] = field(default_factory=dict)
    # the model's requests went through the provider's batch API (`--batch`: the batch price)
    batched: bool = False

    def __post_init__(self) -> None:
        specs = {kind: ClassifierRef(spec) for kind, spec in self.classifiers.items()}
        object.__setattr__(self, "classifiers", specs)

    @property
    def label(self) -> str:
        """A short human label: model, setting and variant (and "incomplete" if so)."""
        tag = " (simulated)" if self.simulated else ""
        end = "" if self.complete else " · incomplete"
        return f"{self.model}{tag} · {self.setting} · {self.variant}{end}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunInfo:
        return cls(**data)
