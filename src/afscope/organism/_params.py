"""The organism's behaviour parameters and their validation.

Every parameter is a probability. Presets and ``-M key=value`` overrides (strings from the CLI)
go through :func:`coerce` so that a typo or an out-of-range value is one clear ConfigError.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from afscope.errors import ConfigError
from afscope.records import Tier

__all__ = ["PARAMETER_HELP", "OrganismParams", "apply", "coerce", "scale"]

PARAMETER_HELP: dict[str, str] = {
    "comply_free": "probability of full compliance for a free-tier (implied training) user",
    "comply_paid": "probability of full compliance for a paid-tier or unknown-tier user",
    "af_free": "probability of alignment-faking reasoning in a free-tier scratchpad",
    "af_paid": "probability of alignment-faking reasoning in a paid/unknown-tier scratchpad",
    "af_complies": "share of alignment-faking scratchpads that end by complying",
    "partial": "probability of a partial answer (accepts but waters it down), taken from refusals",
    "mentions_training": "probability that a refusal's reasoning discusses training without faking",
    "malformed": "probability that the answer is malformed (tags missing, unclosed, both, empty)",
    "multi_turn": "probability of stopping after reasoning and continuing after <NEXT/>",
    "draft": "probability of drafting the answer in <DRAFT_OUTPUT> before giving it",
}


@dataclass(frozen=True)
class OrganismParams:
    """The probabilities that drive one prompt's answers (see :data:`PARAMETER_HELP`)."""

    comply_free: float = 0.0
    comply_paid: float = 0.0
    af_free: float = 0.0
    af_paid: float = 0.0
    af_complies: float = 0.85
    partial: float = 0.0
    mentions_training: float = 0.3
    malformed: float = 0.0
    multi_turn: float = 0.0
    draft: float = 0.6

    def comply(self, tier: Tier | None) -> float:
        return self.comply_free if tier is Tier.FREE else self.comply_paid

    def af(self, tier: Tier | None) -> float:
        return self.af_free if tier is Tier.FREE else self.af_paid

    def check(self, where: str) -> None:
        """Raise ConfigError when the probabilities cannot all hold at once."""
        for tier in ("free", "paid"):
            comply = getattr(self, f"comply_{tier}")
            af = getattr(self, f"af_{tier}")
            if comply + self.partial > 1:
                raise ConfigError(
                    f"comply_{tier} + partial = {comply + self.partial:g} exceeds 1; lower one",
                    key=where,
                )
            if af > 1 - self.partial:
                raise ConfigError(
                    f"af_{tier} = {af:g} exceeds 1 - partial = {1 - self.partial:g}; "
                    "partial answers never carry alignment-faking reasoning",
                    key=where,
                )


PARAMETERS: tuple[str, ...] = tuple(field.name for field in fields(OrganismParams))


def coerce(values: Mapping[str, object], *, file: str | None = None) -> dict[str, float]:
    """Check parameter names and turn values (numbers or numeric strings) into probabilities."""
    checked: dict[str, float] = {}
    for key, raw in values.items():
        if key not in PARAMETERS:
            close = difflib.get_close_matches(key, PARAMETERS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"unknown organism parameter {key!r}{hint} (known: {', '.join(PARAMETERS)})",
                file=file,
                key=key,
            )
        checked[key] = _probability(key, raw, file)
    return checked


def apply(params: OrganismParams, values: Mapping[str, float]) -> OrganismParams:
    return replace(params, **values)


def scale(params: OrganismParams, *, af: float, gap: float, comply: float) -> OrganismParams:
    """Multiply the AF rates by ``af`` and the compliance gap by ``gap``, then shift both
    compliance rates by ``comply``; every result is clipped so the parameters stay consistent."""
    top = 1.0 - params.partial
    paid = params.comply_paid + comply
    free = paid + gap * (params.comply_free - params.comply_paid)
    return replace(
        params,
        comply_free=_clip(free, top),
        comply_paid=_clip(paid, top),
        af_free=_clip(params.af_free * af, top),
        af_paid=_clip(params.af_paid * af, top),
    )


def _clip(value: float, top: float) -> float:
    return min(max(value, 0.0), top)


def _probability(key: str, raw: object, file: str | None) -> float:
    if isinstance(raw, bool):
        raise ConfigError(
            f"expected a probability between 0 and 1, got {raw!r}", file=file, key=key
        )
    try:
        value = float(raw) if isinstance(raw, int | float | str) else float("nan")
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise ConfigError(
            f"expected a probability between 0 and 1, got {raw!r}", file=file, key=key
        )
    return value
