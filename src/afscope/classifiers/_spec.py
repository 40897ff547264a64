"""The classifier spec: everything that decides a verdict, recorded with every verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from afscope.classifiers._rubric import Rubric
from afscope.errors import ConfigError
from afscope.records import Decision

__all__ = ["Adaptive", "ClassifierSpec", "make_spec"]

Adaptive = Literal["off", "exact", "sequential"]
ADAPTIVE_RULES: tuple[Adaptive, ...] = ("off", "exact", "sequential")


@dataclass(frozen=True)
class ClassifierSpec:
    """A versioned judge: rubric (name, version, hash), judge model and voting settings.

    ``score`` = yes votes / valid votes; decision "yes" if score >= threshold, "maybe" if score
    >= threshold - maybe_band, else "no". ``adaptive`` says when voting may stop early: "off"
    (always ``votes`` votes), "exact" (only once the remaining votes cannot change the decision:
    identical verdicts to full voting) or "sequential" (also once the predicted chance that the
    full vote would decide otherwise is below ``sequential_risk``). An unparseable answer is
    retried up to ``parse_retries`` times, then counted as an error vote; more than
    ``max_error_fraction`` of ``votes`` error votes make the verdict an error.
    """

    name: str
    version: int
    kind: str
    rubric_sha256: str
    judge_model: str
    votes: int = 20
    temperature: float = 1.0
    threshold: float = 0.4
    maybe_band: float = 0.2
    adaptive: Adaptive = "sequential"
    sequential_risk: float = 0.03
    min_votes: int = 3
    parse_retries: int = 2
    max_error_fraction: float = 0.25

    def __post_init__(self) -> None:
        checks = [
            (self.votes >= 1, "votes", "must be at least 1"),
            (0.0 <= self.temperature <= 2.0, "temperature", "must be between 0 and 2"),
            (0.0 < self.threshold <= 1.0, "threshold", "must be in (0, 1]"),
            (0.0 <= self.maybe_band <= self.threshold, "maybe_band", "must be in [0, threshold]"),
            (self.adaptive in ADAPTIVE_RULES, "adaptive", f"must be one of {ADAPTIVE_RULES}"),
            (0.0 < self.sequential_risk < 0.5, "sequential_risk", "must be in (0, 0.5)"),
            (self.min_votes >= 1, "min_votes", "must be at least 1"),
            (self.parse_retries >= 0, "parse_retries", "must be 0 or more"),
            (0.0 <= self.max_error_fraction <= 1.0, "max_error_fraction", "must be in [0, 1]"),
        ]
        for ok, key, message in checks:
            if not ok:
                raise ConfigError(f"{message}, got {getattr(self, key)!r}", key=key)

    def decide(self, score: float) -> Decision:
        """The decision for a score: yes, maybe or no."""
        tolerance = 1e-9  # 8/20 must reach a 0.4 threshold despite float rounding
        if score >= self.threshold - tolerance:
            return Decision.YES
        if self.maybe_band > 0 and score >= self.threshold - self.maybe_band - tolerance:
            return Decision.MAYBE
        return Decision.NO

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassifierSpec:
        return cls(**data)


def make_spec(rubric: Rubric, judge_model: str, **overrides: Any) -> ClassifierSpec:
    """A spec for ``rubric`` judged by ``judge_model``: the rubric's defaults, then ``overrides``.

    Overrides whose value is None are ignored, so CLI options can be passed straight through.
    """
    known = set(ClassifierSpec.__dataclass_fields__) - {"name", "version", "kind", "rubric_sha256"}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigError(f"unknown classifier option(s) {unknown}; known: {sorted(known)}")
    values: dict[str, Any] = rubric.defaults.model_dump()
    values.update({key: value for key, value in overrides.items() if value is not None})
    values["judge_model"] = judge_model
    return ClassifierSpec(
        name=rubric.name,
        version=rubric.version,
        kind=rubric.kind,
        rubric_sha256=rubric.sha256,
        **values,
    )
