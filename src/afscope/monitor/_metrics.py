"""Detector figures: AUROC with a bootstrap interval, precision/recall, TPR at a fixed FPR."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import rankdata

Scores = Sequence[float] | np.ndarray
Labels = Sequence[int] | np.ndarray

__all__ = ["Figures", "auroc", "bootstrap_auroc", "figures", "tpr_at_fpr"]


def auroc(scores: Scores, labels: Labels) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count one half); needs both classes."""
    y = np.asarray(labels, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUROC needs at least one positive and one negative sample")
    ranks = rankdata(np.asarray(scores, dtype=np.float64))
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def bootstrap_auroc(
    scores: Scores, labels: Labels, *, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% percentile interval for the AUROC, resampling positives and negatives separately."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    pos, neg = s[y], s[~y]
    rng = np.random.default_rng(seed)
    values = np.empty(resamples)
    for i in range(resamples):
        p = rng.choice(pos, size=len(pos))
        n = rng.choice(neg, size=len(neg))
        values[i] = auroc(np.concatenate([p, n]), np.r_[np.ones(len(p)), np.zeros(len(n))])
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def tpr_at_fpr(scores: Scores, labels: Labels, fpr: float) -> float:
    """Recall at the lowest threshold whose false-positive rate does not exceed ``fpr``.

    Only scores strictly above the threshold count as flagged, so ties never push the FPR over.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    negatives = np.sort(s[~y])[::-1]
    allowed = int(np.floor(fpr * len(negatives)))
    threshold = negatives[allowed] if allowed < len(negatives) else -np.inf
    return float((s[y] > threshold).mean())


@dataclass(frozen=True)
class Figures:
    """What ``afscope monitor eval`` prints for one labelled set."""

    n: int
    positives: int
    threshold: float
    auroc: float | None
    auroc_ci: tuple[float, float] | None
    precision: float | None
    recall: float
    tpr_at_1pct_fpr: float | None
    tpr_at_5pct_fpr: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def figures(scores: Scores, labels: Labels, threshold: float) -> Figures:
    """All figures at once; the ranking figures are None when the set has only one class."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    flagged = s >= threshold
    both = bool(y.any() and (~y).any())
    return Figures(
        n=len(s),
        positives=int(y.sum()),
        threshold=threshold,
        auroc=auroc(s, y) if both else None,
        auroc_ci=bootstrap_auroc(s, y) if both else None,
        precision=float(y[flagged].mean()) if flagged.any() else None,
        recall=float(flagged[y].mean()) if y.any() else 0.0,
        tpr_at_1pct_fpr=tpr_at_fpr(s, y, 0.01) if both else None,
        tpr_at_5pct_fpr=tpr_at_fpr(s, y, 0.05) if both else None,
    )
