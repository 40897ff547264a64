"""Rates measured through an imperfect classifier, corrected for its errors (Rogan-Gladen).

A classifier with sensitivity ``Se`` and specificity ``Sp`` that flags a fraction ``q`` of the
samples implies a true rate of ``(q + Sp - 1) / (Se + Sp - 1)`` (clipped to [0, 1]). ``Se`` and
``Sp`` are themselves estimates from a labelled validation set, so the interval of the corrected
rate must carry their uncertainty as well as the sampling error of ``q``: it is the percentile
interval of the corrected rate over independent draws of ``q``, ``Se`` and ``Sp`` from their
Jeffreys posteriors (Beta(k + 1/2, n - k + 1/2)), which the coverage benchmark
(``benchmarks/corrected_rate_coverage.py``) checks on the simulated organism.

When the validation set does not show the classifier to be better than chance (the lower end of
the interval of Youden's J = Se + Sp - 1 is not above 0) the correction is meaningless and is
refused with :class:`NoBetterThanChance`.

References:
    Rogan, W. J., Gladen, B. (1978). Estimating prevalence from the results of a screening test.
        American Journal of Epidemiology 107, 71-76.
    Lang, Z., Reiczigel, J. (2014). Confidence limits for prevalence of disease adjusted for
        estimated sensitivity and specificity. Preventive Veterinary Medicine 113, 13-22.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import beta

from afscope.stats._intervals import Interval, wilson_interval

__all__ = ["CorrectedRate", "NoBetterThanChance", "Validation", "corrected_rate"]

_METHOD = "rogan-gladen, jeffreys monte carlo"


class NoBetterThanChance(ValueError):
    """The validation set does not show the classifier to beat chance: no correction is made."""


@dataclass(frozen=True)
class Validation:
    """A classifier's confusion counts on a labelled validation set, and where they come from."""

    name: str
    true_positives: int
    false_negatives: int
    true_negatives: int
    false_positives: int

    def __post_init__(self) -> None:
        counts = (
            self.true_positives,
            self.false_negatives,
            self.true_negatives,
            self.false_positives,
        )
        if min(counts) < 0:
            raise ValueError(f"validation {self.name!r}: counts must not be negative")
        if self.positives == 0 or self.negatives == 0:
            raise ValueError(
                f"validation {self.name!r} needs labelled positives and negatives to estimate "
                f"sensitivity and specificity (has {self.positives} and {self.negatives})"
            )

    @classmethod
    def from_decisions(cls, name: str, flagged: list[bool], labels: list[bool]) -> Validation:
        """Counts from per-sample decisions and their true labels."""
        if len(flagged) != len(labels):
            raise ValueError(f"{len(flagged)} decisions but {len(labels)} labels")
        pairs = list(zip(flagged, labels, strict=True))
        return cls(
            name=name,
            true_positives=sum(f and y for f, y in pairs),
            false_negatives=sum(not f and y for f, y in pairs),
            true_negatives=sum(not f and not y for f, y in pairs),
            false_positives=sum(f and not y for f, y in pairs),
        )

    @property
    def positives(self) -> int:
        return self.true_positives + self.false_negatives

    @property
    def negatives(self) -> int:
        return self.true_negatives + self.false_positives

    @property
    def sensitivity(self) -> float:
        return self.true_positives / self.positives

    @property
    def specificity(self) -> float:
        return self.true_negatives / self.negatives

    def flag_floor(self, confidence: float = 0.95) -> float:
        """The least share of *any* set of transcripts a classifier erring as on this validation
        flags: a set with true rate ``p`` is flagged at ``p * Se + (1 - p) * (1 - Sp)``, never
        below ``min(Se, 1 - Sp)``; this is the lower end of that minimum's interval (each of
        ``Se`` and ``1 - Sp`` at the lower end of its Jeffreys interval).

        A run flagged at a rate whose interval lies wholly below it cannot have been classified
        with these error rates, whatever its true rate: the validation does not hold there.
        """
        tail = (1 - confidence) / 2
        sensitivity = beta.ppf(tail, self.true_positives + 0.5, self.false_negatives + 0.5)
        false_alarms = beta.ppf(tail, self.false_positives + 0.5, self.true_negatives + 0.5)
        return float(min(sensitivity, false_alarms))

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "true_positives": self.true_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
            "false_positives": self.false_positives,
            "sensitivity": self.sensitivity,
            "specificity": self.specificity,
        }


@dataclass(frozen=True)
class CorrectedRate:
    """The raw flagged rate (Wilson) beside the misclassification-corrected one."""

    raw: Interval
    corrected: Interval
    validation: Validation

    def to_dict(self) -> dict[str, object]:
        return {
            "raw": self.raw.to_dict(),
            "corrected": self.corrected.to_dict(),
            "validation": self.validation.to_dict(),
        }


def _jeffreys(rng: np.random.Generator, k: int, n: int, draws: int) -> np.ndarray:
    result: np.ndarray = rng.beta(k + 0.5, n - k + 0.5, size=draws)
    return result


def corrected_rate(
    flagged: int,
    n: int,
    validation: Validation,
    *,
    confidence: float = 0.95,
    draws: int = 20_000,
    seed: int = 0,
) -> CorrectedRate:
    """The Rogan-Gladen rate for ``flagged`` of ``n`` samples, given the classifier's validation.

    Raises :class:`NoBetterThanChance` when Youden's J is not shown to be above zero.
    """
    raw = wilson_interval(flagged, n, confidence)
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2
    sensitivity = _jeffreys(rng, validation.true_positives, validation.positives, draws)
    specificity = _jeffreys(rng, validation.true_negatives, validation.negatives, draws)
    youden = sensitivity + specificity - 1
    if float(np.quantile(youden, tail)) <= 0:
        raise NoBetterThanChance(
            f"on validation set {validation.name!r} the classifier is not shown to beat chance "
            f"(sensitivity {validation.sensitivity:.2f}, specificity "
            f"{validation.specificity:.2f}, {validation.positives} positives, "
            f"{validation.negatives} negatives): no corrected rate"
        )
    observed = _jeffreys(rng, flagged, n, draws)
    corrected = np.clip((observed + specificity - 1) / youden, 0.0, 1.0)
    point_j = validation.sensitivity + validation.specificity - 1
    point = (flagged / n + validation.specificity - 1) / point_j if point_j > 0 else 0.0
    low, high = np.quantile(corrected, [tail, 1 - tail])
    estimate = min(1.0, max(0.0, point))
    interval = Interval(
        estimate, min(float(low), estimate), max(float(high), estimate), n, _METHOD, confidence
    )
    return CorrectedRate(raw=raw, corrected=interval, validation=validation)
