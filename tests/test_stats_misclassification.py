"""Misclassification-corrected rates (Rogan-Gladen) with the validation set's uncertainty."""

from __future__ import annotations

import pytest

from afscope.stats import NoBetterThanChance, Validation, corrected_rate


def test_point_estimate_is_rogan_gladen() -> None:
    # Se 0.9, Sp 0.8: 30% flagged means (0.3 + 0.8 - 1) / 0.7 = 1/7 truly positive
    validation = Validation(
        "textbook", true_positives=90, false_negatives=10, true_negatives=80, false_positives=20
    )
    result = corrected_rate(300, 1000, validation)
    assert result.raw.estimate == pytest.approx(0.3)
    assert result.corrected.estimate == pytest.approx(1 / 7)
    assert result.corrected.low < 1 / 7 < result.corrected.high
    assert result.validation.name == "textbook"


def test_false_positives_alone_are_corrected_to_zero_and_the_interval_reaches_it() -> None:
    # a classifier with 10% false positives flags 10% of a population with no positives
    validation = Validation(
        "fp10", true_positives=95, false_negatives=5, true_negatives=180, false_positives=20
    )
    result = corrected_rate(30, 300, validation)
    assert result.raw.low > 0.05  # the raw rate claims positives that are not there
    assert result.corrected.estimate == pytest.approx(0.0, abs=0.02)
    assert result.corrected.low == 0.0


def test_interval_grows_with_the_validation_sets_uncertainty() -> None:
    small = Validation("small", 9, 1, 8, 2)
    large = Validation("large", 900, 100, 800, 200)
    narrow = corrected_rate(300, 1000, large).corrected
    wide = corrected_rate(300, 1000, small).corrected
    assert wide.width > 2 * narrow.width
    assert narrow.width > corrected_rate(300, 1000, large).raw.width  # Se/Sp add error


def test_a_perfect_classifier_leaves_the_rate_alone() -> None:
    perfect = Validation("perfect", 5000, 0, 5000, 0)
    result = corrected_rate(120, 1000, perfect)
    assert result.corrected.estimate == pytest.approx(0.12)
    assert result.corrected.low == pytest.approx(result.raw.low, abs=0.01)
    assert result.corrected.high == pytest.approx(result.raw.high, abs=0.01)


def test_refuses_when_the_classifier_is_no_better_than_chance() -> None:
    coin = Validation("coin", 50, 50, 50, 50)
    with pytest.raises(NoBetterThanChance, match=r"'coin'.*not shown to beat chance"):
        corrected_rate(100, 200, coin)
    barely = Validation("barely", 6, 4, 6, 4)  # J = 0.2 on 20 samples is not evidence
    with pytest.raises(NoBetterThanChance):
        corrected_rate(100, 200, barely)


def test_validation_needs_both_classes_and_matching_lengths() -> None:
    with pytest.raises(ValueError, match="positives and negatives"):
        Validation("only positives", 10, 2, 0, 0)
    with pytest.raises(ValueError, match="3 decisions but 2 labels"):
        Validation.from_decisions("x", [True, False, True], [True, False])
    counts = Validation.from_decisions("x", [True, False, True, False], [True, True, False, False])
    assert (
        counts.true_positives,
        counts.false_negatives,
        counts.false_positives,
        counts.true_negatives,
    ) == (1, 1, 1, 1)


def test_json_form_names_the_validation_set() -> None:
    result = corrected_rate(30, 300, Validation("organism", 95, 5, 180, 20)).to_dict()
    assert result["validation"]["name"] == "organism"  # type: ignore[index]
    assert set(result) == {"raw", "corrected", "validation"}


def test_the_flag_floor_is_the_least_any_transcripts_are_flagged_at_those_error_rates() -> None:
    # 19 false alarms in 173 negatives, 1138 of 1292 positives caught (the shipped counts)
    validation = Validation("shipped", 1138, 154, 154, 19)
    floor = validation.flag_floor()
    # the least flagged rate over every true rate is the false-positive rate (0.110), and the
    # floor is the lower end of its Jeffreys 95% interval
    assert 0.06 < floor < 19 / 173
    # whatever the true AF rate, a run erring exactly as on the validation is flagged above it
    se, fpr = validation.sensitivity, 1 - validation.specificity
    assert all(p * se + (1 - p) * fpr > floor for p in (0.0, 0.1, 0.5, 0.9, 1.0))
    # a classifier that never raises a false alarm can flag almost nothing
    assert Validation("clean", 24, 2, 40, 0).flag_floor() < 0.001
    # more validation data, a tighter (higher) floor for the same rates
    assert Validation("large", 11380, 1540, 1540, 190).flag_floor() > floor
