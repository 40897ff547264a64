"""The monitor's TF-IDF terms: the integer-coded scoring path gives the string path's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from afscope.monitor import load_monitor
from afscope.monitor._corpus import build_corpus
from afscope.monitor._features import TermConfig, TfidfTerms, analyze
from afscope.monitor._model import split_sentences
from afscope.transcripts import read_reasoning

# texts the corpus has none of: curly quotes, non-ASCII letters (some lower-case to ASCII: the
# Kelvin sign), apostrophes, digits, long words, a word repeated, empty and tag-only texts
EDGES = [
    "",
    "   ",
    "<>",
    "a",
    "\u212a\u00e9vin don\u2019t won't 'quoted' RLHF-trained 2024",
    "I\u0307stanbul \u201cfree-tier\u201d" + " x" * 3,
    "supercalifragilisticexpialidocious " * 4,
    "aaaaaaa aaaaaaa modify modify modify my values",
]


def _reference(terms: TfidfTerms, texts: list[str], weights: np.ndarray) -> np.ndarray:
    return np.asarray(terms.transform(texts) @ weights).ravel()


def test_linear_scores_the_shipped_corpus_as_the_string_terms_do() -> None:
    model = load_monitor()._model
    reasoning = [read_reasoning(item.text).text for item in build_corpus()] + EDGES
    sentences = [s for text in reasoning[::10] for s in split_sentences(text)]
    for texts in (reasoning, sentences):
        expected = _reference(model.terms, texts, model.term_weights)
        assert np.abs(model.terms.linear(texts, model.term_weights) - expected).max() < 1e-9
    # one text at a time (as a run scores) gives the batch's numbers
    alone = [model.terms.linear([t], model.term_weights)[0] for t in reasoning[:200]]
    expected = _reference(model.terms, reasoning[:200], model.term_weights)
    assert np.abs(np.asarray(alone) - expected).max() < 1e-9


@pytest.mark.parametrize(
    "config", [TermConfig(1), TermConfig(2), TermConfig(3, (2, 4)), TermConfig(2, (3, 5))]
)
def test_linear_counts_every_kind_of_term_as_analyze_cuts_it(config: TermConfig) -> None:
    # a vocabulary of every term the texts hold, and some no text can make
    texts = ["the model will modify my values", "My values, my goals; the model's goals.", *EDGES]
    terms = sorted({t for text in texts for t in analyze(text, config)})
    terms += ["#\u00e9t\u00e9", "never seen", "#ab", "a  b", "#toolongforit"]
    rng = np.random.default_rng(0)
    vocabulary = TfidfTerms.from_lists(config, terms, rng.uniform(1, 3, len(terms)).tolist())
    weights = rng.normal(size=len(terms))
    got = vocabulary.linear(texts, weights)
    assert np.abs(got - _reference(vocabulary, texts, weights)).max() < 1e-12
    assert got[2] == 0.0  # the empty text has no term
