"""Text features for the monitor, computed with plain numpy/scipy so the artefact needs no pickle.

Terms are lower-cased word n-grams (and optionally character n-grams inside words). Weights
follow the usual TF-IDF recipe: sublinear term frequency, times the fitted inverse document
frequency, rows scaled to unit length. Training fits the vocabulary and IDF (with scikit-learn);
the monitor stores both as JSON and applies them here.

:meth:`TfidfTerms.transform` is the definition (the terms as strings, as training cut them);
:meth:`TfidfTerms.linear`, what the monitor scores with, gives the same numbers without making
a string per term: words become integer ids, a word n-gram the ids' positional number, and a
character n-gram (at most 5 of 39 possible characters, 6 bits each) an exact integer, looked up
with ``searchsorted`` in the vocabulary's sorted codes. ``tests/test_monitor.py`` holds the two
to the same scores on the shipped corpus.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat

import numpy as np
from scipy import sparse

__all__ = ["TermConfig", "TfidfTerms", "analyze"]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
# every character a padded word ("<word>") can hold: _WORD matches ASCII only
_ALPHABET = "<>'0123456789abcdefghijklmnopqrstuvwxyz"
_BITS = 6  # 39 characters and 0 for none: a 5-gram is an exact 30-bit code
_CODES = np.zeros(256, dtype=np.int64)
_CODES[[ord(c) for c in _ALPHABET]] = np.arange(1, len(_ALPHABET) + 1)


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

    def linear(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """``transform(texts) @ weights``, one value per text, without building term strings
        or a sparse matrix (a third of the time on one scratchpad)."""
        codes = self._codes
        size = len(self.idf)
        rows, cols = codes.columns(texts, self.config)
        unique, counts = np.unique(rows * size + cols, return_counts=True)
        rows, cols = unique // size, unique % size
        values = (1.0 + np.log(counts)) * self.idf[cols]
        squares = np.bincount(rows, values * values, minlength=len(texts))
        dots = np.bincount(rows, values * weights[cols], minlength=len(texts))
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        result: np.ndarray = dots / norms
        return result

    @cached_property
    def _codes(self) -> _TermCodes:
        return _TermCodes.build(self.config, self.index)


@dataclass(frozen=True)
class _TermCodes:
    """The vocabulary as integer codes: what :meth:`TfidfTerms.linear` looks terms up in.

    ``word_ids`` numbers every word that appears in a word term (unknown words get
    ``len(word_ids)``); ``unigrams[id]`` is a word's column or -1; ``ngrams[n]`` holds the
    sorted codes of the n-word terms (``sum(id_k * W**(n-1-k))``, ``W = len(word_ids) + 1``) and
    their columns; ``chars`` the same for character n-grams (6 bits per character);
    ``word_chars`` the columns of each ``word_ids`` word's character n-grams, cut once here
    (starts, columns: word ``id``'s are ``columns[starts[id] : starts[id + 1]]``).
    """

    word_ids: Mapping[str, int]
    unigrams: np.ndarray
    ngrams: Mapping[int, tuple[np.ndarray, np.ndarray]]
    chars: tuple[np.ndarray, np.ndarray]
    word_chars: tuple[np.ndarray, np.ndarray]

    @classmethod
    def build(cls, config: TermConfig, index: Mapping[str, int]) -> _TermCodes:
        word_ids: dict[str, int] = {}
        word_terms: list[tuple[list[str], int]] = []
        char_terms: list[tuple[int, int]] = []
        low, high = config.char_ngrams or (0, -1)
        for term, column in index.items():
            if term.startswith("#"):
                gram = term[1:]
                # a term analyze() cannot make is never found, by either path
                if low <= len(gram) <= high and all(c in _ALPHABET for c in gram):
                    char_terms.append((_char_code(gram), column))
            else:
                words = term.split(" ")
                if len(words) <= config.word_ngrams:
                    word_terms.append((words, column))
                    for word in words:
                        word_ids.setdefault(word, len(word_ids))
        base = len(word_ids) + 1
        if base**config.word_ngrams >= 2**63:
            raise ValueError(f"{len(word_ids)} words: {config.word_ngrams}-grams overflow int64")
        unigrams = np.full(base, -1, dtype=np.int64)
        ngrams: dict[int, tuple[list[int], list[int]]] = {
            n: ([], []) for n in range(2, config.word_ngrams + 1)
        }
        for words, column in word_terms:
            if len(words) == 1:
                unigrams[word_ids[words[0]]] = column
            else:
                code = 0
                for word in words:
                    code = code * base + word_ids[word]
                ngrams[len(words)][0].append(code)
                ngrams[len(words)][1].append(column)
        chars = _sorted([c for c, _ in char_terms], [col for _, col in char_terms])
        if config.char_ngrams:
            words = [f"<{word}>" for word in word_ids]  # in id order
            rows, columns = _char_columns(words, config.char_ngrams, chars)
            order = np.argsort(rows, kind="stable")
            starts = np.zeros(len(words) + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows, minlength=len(words)), out=starts[1:])
            word_chars = (starts, columns[order])
        else:
            word_chars = (np.zeros(len(word_ids) + 1, dtype=np.int64), np.zeros(0, np.int64))
        return cls(
            word_ids=word_ids,
            unigrams=unigrams,
            ngrams={n: _sorted(codes, columns) for n, (codes, columns) in ngrams.items()},
            chars=chars,
            word_chars=word_chars,
        )

    def columns(self, texts: Sequence[str], config: TermConfig) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every known term occurrence in ``texts``, as ``analyze`` cuts them."""
        tokens = [_WORD.findall(text.translate(_QUOTES).lower()) for text in texts]
        unknown = len(self.word_ids)
        flat = list(chain.from_iterable(tokens))
        ids = np.fromiter(map(self.word_ids.get, flat, repeat(unknown)), np.int64, len(flat))
        word_rows = np.repeat(np.arange(len(texts)), [len(words) for words in tokens])
        columns = self.unigrams[ids]
        found = columns >= 0
        rows_out, cols_out = [word_rows[found]], [columns[found]]
        for n, (codes, grams) in self.ngrams.items():
            m = len(ids) - n + 1
            if m <= 0:
                continue
            valid = word_rows[:m] == word_rows[n - 1 :]
            code = np.zeros(m, dtype=np.int64)
            for k in range(n):
                part = ids[k : k + m]
                valid &= part < unknown
                code = code * (unknown + 1) + part
            row, column = _lookup(code[valid], codes, grams)
            rows_out.append(word_rows[:m][valid][row])
            cols_out.append(column)
        if config.char_ngrams:
            # a word's character n-grams are those of "<word>" alone: a vocabulary word's come
            # from the table, the other words' are cut here, each word once per text
            base = unknown + 1
            known = ids < unknown
            pairs = np.unique(word_rows[known] * base + ids[known])
            rows, cols = _gather(self.word_chars, pairs // base, pairs % base)
            rows_out.append(rows)
            cols_out.append(cols)
            pieces = [
                "".join(f"<{word}>" for word in dict.fromkeys(words) if word not in self.word_ids)
                for words in tokens
            ]
            rows, cols = _char_columns(pieces, config.char_ngrams, self.chars)
            rows_out.append(rows)
            cols_out.append(cols)
        return np.concatenate(rows_out), np.concatenate(cols_out)


def _char_columns(
    pieces: list[str], sizes: tuple[int, int], chars: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """(piece, column) of every known character n-gram in ``pieces``, each a run of padded
    words ("<a><b>"), n-grams inside one word only."""
    text = np.frombuffer("".join(pieces).encode("ascii"), dtype=np.uint8)
    if not len(text):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    char_rows = np.repeat(np.arange(len(pieces)), [len(piece) for piece in pieces])
    word_of = np.cumsum(text == ord("<"))  # which padded word each character is in
    values = _CODES[text]
    codes_in: list[np.ndarray] = []
    rows_in: list[np.ndarray] = []
    for n in range(sizes[0], sizes[1] + 1):
        m = len(values) - n + 1
        if m <= 0:
            continue
        code = values[:m].copy()
        for k in range(1, n):
            code = (code << _BITS) | values[k : k + m]
        inside = word_of[:m] == word_of[n - 1 :]
        codes_in.append(code[inside])
        rows_in.append(char_rows[:m][inside])
    if not codes_in:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # one search for every length: an n-gram's code has 6n bits
    row, column = _lookup(np.concatenate(codes_in), *chars)
    return np.concatenate(rows_in)[row], column


def _gather(
    table: tuple[np.ndarray, np.ndarray], rows: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every column ``table`` lists for each key: ``table`` is (starts,
    columns), key ``k``'s columns being ``columns[starts[k] : starts[k + 1]]``."""
    starts, columns = table
    first = starts[keys]
    lengths = starts[keys + 1] - first
    ends = np.cumsum(lengths)
    at = np.repeat(first - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)
    return np.repeat(rows, lengths), columns[at]


def _char_code(gram: str) -> int:
    code = 0
    for char in gram:
        code = (code << _BITS) | (_ALPHABET.index(char) + 1)
    return code


def _sorted(codes: list[int], columns: list[int]) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
    return (
        np.asarray(codes, dtype=np.int64)[order],
        np.asarray(columns, dtype=np.int64)[order],
    )


def _lookup(
    codes: np.ndarray, vocabulary: np.ndarray, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(positions in ``codes``, their columns) of the codes that are in the sorted
    ``vocabulary``, in no particular order.

    The codes are sorted before the binary search: numpy's search then walks the vocabulary
    in order, which takes a third of the time of searching the text's order (hits out of cache)
    even with the sort counted."""
    if not len(vocabulary):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(codes)
    codes = codes[order]
    at = np.minimum(np.searchsorted(vocabulary, codes), len(vocabulary) - 1)
    hit = np.flatnonzero(vocabulary[at] == codes)
    return order[hit], columns[at[hit]]
