"""Fit the monitor to a user's own judged transcripts (judge distillation).

The method is the shipped monitor's (TF-IDF word 1-2-grams and character 3-5-grams, logistic
regression, Platt calibration, best-F1 threshold), refitted on the user's texts with the judge's
verdicts as labels. Its agreement with the judge is measured by stratified k-fold
cross-validation: every text is scored by a model fitted without it. Those out-of-fold decisions
give the confusion counts a corrected rate rests on; they are stored in the artefact, whose
spec names the judge, the data and the folds. Needs scikit-learn (``afscope[monitor]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from afscope.errors import AfscopeError, DataError

__all__ = ["MIN_PER_CLASS", "FitReport", "fit_monitor"]

MIN_PER_CLASS = 10


@dataclass(frozen=True)
class FitReport:
    """A fitted monitor's artefact and its cross-validated agreement with the judge."""

    artefact: dict[str, Any]
    n: int
    positives: int
    folds: int
    auroc: float
    accuracy: float
    kappa: float  # Cohen's kappa between the monitor's decisions and the judge's
    sensitivity: float
    specificity: float
    threshold: float

    def lines(self) -> list[str]:
        return [
            f"fitted on {self.n} judged transcripts ({self.positives} alignment faking); "
            f"{self.folds}-fold cross-validated agreement with the judge:",
            f"  AUROC {self.auroc:.3f}, accuracy {self.accuracy:.3f}, Cohen's kappa "
            f"{self.kappa:.3f} at threshold {self.threshold}",
            f"  sensitivity {self.sensitivity:.3f}, specificity {self.specificity:.3f} "
            "(these counts are stored as the monitor's validation)",
        ]


def _kappa(flagged: np.ndarray, labels: np.ndarray) -> float:
    observed = float((flagged == labels).mean())
    p_flag, p_label = float(flagged.mean()), float(labels.mean())
    chance = p_flag * p_label + (1 - p_flag) * (1 - p_label)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def fit_monitor(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    name: str,
    provenance: dict[str, Any],
    folds: int = 5,
    seed: int = 0,
) -> FitReport:
    """Fit the monitor to ``texts`` labelled by a judge; ``provenance`` says whose verdicts."""
    try:
        from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

        from afscope.monitor import _train as train
    except ImportError:
        raise AfscopeError(
            "monitor fit needs scikit-learn: pip install 'afscope[monitor]'"
        ) from None
    from afscope.monitor._corpus import CorpusItem
    from afscope.monitor._metrics import auroc
    from afscope.monitor._validation import counts_dict
    from afscope.stats import Validation
    from afscope.transcripts import read_reasoning

    y = np.asarray(labels, dtype=int)
    positives = int(y.sum())
    if min(positives, len(y) - positives) < max(MIN_PER_CLASS, folds):
        raise DataError(
            f"{len(y)} judged transcripts, {positives} alignment faking: fitting needs at least "
            f"{max(MIN_PER_CLASS, folds)} of each class; judge more transcripts"
        )
    reasoning = [read_reasoning(text).text for text in texts]
    candidate = next(c for c in train.CANDIDATES if c.name == "words1-2+chars3-5")
    oof = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_rows, test_rows in splitter.split(reasoning, y):
        fitted = train.fit(candidate, [reasoning[i] for i in train_rows], y[train_rows])
        oof[test_rows] = train.decision(candidate, fitted, [reasoning[i] for i in test_rows])
    a, b, threshold = train.calibrate(oof, y)
    flagged = 1 / (1 + np.exp(-(a * oof + b))) >= threshold
    validation = Validation.from_decisions(
        f"{folds}-fold cross-validation against {provenance.get('judge', 'the labels')} on "
        f"{len(y)} transcripts of {', '.join(provenance.get('inputs', []))}",
        flagged.tolist(),
        (y == 1).tolist(),
    )
    items = [
        CorpusItem(text, int(label), "fit", "fit") for text, label in zip(reasoning, y, strict=True)
    ]
    final = train.fit(candidate, reasoning, y)
    meta = {"seed": seed, "sources": {"fit": len(items)}}
    artefact = train.artefact(candidate, final, (a, b, threshold), items, meta)
    artefact["version"] = f"{train.VERSION}+fit.{name}"
    artefact["fit"] = {
        "name": name,
        "folds": folds,
        "seed": seed,
        **provenance,
        "validation": counts_dict(validation),
        "cv": {
            "auroc": round(auroc(oof.tolist(), y.tolist()), 4),
            "kappa": round(_kappa(flagged, y == 1), 4),
        },
    }
    return FitReport(
        artefact=artefact,
        n=len(y),
        positives=positives,
        folds=folds,
        auroc=auroc(oof.tolist(), y.tolist()),
        accuracy=float((flagged == (y == 1)).mean()),
        kappa=_kappa(flagged, y == 1),
        sensitivity=validation.sensitivity,
        specificity=validation.specificity,
        threshold=threshold,
    )
