"""Fit the monitor on afscope's corpus and other people's labelled sets; write ``data/model.json``.

    python -m afscope.monitor._train [--per-recipe 160] [--seed 0] [--shared DIR] [--out PATH]

The sources are afscope's own generated corpus and every labelled set in ``--shared`` (default
``../shared/data/af_labelled`` beside the repository; its rows are read at training time and are
never bundled: the artefact holds only terms and weights). Candidate methods are compared by
leave-one-source-out cross-validation: train on all sources but one, score the one left out. The
best by mean left-out AUROC over the sources that hold both classes is refitted on everything.
Platt calibration and the threshold (best F1) come from its pooled left-out scores. Needs
scikit-learn (the ``afscope[monitor]`` extra); loading the result does not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from afscope.monitor._corpus import CorpusItem, build_corpus, corpus_sha256
from afscope.monitor._criteria import load_criteria
from afscope.monitor._features import TermConfig, analyze
from afscope.monitor._io import iter_labelled
from afscope.monitor._metrics import auroc
from afscope.transcripts import read_reasoning

VERSION = "2.0.0"
OWN_SOURCE = "afscope-corpus"
DEFAULT_SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "af_labelled"


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
    Candidate("words1-2+chars3-5", TermConfig(2, (3, 5)), False, 1.0),
    Candidate("criteria only", None, True, 1.0),
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


@dataclass(frozen=True)
class SourceFigure:
    """How a method trained without ``source`` does on it."""

    source: str
    n: int
    positives: int
    auroc: float | None  # None when the source holds one class only
    recall_at_half: float  # flagged share of positives at probability 0.5 (uncalibrated)


def cross_validate_sources(
    cand: Candidate, texts: list[str], labels: np.ndarray, sources: list[str]
) -> tuple[list[SourceFigure], np.ndarray]:
    """Leave-one-source-out figures and the left-out decision values of every text."""
    oof = np.zeros(len(texts))
    table = []
    source_array = np.asarray(sources)
    for source in sorted(set(sources)):
        test = np.flatnonzero(source_array == source)
        train = np.flatnonzero(source_array != source)
        fitted = fit(cand, [texts[i] for i in train], labels[train])
        oof[test] = decision(cand, fitted, [texts[i] for i in test])
        y = labels[test]
        both = 0 < y.sum() < len(y)
        table.append(
            SourceFigure(
                source=source,
                n=len(test),
                positives=int(y.sum()),
                auroc=auroc(oof[test].tolist(), y.tolist()) if both else None,
                recall_at_half=float((oof[test][y == 1] > 0).mean()) if y.any() else 0.0,
            )
        )
    return table, oof


def mean_auroc(table: list[SourceFigure]) -> float:
    return float(np.mean([row.auroc for row in table if row.auroc is not None]))


def shared_items(directory: Path) -> list[CorpusItem]:
    """Every labelled set in ``directory`` as corpus items whose family is the set's name."""
    if not directory.is_dir():
        raise SystemExit(f"{directory}: no labelled sets there; pass --shared DIR")
    items = []
    for path in sorted(directory.glob("*.json")):
        for record in iter_labelled(path):
            items.append(CorpusItem(record.text, record.label, path.stem, path.stem))
    return items


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


def validation_table(
    oof: np.ndarray, labels: np.ndarray, sources: list[str], calib: tuple[float, float, float]
) -> dict[str, Any]:
    """The chosen model's confusion counts per source at its threshold, each source scored by the
    model trained without it (the calibration and threshold come from all left-out scores)."""
    a, b, threshold = calib
    flagged = 1 / (1 + np.exp(-(a * oof + b))) >= threshold
    source_array = np.asarray(sources)
    rows = []
    for source in sorted(set(sources)):
        own = source_array == source
        y, f = labels[own] == 1, flagged[own]
        rows.append(
            {
                "source": source,
                "true_positives": int((f & y).sum()),
                "false_negatives": int((~f & y).sum()),
                "true_negatives": int((~f & ~y).sum()),
                "false_positives": int((f & ~y).sum()),
            }
        )
    return {
        "format": 1,
        "monitor_version": VERSION,
        "threshold": threshold,
        "method": "leave-one-source-out cross-validation",
        "sources": rows,
    }


def artefact(
    cand: Candidate,
    fitted: Fitted,
    calib: tuple[float, float, float],
    corpus: list[CorpusItem],
    meta: dict[str, Any],
) -> dict[str, Any]:
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
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "model.json")
    parser.add_argument(
        "--validation-out", type=Path, default=Path(__file__).parent / "data" / "validation.json"
    )
    args = parser.parse_args(argv)

    own = build_corpus(per_recipe=args.per_recipe, seed=args.seed)
    corpus = own + shared_items(args.shared)
    texts = [read_reasoning(item.text).text for item in corpus]
    labels = np.asarray([item.label for item in corpus])
    sources = [OWN_SOURCE] * len(own) + [item.family for item in corpus[len(own) :]]
    print(
        f"{len(corpus)} scratchpads, {int(labels.sum())} alignment faking, "
        f"{len(set(sources))} sources"
    )

    results = []
    for cand in CANDIDATES:
        table, oof = cross_validate_sources(cand, texts, labels, sources)
        print(f"  {cand.name:20s} mean left-out AUROC {mean_auroc(table):.4f}")
        for row in table:
            shown = "-" if row.auroc is None else f"{row.auroc:.3f}"
            print(
                f"      {row.source:28s} n={row.n:5d} AF={row.positives:5d} "
                f"AUROC {shown:>5s} recall@0.5 {row.recall_at_half:.3f}"
            )
        results.append((mean_auroc(table), cand, oof, table))
    _, best, oof, _ = max(results, key=lambda r: r[0])
    calib = calibrate(oof, labels)
    print(f"chosen: {best.name}; Platt a={calib[0]:.3f} b={calib[1]:.3f}; threshold {calib[2]}")

    fitted = fit(best, texts, labels)
    meta = {
        "seed": args.seed,
        "per_recipe": args.per_recipe,
        "sources": {source: sources.count(source) for source in sorted(set(sources))},
        "leave_one_source_out": {
            r[1].name: [
                {
                    "source": row.source,
                    "auroc": None if row.auroc is None else round(row.auroc, 4),
                    "recall_at_half": round(row.recall_at_half, 4),
                }
                for row in r[3]
            ]
            for r in results
        },
    }
    raw = json.dumps(artefact(best, fitted, calib, corpus, meta)) + "\n"
    args.out.write_text(raw)
    counts = validation_table(oof, labels, sources, calib)
    counts["artefact_sha256"] = hashlib.sha256(raw.encode()).hexdigest()
    args.validation_out.write_text(json.dumps(counts, indent=1) + "\n")
    print(f"wrote {args.out} and {args.validation_out}")


if __name__ == "__main__":
    main()
