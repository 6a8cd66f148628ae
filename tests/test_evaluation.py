"""Tests for course_utils.evaluation (generated from notebook 08): every metric against sklearn.

hypothesis is not installed, so random cases come from seeded loops (``_cases``), including
small inputs where edge cases (no positive predictions, a single class) occur often.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn import calibration as skcal
from sklearn import metrics as sk

from course_utils import evaluation

ZERO_DIVISIONS = (0.0, 1.0, np.nan)


def _cases(n_cases: int = 40, num_classes: int = 2, seed: int = 0):
    """Seeded random (y_true, y_pred) pairs of varied length, many tiny ones."""
    rng = np.random.default_rng(seed)
    for i in range(n_cases):
        n = int(rng.integers(1, 6)) if i % 3 == 0 else int(rng.integers(6, 200))
        y_true = rng.integers(0, num_classes, n)
        y_pred = rng.integers(0, num_classes, n)
        if i % 5 == 0:
            y_pred = np.zeros(n, dtype=int)  # no positive predictions
        if i % 7 == 0:
            y_true = np.full(n, i % num_classes)  # a single class
        yield y_true, y_pred


def _score_cases(n_cases: int = 60, seed: int = 1):
    """Seeded random (y_true, scores) with both classes present, with and without ties."""
    rng = np.random.default_rng(seed)
    for i in range(n_cases):
        n = int(rng.integers(2, 300))
        y_true = rng.integers(0, 2, n)
        y_true[0], y_true[-1] = 0, 1
        signal = y_true * rng.uniform(0, 3)
        scores = 1 / (1 + np.exp(-(rng.normal(size=n) + signal)))
        if i % 2:
            scores = np.round(scores, 1)  # many ties
        yield y_true, scores


def _nan_equal(a, b) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), equal_nan=True)


@pytest.fixture(autouse=True)
def _quiet_sklearn():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --------------------------------------------------------------------------- counting metrics
def test_confusion_matrix_matches_sklearn_binary_and_multiclass():
    for num_classes in (2, 3, 7):
        for y_true, y_pred in _cases(num_classes=num_classes, seed=num_classes):
            np.testing.assert_array_equal(
                evaluation.confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred)
            )


def test_confusion_matrix_with_labels_and_strings():
    y_true = np.array(["cat", "dog", "dog", "bird", "cat"])
    y_pred = np.array(["dog", "dog", "cat", "bird", "cat"])
    labels = ["dog", "cat", "bird", "fish"]
    np.testing.assert_array_equal(
        evaluation.confusion_matrix(y_true, y_pred, labels=labels),
        sk.confusion_matrix(y_true, y_pred, labels=labels),
    )
    np.testing.assert_array_equal(
        evaluation.confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred)
    )


def test_confusion_counts_layout():
    counts = evaluation.confusion_counts([0, 1, 1, 0, 1], [0, 1, 0, 1, 1])
    assert counts == {"tp": 2, "fp": 1, "fn": 1, "tn": 1}
    tn, fp, fn, tp = sk.confusion_matrix([0, 1, 1, 0, 1], [0, 1, 0, 1, 1]).ravel()
    assert (tn, fp, fn, tp) == (counts["tn"], counts["fp"], counts["fn"], counts["tp"])
    # Only one class present: the matrix still has all four cells.
    assert evaluation.confusion_counts([1, 1], [1, 1]) == {"tp": 2, "fp": 0, "fn": 0, "tn": 0}


def test_accuracy_matches_sklearn():
    for num_classes in (2, 5):
        for y_true, y_pred in _cases(num_classes=num_classes):
            assert evaluation.accuracy(y_true, y_pred) == pytest.approx(
                sk.accuracy_score(y_true, y_pred)
            )


@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS)
def test_binary_precision_recall_f1_fbeta_match_sklearn(zero_division):
    for y_true, y_pred in _cases(seed=3):
        kw = {"zero_division": zero_division}
        assert _nan_equal(
            evaluation.precision(y_true, y_pred, **kw), sk.precision_score(y_true, y_pred, **kw)
        )
        assert _nan_equal(
            evaluation.recall(y_true, y_pred, **kw), sk.recall_score(y_true, y_pred, **kw)
        )
        assert _nan_equal(evaluation.f1(y_true, y_pred, **kw), sk.f1_score(y_true, y_pred, **kw))
        for beta in (0.0, 0.5, 2.0):
            assert _nan_equal(
                evaluation.fbeta(y_true, y_pred, beta=beta, **kw),
                sk.fbeta_score(y_true, y_pred, beta=beta, **kw),
            )


@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS)
def test_specificity_is_recall_of_the_negative_class(zero_division):
    for y_true, y_pred in _cases(seed=4):
        expected = sk.recall_score(y_true, y_pred, pos_label=0, zero_division=zero_division)
        assert _nan_equal(
            evaluation.specificity(y_true, y_pred, zero_division=zero_division), expected
        )


def test_seed_example_gives_one_half_everywhere():
    y_true, y_pred = [0, 1, 1, 0], [0, 1, 0, 1]
    assert evaluation.confusion_counts(y_true, y_pred) == {"tp": 1, "fp": 1, "fn": 1, "tn": 1}
    metrics = (
        evaluation.accuracy,
        evaluation.precision,
        evaluation.recall,
        evaluation.f1,
        evaluation.specificity,
    )
    assert [metric(y_true, y_pred) for metric in metrics] == [0.5] * 5


def test_bool_labels_work_like_ints():
    y_true, y_pred = np.array([True, False, True]), np.array([True, True, False])
    assert evaluation.f1(y_true, y_pred) == pytest.approx(sk.f1_score(y_true, y_pred))


def test_divide_returns_zero_division_for_zero_denominators():
    assert evaluation.divide(1, 2) == 0.5 and evaluation.divide(0, 0) == 0.0
    assert math.isnan(evaluation.divide(0, 0, np.nan))
    np.testing.assert_array_equal(evaluation.divide([1, 0, 3], [2, 0, 0], 1.0), [0.5, 1.0, 1.0])


# --------------------------------------------------------------------------- many classes
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS)
def test_multiclass_averaging_matches_sklearn(average, zero_division):
    for y_true, y_pred in _cases(n_cases=40, num_classes=4, seed=5):
        ours = evaluation.average_scores(
            y_true, y_pred, average, beta=2.0, zero_division=zero_division
        )
        theirs = sk.precision_recall_fscore_support(
            y_true, y_pred, beta=2.0, average=average, zero_division=zero_division
        )
        for a, b in zip(ours, theirs[:3], strict=True):
            assert _nan_equal(a, b), (average, y_true, y_pred)


@pytest.mark.parametrize("average", ["micro", "macro", "weighted"])
def test_averaging_with_a_subset_of_labels_matches_sklearn(average):
    for y_true, y_pred in _cases(n_cases=30, num_classes=5, seed=6):
        labels = [0, 2, 4]
        ours = evaluation.average_scores(y_true, y_pred, average, labels)
        theirs = sk.precision_recall_fscore_support(y_true, y_pred, average=average, labels=labels)
        for a, b in zip(ours, theirs[:3], strict=True):
            assert _nan_equal(a, b)


def test_micro_average_equals_accuracy_with_all_classes():
    rng = np.random.default_rng(7)
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    scores = evaluation.average_scores(y_true, y_pred, "micro")
    assert scores == pytest.approx([evaluation.accuracy(y_true, y_pred)] * 3)


def test_per_class_report_matches_sklearn_classification_report():
    rng = np.random.default_rng(8)
    y_true, y_pred = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    ours = evaluation.per_class_report(y_true, y_pred)
    theirs = sk.classification_report(y_true, y_pred, output_dict=True, zero_division=0.0)
    assert list(ours) == ["0", "1", "2", "3", "macro avg", "weighted avg", "micro avg"]
    for name in ("0", "1", "2", "3", "macro avg", "weighted avg"):
        precision, recall, f1, support = ours[name]
        assert precision == pytest.approx(theirs[name]["precision"])
        assert recall == pytest.approx(theirs[name]["recall"])
        assert f1 == pytest.approx(theirs[name]["f1-score"])
        assert support == theirs[name]["support"]
    assert ours["micro avg"][:3] == pytest.approx([theirs["accuracy"]] * 3)


# --------------------------------------------------------------------------- ranking metrics
def test_roc_curve_and_auc_match_sklearn():
    for y_true, scores in _score_cases():
        fpr, tpr, thresholds = evaluation.roc_curve(y_true, scores)
        sk_fpr, sk_tpr, sk_thr = sk.roc_curve(y_true, scores, drop_intermediate=False)
        np.testing.assert_allclose(fpr, sk_fpr)
        np.testing.assert_allclose(tpr, sk_tpr)
        np.testing.assert_allclose(thresholds, sk_thr)
        assert evaluation.roc_auc(y_true, scores) == pytest.approx(sk.roc_auc_score(y_true, scores))


def test_auc_is_the_probability_a_positive_outranks_a_negative():
    for y_true, scores in _score_cases(n_cases=10, seed=9):
        pos, neg = scores[y_true == 1], scores[y_true == 0]
        pairs = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        assert evaluation.roc_auc(y_true, scores) == pytest.approx(pairs.mean())


def test_precision_recall_curve_and_average_precision_match_sklearn():
    for y_true, scores in _score_cases(seed=2):
        ours = evaluation.precision_recall_curve(y_true, scores)
        theirs = sk.precision_recall_curve(y_true, scores)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b)
        assert evaluation.average_precision(y_true, scores) == pytest.approx(
            sk.average_precision_score(y_true, scores)
        )


def test_ranking_metrics_accept_logits_and_all_positive_ap():
    y_true, logits = np.array([0, 1, 1, 0, 1]), np.array([-3.0, 2.5, 0.1, 0.4, 7.0])
    assert evaluation.roc_auc(y_true, logits) == pytest.approx(sk.roc_auc_score(y_true, logits))
    assert evaluation.average_precision([1, 1, 1], [0.2, 0.5, 0.9]) == pytest.approx(
        sk.average_precision_score([1, 1, 1], [0.2, 0.5, 0.9])
    )


def test_single_class_ranking_metrics_raise():
    for call in (
        lambda: evaluation.roc_auc([0, 0, 0], [0.1, 0.5, 0.9]),
        lambda: evaluation.roc_curve([1, 1], [0.1, 0.5]),
    ):
        with pytest.raises(ValueError, match="both classes"):
            call()
    with pytest.raises(ValueError, match="at least one positive"):
        evaluation.average_precision([0, 0], [0.1, 0.5])
    # sklearn agrees it is undefined: it warns and returns nan
    assert math.isnan(sk.roc_auc_score([0, 0, 0], [0.1, 0.5, 0.9]))


# --------------------------------------------------------------------------- uncertainty and calibration
def test_bootstrap_ci_contains_estimate_and_agrees_with_scipy():
    from scipy import stats

    rng = np.random.default_rng(10)
    y_true = rng.integers(0, 2, 400)
    y_pred = np.where(rng.random(400) < 0.8, y_true, 1 - y_true)
    estimate, low, high = evaluation.bootstrap_ci(
        y_true, y_pred, evaluation.accuracy, n_resamples=2000, seed=1
    )
    assert low <= estimate <= high
    assert estimate == pytest.approx(sk.accuracy_score(y_true, y_pred))
    reference = stats.bootstrap(
        ((y_true == y_pred).astype(float),), np.mean, n_resamples=2000, method="percentile", rng=2
    ).confidence_interval
    assert low == pytest.approx(reference.low, abs=0.01)
    assert high == pytest.approx(reference.high, abs=0.01)
    # Normal approximation of a proportion: half-width about 1.96 * sqrt(p (1 - p) / n).
    half_width = 1.96 * math.sqrt(estimate * (1 - estimate) / 400)
    assert (high - low) / 2 == pytest.approx(half_width, rel=0.15)


def test_bootstrap_ci_is_reproducible_and_takes_any_metric():
    rng = np.random.default_rng(11)
    y_true = rng.integers(0, 2, 200)
    scores = np.clip(y_true * 0.3 + rng.random(200) * 0.7, 0, 1)
    a = evaluation.bootstrap_ci(y_true, scores, evaluation.roc_auc, n_resamples=200, seed=5)
    b = evaluation.bootstrap_ci(y_true, scores, evaluation.roc_auc, n_resamples=200, seed=5)
    assert a == b
    assert a[0] == pytest.approx(sk.roc_auc_score(y_true, scores))
    assert a[1] < a[0] < a[2]


def test_bootstrap_ci_of_four_examples_is_wide():
    _, low, high = evaluation.bootstrap_ci(
        [0, 1, 1, 0], [0, 1, 0, 1], evaluation.accuracy, n_resamples=2000, seed=0
    )
    assert low <= 0.25 and high >= 0.75


@pytest.mark.parametrize("n_bins", [1, 5, 10])
def test_calibration_bins_match_sklearn(n_bins):
    rng = np.random.default_rng(12)
    probs = rng.random(500) ** 2
    probs[:5] = [0.0, 1.0, 0.1, 0.2, 0.5]  # values on bin edges
    y_true = (rng.random(500) < probs).astype(int)
    bins = evaluation.calibration_bins(y_true, probs, n_bins=n_bins)
    prob_true, prob_pred = skcal.calibration_curve(y_true, probs, n_bins=n_bins)
    full = bins["count"] > 0
    np.testing.assert_allclose(bins["fraction_positive"][full], prob_true)
    np.testing.assert_allclose(bins["mean_predicted"][full], prob_pred)
    assert bins["count"].sum() == 500 and np.all(np.isnan(bins["mean_predicted"][~full]))


def test_expected_calibration_error_and_brier():
    # Hand-computed: bin (0, 0.5] holds 0.2, 0.2 with 1 positive -> |0.5 - 0.2| = 0.3;
    # bin (0.5, 1] holds 0.9, 0.9 with 2 positives -> |1.0 - 0.9| = 0.1; ECE = (0.3 + 0.1) / 2.
    y_true, probs = [0, 1, 1, 1], [0.2, 0.2, 0.9, 0.9]
    assert evaluation.expected_calibration_error(y_true, probs, n_bins=2) == pytest.approx(0.2)
    rng = np.random.default_rng(13)
    probs = rng.random(20000)
    calibrated = (rng.random(20000) < probs).astype(int)
    assert evaluation.expected_calibration_error(calibrated, probs) < 0.02
    overconfident = np.where(probs > 0.5, 1.0, 0.0)
    assert evaluation.expected_calibration_error(calibrated, overconfident) > 0.2
    assert evaluation.brier_score(calibrated, probs) == pytest.approx(
        sk.brier_score_loss(calibrated, probs)
    )


# --------------------------------------------------------------------------- thresholds and cost
def _brute_force_costs(y_true, scores, cost_fp, cost_fn):
    candidates = np.r_[np.inf, np.unique(scores)[::-1]]
    costs = []
    for t in candidates:  # plain counting, independent of the code under test
        flagged = scores >= t
        fp, fn = np.sum(flagged & (y_true == 0)), np.sum(~flagged & (y_true == 1))
        costs.append((cost_fp * fp + cost_fn * fn) / len(y_true))
    return candidates, np.array(costs)


def test_predict_at_flags_scores_at_or_above_the_threshold():
    np.testing.assert_array_equal(evaluation.predict_at([0.2, 0.5, 0.7], 0.5), [0, 1, 1])
    np.testing.assert_array_equal(evaluation.predict_at([0.2, 0.5], np.inf), [0, 0])


def test_expected_cost_and_minimising_threshold_match_brute_force():
    for i, (y_true, scores) in enumerate(_score_cases(n_cases=15, seed=14)):
        cost_fp, cost_fn = [(1, 1), (1, 10), (5, 1), (0, 1), (1, 0)][i % 5]
        candidates, costs = _brute_force_costs(y_true, scores, cost_fp, cost_fn)
        for t, c in zip(candidates[::7], costs[::7], strict=True):
            assert evaluation.expected_cost(
                y_true, scores, t, cost_fp=cost_fp, cost_fn=cost_fn
            ) == pytest.approx(c)
        threshold, cost = evaluation.cost_minimising_threshold(
            y_true, scores, cost_fp=cost_fp, cost_fn=cost_fn
        )
        assert cost == pytest.approx(costs.min())
        assert threshold == candidates[np.argmin(costs)]  # highest threshold among ties


def test_cost_minimising_threshold_extremes():
    y_true, scores = np.array([0, 0, 1, 1]), np.array([0.1, 0.6, 0.4, 0.9])
    # Misses are free: flag nothing.
    assert evaluation.cost_minimising_threshold(y_true, scores, cost_fp=1, cost_fn=0) == (
        math.inf,
        0.0,
    )
    # False alarms are free: flag everything.
    assert evaluation.cost_minimising_threshold(y_true, scores, cost_fp=0, cost_fn=1) == (
        0.4,
        0.0,
    )


def test_threshold_for_recall_is_highest_threshold_meeting_target():
    for y_true, scores in _score_cases(n_cases=30, seed=15):
        for target in (0.5, 0.8, 0.95, 1.0):
            threshold = evaluation.threshold_for_recall(y_true, scores, target)
            assert sk.recall_score(y_true, scores >= threshold) >= target - 1e-12
            higher = scores[scores > threshold]
            if higher.size:  # the next score up no longer meets the target
                assert sk.recall_score(y_true, scores >= higher.min()) < target


def test_threshold_report_matches_sklearn():
    for i, (y_true, scores) in enumerate(_score_cases(n_cases=20, seed=16)):
        threshold = [0.0, 0.3, 0.5, 0.77, 1.0, 1.5][i % 6]
        report = evaluation.threshold_report(y_true, scores, threshold, cost_fp=2.0, cost_fn=5.0)
        pred = (scores >= threshold).astype(int)
        tn, fp, fn, tp = sk.confusion_matrix(y_true, pred, labels=[0, 1]).ravel()
        assert (report["tn"], report["fp"], report["fn"], report["tp"]) == (tn, fp, fn, tp)
        assert report["precision"] == pytest.approx(
            sk.precision_score(y_true, pred, zero_division=0.0)
        )
        assert report["recall"] == pytest.approx(sk.recall_score(y_true, pred))
        assert report["f1"] == pytest.approx(sk.f1_score(y_true, pred, zero_division=0.0))
        assert report["cost_per_example"] == pytest.approx((2.0 * fp + 5.0 * fn) / len(y_true))
        assert report["best_cost_per_example"] <= report["cost_per_example"] + 1e-12
        assert (report["threshold"], report["cost_fp"], report["cost_fn"]) == (threshold, 2.0, 5.0)
        fpr, tpr, _ = sk.roc_curve(y_true, scores, drop_intermediate=False)
        assert any(np.isclose(fpr, report["fpr"]) & np.isclose(tpr, report["recall"]))


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: evaluation.accuracy([], []), "non-empty"),
        (lambda: evaluation.precision([], []), "non-empty"),
        (lambda: evaluation.accuracy([0, 1], [0, 1, 1]), r"shapes \(2,\) and \(3,\)"),
        (lambda: evaluation.roc_auc([0, 1], [0.2]), r"shapes \(2,\) and \(1,\)"),
        (lambda: evaluation.accuracy(np.zeros((3, 2)), np.zeros((3, 2))), "1-D"),
        (lambda: evaluation.accuracy(None, [1]), "1-D"),
        (lambda: evaluation.precision([0, 1, 2], [0, 1, 1]), "binary labels 0 and 1"),
        (lambda: evaluation.recall(["spam", "ham"], ["spam", "spam"]), "binary labels"),
        (lambda: evaluation.confusion_counts([0, 1], [0.5, 1]), "y_pred must hold the binary"),
        (lambda: evaluation.calibration_bins([0, 1], [0.2, 1.3]), r"\[0, 1\]"),
        (lambda: evaluation.brier_score([0, 1], [-0.1, 0.9]), r"\[0, 1\]"),
        (lambda: evaluation.roc_auc([0, 1], [0.2, np.nan]), "NaN"),
        (lambda: evaluation.roc_auc([0, 1], ["a", "b"]), "numbers"),
        (lambda: evaluation.average_scores([0, 1], [0, 1], "mean"), "average"),
        (
            lambda: evaluation.expected_cost([0, 1], [0.2, 0.8], 0.5, cost_fp=-1, cost_fn=1),
            ">= 0",
        ),
        (
            lambda: evaluation.cost_minimising_threshold([0, 1], [0.2, 0.8], cost_fp=0, cost_fn=0),
            "not both 0",
        ),
        (lambda: evaluation.threshold_for_recall([0, 1], [0.2, 0.8], 1.5), "target_recall"),
        (lambda: evaluation.threshold_for_recall([0, 0], [0.2, 0.8], 0.5), "positive"),
        (
            lambda: evaluation.bootstrap_ci([0, 1], [0, 1], evaluation.accuracy, n_resamples=3),
            "n_resamples",
        ),
        (
            lambda: evaluation.bootstrap_ci([0, 1], [0, 1], evaluation.accuracy, confidence=95),
            "confidence",
        ),
    ],
)
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mixed_label_types_and_negative_beta_are_refused():
    with pytest.raises(ValueError, match="same type"):
        evaluation.accuracy(["0", "1", "1"], [0, 1, 1])
    with pytest.raises(ValueError, match="same type"):
        evaluation.confusion_matrix([0, 1, 1], ["0", "1", "1"])
    with pytest.raises(ValueError, match="beta must be >= 0"):
        evaluation.fbeta([0, 1], [0, 1], beta=-1.0)
    assert evaluation.accuracy(["a", "b"], ["a", "a"]) == 0.5  # text on both sides is fine
