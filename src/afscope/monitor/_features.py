"""Text features for the monitor, computed with plain numpy/scipy so the artefact needs no pickle.

Terms are lower-cased word n-grams (and optionally character n-grams inside words). Weights
follow the usual TF-IDF recipe: sublinear term frequency, times the fitted inverse document
frequency, rows scaled to unit length. Training fits the vocabulary and IDF (with scikit-learn);
the monitor stores both as JSON and applies them here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["TermConfig", "TfidfTerms", "analyze"]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class TermConfig:
    """Which terms a text is cut into."""

    word_ngrams: int = 2
    char_ngrams: tuple[int, int] | None = None  # (min, max) inside word boundaries, or None

    def to_dict(self) -> dict[str, object]:
        chars = list(self.char_ngrams) if self.char_ngrams else None
        return {"word_ngrams": self.word_ngrams, "char_ngrams": chars}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TermConfig:
        chars = data.get("char_ngrams")
        word = data.get("word_ngrams", 2)
        assert isinstance(word, int)
        if chars is None:
            return cls(word_ngrams=word)
        assert isinstance(chars, list) and len(chars) == 2
        return cls(word_ngrams=word, char_ngrams=(int(chars[0]), int(chars[1])))


def analyze(text: str, config: TermConfig) -> list[str]:
    """Cut ``text`` into the terms ``config`` asks for."""
    words = _WORD.findall(text.translate(_QUOTES).lower())
    terms = list(words)
    for n in range(2, config.word_ngrams + 1):
        terms.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    if config.char_ngrams:
        low, high = config.char_ngrams
        for word in set(words):
            padded = f"<{word}>"
            for n in range(low, high + 1):
                terms.extend("#" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return terms


@dataclass(frozen=True)
class TfidfTerms:
    """A fitted vocabulary with its IDF weights; turns texts into unit-length TF-IDF rows."""

    config: TermConfig
    index: Mapping[str, int]
    idf: np.ndarray

    @classmethod
    def from_lists(
        cls, config: TermConfig, terms: Sequence[str], idf: Sequence[float]
    ) -> TfidfTerms:
        if len(terms) != len(idf):
            raise ValueError(f"{len(terms)} terms but {len(idf)} idf weights")
        index = {term: column for column, term in enumerate(terms)}
        return cls(config=config, index=index, idf=np.asarray(idf, dtype=np.float64))

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """One unit-length TF-IDF row per text (all zeros for a text with no known term)."""
        indptr = [0]
        indices: list[int] = []
        values: list[float] = []
        for text in texts:
            counts = Counter(
                column
                for column in map(self.index.get, analyze(text, self.config))
                if column is not None
            )
            indices.extend(counts)
            values.extend(1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64)))
            indptr.append(len(indices))
        data = np.asarray(values, dtype=np.float64)
        cols = np.asarray(indices, dtype=np.int64)
        data *= self.idf[cols]
        matrix = sparse.csr_matrix(
            (data, cols, np.asarray(indptr)), shape=(len(texts), len(self.idf))
        )
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        result: sparse.csr_matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)
        return result
