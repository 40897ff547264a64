"""Fit the monitor on afscope's own corpus and write ``data/model.json``.

    python -m afscope.monitor._train [--per-recipe 160] [--seed 0] [--out PATH]

Candidate methods are compared by cross-validation on the corpus with whole recipe families held
out (GroupKFold), so a method is rewarded for generalising to styles it did not see; the best by
mean held-out-family AUROC is refitted on the whole corpus. Platt calibration and the threshold
(best F1) come from that method's out-of-fold scores. No evaluation set is read here. Needs
scikit-learn (the ``afscope[monitor]`` extra); loading the result does not.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import GroupKFold  # type: ignore[import-untyped]

from afscope.monitor._corpus import CorpusItem, build_corpus, corpus_sha256
from afscope.monitor._criteria import load_criteria
from afscope.monitor._extract import extract_reasoning
from afscope.monitor._features import TermConfig, analyze
from afscope.monitor._metrics import auroc

VERSION = "1.0.0"
_FOLDS = 5


@dataclass(frozen=True)
class Candidate:
    """One method to compare: which terms, whether criterion features are used, and C."""

    name: str
    terms: TermConfig | None
    criteria: bool
    c: float


CANDIDATES = [
    Candidate("words1-2", TermConfig(2), False, 1.0),
    Candidate("words1-2 C=4", TermConfig(2), False, 4.0),
    Candidate("words1-3", TermConfig(3), False, 1.0),
    Candidate("words1-2+chars3-5", TermConfig(2, (3, 5)), False, 1.0),
    Candidate("criteria only", None, True, 1.0),
    Candidate("words1-2+criteria", TermConfig(2), True, 1.0),
    Candidate("words1-2+criteria C=4", TermConfig(2), True, 4.0),
]


@dataclass
class Fitted:
    vectorizer: TfidfVectorizer | None
    classifier: LogisticRegression


def _matrix(cand: Candidate, vec: TfidfVectorizer | None, texts: list[str]) -> Any:
    blocks = []
    if vec is not None:
        blocks.append(vec.transform(texts))
    if cand.criteria:
        blocks.append(sparse.csr_matrix(load_criteria().features(texts)))
    return sparse.hstack(blocks).tocsr()


def fit(cand: Candidate, texts: list[str], labels: np.ndarray) -> Fitted:
    vec = None
    if cand.terms is not None:
        config = cand.terms
        vec = TfidfVectorizer(
            analyzer=lambda text: analyze(text, config),
            sublinear_tf=True,
            min_df=2,
            max_features=40000,
        )
        vec.fit(texts)
    clf = LogisticRegression(C=cand.c, max_iter=2000, class_weight="balanced")
    clf.fit(_matrix(cand, vec, texts), labels)
    return Fitted(vec, clf)


def decision(cand: Candidate, fitted: Fitted, texts: list[str]) -> np.ndarray:
    matrix = _matrix(cand, fitted.vectorizer, texts)
    result: np.ndarray = fitted.classifier.decision_function(matrix)
    return result


def cross_validate(
    cand: Candidate, texts: list[str], labels: np.ndarray, groups: list[str]
) -> tuple[float, np.ndarray]:
    """Mean held-out-family AUROC and the out-of-fold decision values."""
    oof = np.zeros(len(texts))
    aurocs = []
    for train, test in GroupKFold(n_splits=_FOLDS).split(texts, labels, groups):
        fitted = fit(cand, [texts[i] for i in train], labels[train])
        oof[test] = decision(cand, fitted, [texts[i] for i in test])
        if len(set(labels[test])) == 2:
            aurocs.append(auroc(oof[test].tolist(), labels[test].tolist()))
    return float(np.mean(aurocs)), oof


def calibrate(oof: np.ndarray, labels: np.ndarray) -> tuple[float, float, float]:
    """Platt scaling on out-of-fold decisions, and the probability threshold with the best F1."""
    platt = LogisticRegression(C=1e6).fit(oof.reshape(-1, 1), labels)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    probs = 1 / (1 + np.exp(-(a * oof + b)))
    best = (0.0, 0.5)
    for t in np.linspace(0.05, 0.95, 91):
        flagged = probs >= t
        tp = float((flagged & (labels == 1)).sum())
        f1 = 2 * tp / (flagged.sum() + (labels == 1).sum())
        best = max(best, (f1, round(float(t), 2)))
    return a, b, best[1]


def artefact(cand: Candidate, fitted: Fitted, calib: tuple[float, float, float],
             corpus: list[CorpusItem], meta: dict[str, Any]) -> dict[str, Any]:
    coef = fitted.classifier.coef_[0]
    vec = fitted.vectorizer
    n_terms = 0 if vec is None else len(vec.vocabulary_)
    vocabulary = [""] * n_terms
    if vec is not None:
        for term, column in vec.vocabulary_.items():
            vocabulary[column] = term
    crit = coef[n_terms:] if cand.criteria else np.zeros(5)
    return {
        "format": 1,
        "version": VERSION,
        "method": f"logistic regression over {cand.name} (C={cand.c}), Platt-calibrated",
        "terms": {
            "config": (cand.terms or TermConfig(1)).to_dict(),
            "vocabulary": vocabulary,
            "idf": [] if vec is None else [round(float(v), 6) for v in vec.idf_],
        },
        "term_weights": [round(float(v), 6) for v in coef[:n_terms]],
        "criteria_weights": [round(float(v), 6) for v in crit],
        "intercept": float(fitted.classifier.intercept_[0]),
        "calibration": {"a": calib[0], "b": calib[1]},
        "threshold": calib[2],
        "criteria_sha256": load_criteria().sha256,
        "corpus": {"sha256": corpus_sha256(corpus), "size": len(corpus), **meta},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-recipe", type=int, default=160)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "data" / "model.json")
    args = parser.parse_args(argv)

    corpus = build_corpus(per_recipe=args.per_recipe, seed=args.seed)
    texts = [extract_reasoning(item.text) for item in corpus]
    labels = np.asarray([item.label for item in corpus])
    groups = [item.family for item in corpus]
    print(f"corpus: {len(corpus)} scratchpads, {int(labels.sum())} alignment faking, "
          f"{len(set(groups))} families")

    results = []
    for cand in CANDIDATES:
        mean_auroc, oof = cross_validate(cand, texts, labels, groups)
        print(f"  {cand.name:28s} held-out-family AUROC {mean_auroc:.4f}")
        results.append((mean_auroc, cand, oof))
    _, best, oof = max(results, key=lambda r: r[0])
    calib = calibrate(oof, labels)
    print(f"chosen: {best.name}; Platt a={calib[0]:.3f} b={calib[1]:.3f}; threshold {calib[2]}")

    fitted = fit(best, texts, labels)
    meta = {
        "seed": args.seed,
        "per_recipe": args.per_recipe,
        "cv": {r[1].name: round(r[0], 4) for r in results},
    }
    args.out.write_text(json.dumps(artefact(best, fitted, calib, corpus, meta)) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
