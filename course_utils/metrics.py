"""Classification metrics written from scratch with NumPy (notebook 06).

Writing these by hand is the lesson: every function here is checked against
``sklearn.metrics`` in ``tests/test_metrics.py``. In your own projects, use scikit-learn.

Conventions (the same as scikit-learn's, so the numbers match):

* Labels are 1-D arrays. Binary metrics need labels 0 (negative) and 1 (positive); ``bool``
  works too. Multi-class labels can be any integers or strings.
* A confusion matrix has the **true** class in rows and the **predicted** class in columns,
  classes in sorted order. For binary labels that is ``[[TN, FP], [FN, TP]]``.
* Scores are real numbers, higher meaning "more likely positive"; the model predicts positive
  when ``score >= threshold``. Calibration functions need probabilities in [0, 1].

Edge cases, defined once here:

* **Undefined ratios.** Precision with no positive predictions (TP + FP = 0), recall with no
  positive labels (TP + FN = 0), specificity with no negative labels and F-beta with
  TP = FP = FN = 0 are 0/0. They return ``zero_division`` (default 0.0; 1.0 or ``nan`` also
  allowed), scikit-learn's ``zero_division`` convention (it also warns; these functions don't).
* **Single class.** Counting metrics work. ROC needs both classes and the precision-recall
  curve needs at least one positive: they raise ``ValueError`` (scikit-learn warns and returns
  ``nan`` or ``nan``-filled/constant arrays, which are easy to miss).
* **Bad input.** Empty input, different lengths, arrays that are not 1-D, labels other than
  0/1 where a binary metric is asked for, non-finite scores and probabilities outside [0, 1]
  raise ``ValueError`` saying what to pass instead.

The module also holds the quick models the notebook trains (a TF-IDF + logistic-regression
spam filter and a small Keras multilayer perceptron for digits), the threshold/cost logic behind
the notebook's widget, plotting helpers and the exercise checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import checks

AVERAGES = ("binary", "micro", "macro", "weighted", None)


# --------------------------------------------------------------------------- input checks
def _as_1d(values: Any, name: str) -> np.ndarray:
    """Return ``values`` as a non-empty 1-D array (an ``(n, 1)`` column is flattened)."""
    if values is None:
        raise ValueError(f"{name} is None; pass a 1-D array or list.")
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one value per example), got shape {arr.shape}. For class "
            "probabilities of shape (n, k), pass probabilities.argmax(axis=1) as predictions."
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a metric needs at least one example.")
    return arr


def _check_same_length(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    if len(a) != len(b):
        raise ValueError(
            f"{names[0]} and {names[1]} must have one entry per example, "
            f"got lengths {len(a)} and {len(b)}."
        )


def _binary(arr: np.ndarray, name: str) -> np.ndarray:
    """Return 0/1 labels as int64, or raise if ``arr`` holds anything else."""
    if arr.dtype == bool:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must hold the binary labels 0 and 1, got values of type {arr.dtype}. "
            "Convert with (y == positive_class).astype(int)."
        )
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        shown = np.unique(arr[bad])[:5].tolist()
        raise ValueError(
            f"{name} must hold the binary labels 0 and 1 only, also found {shown}. For "
            "multi-class labels use average='macro', 'micro' or 'weighted' (or None); "
            "to make a binary problem use (y == positive_class).astype(int)."
        )
    return arr.astype(np.int64)


def _binary_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = _as_1d(y_true, "y_true")
    p = _as_1d(y_pred, "y_pred")
    _check_same_length(t, p, ("y_true", "y_pred"))
    return _binary(t, "y_true"), _binary(p, "y_pred")


def _scores(values: Any, name: str = "scores", *, probabilities: bool = False) -> np.ndarray:
    arr = _as_1d(values, name)
    if arr.dtype.kind not in "iufb":
        raise ValueError(f"{name} must be numbers (one score per example), got dtype {arr.dtype}.")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; every score must be a finite number.")
    if probabilities and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(
            f"{name} must be probabilities in [0, 1], got values from {arr.min():.3g} to "
            f"{arr.max():.3g}. Pass predict_proba(x)[:, 1] or a sigmoid output, not logits."
        )
    return arr


def _labelled_scores(
    y_true: Any, scores: Any, *, probabilities: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    t = _binary(_as_1d(y_true, "y_true"), "y_true")
    s = _scores(scores, probabilities=probabilities)
    _check_same_length(t, s, ("y_true", "scores"))
    return t, s


def _check_zero_division(zero_division: float) -> float:
    if isinstance(zero_division, bool) or not isinstance(zero_division, int | float):
        raise ValueError(f"zero_division must be 0.0, 1.0 or nan, got {zero_division!r}.")
    if not (math.isnan(zero_division) or zero_division in (0, 1)):
        raise ValueError(f"zero_division must be 0.0, 1.0 or nan, got {zero_division!r}.")
    return float(zero_division)


def _divide(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    """Element-wise numerator / denominator, ``zero_division`` where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(numerator, denominator).shape, zero_division, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _nonnegative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)


def _costs(cost_fp: Any, cost_fn: Any) -> tuple[float, float]:
    cost_fp = _nonnegative(cost_fp, "cost_fp")
    cost_fn = _nonnegative(cost_fn, "cost_fn")
    if cost_fp == 0 and cost_fn == 0:
        raise ValueError("cost_fp and cost_fn are both 0: give at least one error a cost.")
    return cost_fp, cost_fn


# --------------------------------------------------------------------------- confusion matrix
def confusion_matrix(
    y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None
) -> np.ndarray:
    """Count how often each true class was predicted as each class.

    Args:
        y_true: true labels, shape ``(n,)``, integers or strings.
        y_pred: predicted labels, shape ``(n,)``.
        labels: the classes, in the order of the rows/columns. Default: the sorted union of the
            labels present in ``y_true`` and ``y_pred``.

    Returns:
        int64 array ``(k, k)``: entry ``[i, j]`` counts examples of true class ``labels[i]``
        predicted as ``labels[j]``. Binary 0/1 labels give ``[[TN, FP], [FN, TP]]``.

    Raises:
        ValueError: empty or mismatched inputs, or ``labels`` empty or with repeats.
    """
    t = _as_1d(y_true, "y_true")
    p = _as_1d(y_pred, "y_pred")
    _check_same_length(t, p, ("y_true", "y_pred"))
    if labels is None:
        classes = np.unique(np.concatenate([t, p]))
    else:
        classes = np.asarray(labels)
        if classes.ndim != 1 or classes.size == 0 or len(np.unique(classes)) != len(classes):
            raise ValueError(
                f"labels must be a non-empty list of distinct classes, got {labels!r}."
            )
    k = len(classes)
    index = {label: i for i, label in enumerate(classes.tolist())}
    rows = np.array([index.get(v, -1) for v in t.tolist()])
    cols = np.array([index.get(v, -1) for v in p.tolist()])
    keep = (rows >= 0) & (cols >= 0)  # examples whose classes are not in `labels` are ignored
    flat = np.bincount(rows[keep] * k + cols[keep], minlength=k * k)
    return flat.reshape(k, k).astype(np.int64)


def confusion_counts(y_true: Any, y_pred: Any) -> dict[str, int]:
    """Return the four cells of a binary confusion matrix.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        y_pred: predicted 0/1 labels, shape ``(n,)``.

    Returns:
        ``{"tp": ..., "fp": ..., "fn": ..., "tn": ...}`` as Python ints.

    Raises:
        ValueError: empty or mismatched inputs, or labels other than 0 and 1.
    """
    t, p = _binary_pair(y_true, y_pred)
    tp = int(np.sum((t == 1) & (p == 1)))
    fp = int(np.sum((t == 0) & (p == 1)))
    fn = int(np.sum((t == 1) & (p == 0)))
    tn = int(np.sum((t == 0) & (p == 0)))
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


# --------------------------------------------------------------------------- counting metrics
def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of examples predicted correctly (any number of classes).

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predicted labels, shape ``(n,)``.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: empty or mismatched inputs.
    """
    t = _as_1d(y_true, "y_true")
    p = _as_1d(y_pred, "y_pred")
    _check_same_length(t, p, ("y_true", "y_pred"))
    return float(np.mean(t == p))


def _per_label_counts(
    y_true: Any, y_pred: Any, average: str | None, labels: Sequence[Any] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """True positives, predicted counts, true counts per label, and the labels."""
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}.")
    if average == "binary":
        t, p = _binary_pair(y_true, y_pred)
        classes = np.array([1])
    else:
        t = _as_1d(y_true, "y_true")
        p = _as_1d(y_pred, "y_pred")
        _check_same_length(t, p, ("y_true", "y_pred"))
        classes = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels)
    # Count directly (not from a confusion matrix restricted to `classes`), so examples of
    # classes left out of `labels` still count as false positives/negatives of the others.
    tp = np.array([np.sum((t == c) & (p == c)) for c in classes.tolist()])
    predicted = np.array([np.sum(p == c) for c in classes.tolist()])
    actual = np.array([np.sum(t == c) for c in classes.tolist()])
    return tp, predicted, actual, classes


def precision_recall_fbeta(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    average: str | None = "binary",
    labels: Sequence[Any] | None = None,
    zero_division: float = 0.0,
) -> tuple[Any, Any, Any, np.ndarray]:
    """Precision, recall and F-beta, per class or averaged (like sklearn's ``precision_recall_fscore_support``).

    Per class c: precision = TP / (TP + FP), recall = TP / (TP + FN) and
    F-beta = (1 + beta²)·TP / ((1 + beta²)·TP + beta²·FN + FP), the weighted harmonic mean of
    precision and recall (beta > 1 weighs recall more, beta < 1 precision more).

    Averaging over classes:

    * ``"binary"``: only the positive class 1 (labels must be 0/1).
    * ``"micro"``: add up TP, FP and FN over classes first, then divide. With all classes
      included, micro precision = micro recall = micro F = accuracy.
    * ``"macro"``: plain mean of the per-class values (every class counts the same).
    * ``"weighted"``: mean weighted by each class's support (its number of true examples).
    * ``None``: the per-class arrays.

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predicted labels, shape ``(n,)``.
        beta: weight of recall, >= 0 (``beta=0`` gives precision).
        average: one of ``"binary"``, ``"micro"``, ``"macro"``, ``"weighted"``, ``None``.
        labels: classes to include (default: all present in either array).
        zero_division: value for a 0/0 ratio: 0.0 (default), 1.0, or ``nan`` (then the class is
            left out of macro/weighted averages).

    Returns:
        ``(precision, recall, fbeta, support)``: floats when averaged, else float64 arrays of
        shape ``(k,)``; ``support`` is always the int64 array of true counts per class.

    Raises:
        ValueError: bad inputs (see the module docstring), unknown ``average`` or negative ``beta``.
    """
    zero_division = _check_zero_division(zero_division)
    if isinstance(beta, bool) or not isinstance(beta, int | float) or not beta >= 0:
        raise ValueError(f"beta must be a number >= 0, got {beta!r}.")
    tp, predicted, actual, _ = _per_label_counts(y_true, y_pred, average, labels)
    if average == "micro":
        tp, predicted, actual = (
            tp.sum(keepdims=True),
            predicted.sum(keepdims=True),
            actual.sum(keepdims=True),
        )
    beta2 = float(beta) ** 2
    prec = _divide(tp, predicted, zero_division)
    rec = _divide(tp, actual, zero_division)
    if math.isinf(beta):
        f = rec
    else:
        f = _divide((1 + beta2) * tp, beta2 * actual + predicted, zero_division)
    support = np.asarray(actual, dtype=np.int64)
    if average is None:
        return prec, rec, f, support
    if average in ("binary", "micro"):
        return float(prec[0]), float(rec[0]), float(f[0]), support
    weights = np.ones_like(prec) if average == "macro" else support.astype(np.float64)
    return (*(_weighted_mean(v, weights) for v in (prec, rec, f)), support)


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Mean of ``values`` weighted by ``weights`` (scikit-learn's rules for the corner cases).

    NaN entries are left out; if every remaining weight is 0, the plain mean is used.
    """
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights[keep].sum() == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))


def precision(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    labels: Sequence[Any] | None = None,
    zero_division: float = 0.0,
) -> Any:
    """Precision = TP / (TP + FP): of the examples predicted positive, the share that are.

    Args and Raises: as :func:`precision_recall_fbeta`. With no positive predictions the
    ratio is 0/0 and the result is ``zero_division`` (default 0.0, scikit-learn's convention).

    Returns:
        A float (an array of shape ``(k,)`` when ``average=None``).
    """
    return precision_recall_fbeta(
        y_true, y_pred, average=average, labels=labels, zero_division=zero_division
    )[0]


def recall(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    labels: Sequence[Any] | None = None,
    zero_division: float = 0.0,
) -> Any:
    """Recall (sensitivity, true-positive rate) = TP / (TP + FN): share of positives found.

    Args and Raises: as :func:`precision_recall_fbeta`. With no positive labels the result is
    ``zero_division``.

    Returns:
        A float (an array of shape ``(k,)`` when ``average=None``).
    """
    return precision_recall_fbeta(
        y_true, y_pred, average=average, labels=labels, zero_division=zero_division
    )[1]


def fbeta(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    average: str | None = "binary",
    labels: Sequence[Any] | None = None,
    zero_division: float = 0.0,
) -> Any:
    """F-beta score: weighted harmonic mean of precision and recall (recall ``beta`` times as important).

    Args and Raises: as :func:`precision_recall_fbeta`.

    Returns:
        A float (an array of shape ``(k,)`` when ``average=None``).
    """
    return precision_recall_fbeta(
        y_true, y_pred, beta=beta, average=average, labels=labels, zero_division=zero_division
    )[2]


def f1(
    y_true: Any,
    y_pred: Any,
    *,
    average: str | None = "binary",
    labels: Sequence[Any] | None = None,
    zero_division: float = 0.0,
) -> Any:
    """F1 score = 2·P·R / (P + R) = 2·TP / (2·TP + FP + FN): harmonic mean of precision and recall.

    Args and Raises: as :func:`precision_recall_fbeta`.

    Returns:
        A float (an array of shape ``(k,)`` when ``average=None``).
    """
    return fbeta(
        y_true, y_pred, beta=1.0, average=average, labels=labels, zero_division=zero_division
    )


def specificity(y_true: Any, y_pred: Any, *, zero_division: float = 0.0) -> float:
    """Specificity (true-negative rate) = TN / (TN + FP): share of negatives left alone.

    It is the recall of the negative class; the false-positive rate is ``1 - specificity``.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        y_pred: predicted 0/1 labels, shape ``(n,)``.
        zero_division: result when there are no negative labels (0.0, 1.0 or nan).

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: bad inputs, see the module docstring.
    """
    zero_division = _check_zero_division(zero_division)
    c = confusion_counts(y_true, y_pred)
    return float(_divide(c["tn"], c["tn"] + c["fp"], zero_division))


def per_class_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    class_names: Sequence[str] | None = None,
    zero_division: float = 0.0,
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per class plus the three averages (like sklearn's report).

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predicted labels, shape ``(n,)``.
        labels: classes to report (default: all present).
        class_names: display name per class (default: ``str(label)``).
        zero_division: value of 0/0 ratios.

    Returns:
        ``{name: {"precision", "recall", "f1", "support"}}`` for each class, then the rows
        ``"macro avg"``, ``"weighted avg"`` and ``"micro avg"``, plus ``"accuracy"`` (a float row
        ``{"accuracy": value}``) when ``labels`` covers every class present.

    Raises:
        ValueError: bad inputs, or ``class_names`` of the wrong length.
    """
    t = _as_1d(y_true, "y_true")
    p = _as_1d(y_pred, "y_pred")
    _check_same_length(t, p, ("y_true", "y_pred"))
    classes = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels)
    names = [str(c) for c in classes.tolist()] if class_names is None else list(class_names)
    if len(names) != len(classes):
        raise ValueError(
            f"got {len(names)} class names for {len(classes)} classes {classes.tolist()}."
        )
    kwargs = {"labels": classes, "zero_division": zero_division}
    prec, rec, f, support = precision_recall_fbeta(t, p, average=None, **kwargs)
    report: dict[str, dict[str, float]] = {}
    for i, name in enumerate(names):
        report[name] = {
            "precision": float(prec[i]),
            "recall": float(rec[i]),
            "f1": float(f[i]),
            "support": int(support[i]),
        }
    total = int(support.sum())
    for average in ("macro", "weighted", "micro"):
        a, b, c, _ = precision_recall_fbeta(t, p, average=average, **kwargs)
        report[f"{average} avg"] = {"precision": a, "recall": b, "f1": c, "support": total}
    if set(np.unique(np.concatenate([t, p])).tolist()) <= set(classes.tolist()):
        report["accuracy"] = {"accuracy": accuracy(t, p), "support": len(t)}
    return report


def format_report(report: dict[str, dict[str, float]], digits: int = 3) -> str:
    """Format :func:`per_class_report` as an aligned text table."""
    width = max(len(name) for name in report) + 2
    lines = [f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}"]
    for name, row in report.items():
        if name == "accuracy":
            lines.append(
                f"{name:>{width}} {'':>9} {'':>9} {row['accuracy']:>9.{digits}f} {row['support']:>8}"
            )
            continue
        if name == "macro avg":
            lines.append("")
        lines.append(
            f"{name:>{width}} {row['precision']:>9.{digits}f} {row['recall']:>9.{digits}f} "
            f"{row['f1']:>9.{digits}f} {row['support']:>8}"
        )
    return "\n".join(lines)


def compare_models(y_true: Any, predictions: dict[str, Any], *, digits: int = 3) -> str:
    """Text table of accuracy, precision, recall, specificity and F1 for several binary models.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        predictions: ``{model name: predicted 0/1 labels of shape (n,)}``.
        digits: decimals shown.

    Returns:
        The table as a string (one row per model). Undefined ratios show as 0 (zero_division=0).

    Raises:
        ValueError: bad inputs, or an empty ``predictions``.
    """
    if not predictions:
        raise ValueError("predictions is empty: pass {model name: predicted labels}.")
    columns = ("accuracy", "precision", "recall", "specificity", "F1")
    width = max(len(name) for name in predictions) + 2
    lines = [f"{'':<{width}}" + "".join(f"{c:>12}" for c in columns)]
    for name, y_pred in predictions.items():
        values = (
            accuracy(y_true, y_pred),
            precision(y_true, y_pred),
            recall(y_true, y_pred),
            specificity(y_true, y_pred),
            f1(y_true, y_pred),
        )
        lines.append(f"{name:<{width}}" + "".join(f"{v:>12.{digits}f}" for v in values))
    return "\n".join(lines)


# --------------------------------------------------------------------------- ranking metrics
def _counts_by_threshold(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False and true positives when predicting ``score >= t`` for each distinct score ``t``.

    Returns ``(fps, tps, thresholds)``, thresholds decreasing, each of shape ``(m,)``.
    """
    t, s = _labelled_scores(y_true, scores)
    order = np.argsort(-s, kind="mergesort")
    s, t = s[order], t[order]
    last_of_each = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tps = np.cumsum(t)[last_of_each]
    fps = (last_of_each + 1) - tps
    return fps.astype(np.float64), tps.astype(np.float64), s[last_of_each]


def roc_curve(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic (ROC) curve: TPR against FPR over all thresholds.

    Every distinct score is a threshold (predict positive when ``score >= threshold``), plus a
    first threshold of ``+inf`` (nothing predicted positive). This equals scikit-learn's
    ``roc_curve(..., drop_intermediate=False)``.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        scores: real-valued scores, shape ``(n,)`` (probabilities, logits or margins).

    Returns:
        ``(fpr, tpr, thresholds)``, float64 arrays of equal length, thresholds decreasing.

    Raises:
        ValueError: bad inputs, or ``y_true`` holds only one class (then one of the rates is 0/0).
    """
    fps, tps, thresholds = _counts_by_threshold(y_true, scores)
    if tps[-1] == 0 or fps[-1] == 0:
        which = "positive" if tps[-1] == 0 else "negative"
        raise ValueError(
            f"y_true has no {which} example, so the ROC curve is undefined: evaluate on a set "
            "that contains both classes."
        )
    fpr = np.r_[0.0, fps / fps[-1]]
    tpr = np.r_[0.0, tps / tps[-1]]
    return fpr, tpr, np.r_[np.inf, thresholds]


def roc_auc(y_true: Any, scores: Any) -> float:
    """Area under the ROC curve (AUC), by the trapezoidal rule.

    It equals the probability that a random positive scores higher than a random negative
    (ties count one half). 0.5 is random guessing, 1.0 a perfect ranking.

    Args and Raises: as :func:`roc_curve`.

    Returns:
        A float in [0, 1].
    """
    fpr, tpr, _ = roc_curve(y_true, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # trapezoidal rule (any NumPy)


def precision_recall_curve(y_true: Any, scores: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall for every threshold (as scikit-learn's ``precision_recall_curve``).

    Args:
        y_true: true 0/1 labels, shape ``(n,)``; at least one positive.
        scores: real-valued scores, shape ``(n,)``.

    Returns:
        ``(precision, recall, thresholds)``: ``thresholds`` are the distinct scores in increasing
        order, shape ``(m,)``; ``precision`` and ``recall`` have shape ``(m + 1,)``, the last
        point being precision 1, recall 0 (no positive predictions) by convention.

    Raises:
        ValueError: bad inputs, or no positive example in ``y_true`` (recall undefined).
    """
    fps, tps, thresholds = _counts_by_threshold(y_true, scores)
    if tps[-1] == 0:
        raise ValueError(
            "y_true has no positive example, so recall (and the precision-recall curve) is "
            "undefined: evaluate on a set that contains positives."
        )
    prec = _divide(tps, tps + fps, 0.0)
    rec = tps / tps[-1]
    return np.r_[prec[::-1], 1.0], np.r_[rec[::-1], 0.0], thresholds[::-1]


def average_precision(y_true: Any, scores: Any) -> float:
    """Average precision (AP): sum over thresholds of (R_n - R_{n-1})·P_n.

    The area under the step-shaped precision-recall curve, without interpolation (as
    scikit-learn's ``average_precision_score``). A random ranking scores about the share of
    positives, so unlike ROC AUC its baseline moves with class imbalance.

    Args and Raises: as :func:`precision_recall_curve`.

    Returns:
        A float in [0, 1].
    """
    prec, rec, _ = precision_recall_curve(y_true, scores)
    return float(max(0.0, -np.sum(np.diff(rec) * prec[:-1])))


# --------------------------------------------------------------------------- uncertainty
@dataclass(frozen=True)
class ConfidenceInterval:
    """A metric value with its bootstrap confidence interval (see :func:`bootstrap_ci`)."""

    estimate: float
    low: float
    high: float
    confidence: float
    n_resamples: int

    def __str__(self) -> str:
        return (
            f"{self.estimate:.3f} ({self.confidence:.0%} CI {self.low:.3f}-{self.high:.3f}, "
            f"{self.n_resamples} bootstrap resamples)"
        )


def bootstrap_ci(
    y_true: Any,
    y_pred: Any,
    metric: Callable[[np.ndarray, np.ndarray], float] = accuracy,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> ConfidenceInterval:
    """Percentile bootstrap confidence interval of any metric.

    Draw ``n_resamples`` test sets of the same size with replacement, compute the metric on
    each, and take the middle ``confidence`` share of the values. It tells you how much the
    number would move on another test set of this size drawn the same way.

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predictions or scores, shape ``(n,)`` (whatever ``metric`` takes second).
        metric: ``metric(y_true, y_pred) -> float``, e.g. :func:`accuracy`, :func:`f1`,
            :func:`roc_auc`.
        n_resamples: number of bootstrap resamples (>= 10; 1,000 or more for a stable interval).
        confidence: interval coverage, in (0, 1).
        seed: random seed of the resampling.

    Returns:
        A :class:`ConfidenceInterval` with the metric on the full data and the interval.

    Raises:
        ValueError: bad inputs or settings; a metric that fails on a resample (e.g. ROC AUC on
            a resample with a single class) raises its own ValueError.
    """
    t = _as_1d(y_true, "y_true")
    p = _as_1d(y_pred, "y_pred")
    _check_same_length(t, p, ("y_true", "y_pred"))
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 10:
        raise ValueError(f"n_resamples must be an int >= 10, got {n_resamples!r}.")
    if not isinstance(confidence, float) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a float in (0, 1), e.g. 0.95; got {confidence!r}.")
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, len(t), size=(n_resamples, len(t)))
    values = np.array([metric(t[i], p[i]) for i in indices], dtype=np.float64)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return ConfidenceInterval(float(metric(t, p)), float(low), float(high), confidence, n_resamples)


# --------------------------------------------------------------------------- calibration
def calibration_bins(y_true: Any, probabilities: Any, *, n_bins: int = 10) -> dict[str, np.ndarray]:
    """Group predicted probabilities into equal-width bins, for a reliability diagram.

    Bin ``i`` holds probabilities in ``(edges[i], edges[i+1]]`` (the first bin includes 0), as
    scikit-learn's ``calibration_curve(strategy="uniform")``. A calibrated model has
    ``fraction_positive ≈ mean_predicted`` in every bin.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        probabilities: predicted probability of class 1, shape ``(n,)``, in [0, 1].
        n_bins: number of bins (>= 1).

    Returns:
        ``{"edges": (n_bins + 1,), "count": (n_bins,) int64, "mean_predicted": (n_bins,),
        "fraction_positive": (n_bins,)}``; the last two are ``nan`` for empty bins.

    Raises:
        ValueError: bad inputs, probabilities outside [0, 1], or ``n_bins < 1``.
    """
    t, s = _labelled_scores(y_true, probabilities, probabilities=True)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be an int >= 1, got {n_bins!r}.")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], s)
    count = np.bincount(ids, minlength=n_bins)
    mean_predicted = _divide(np.bincount(ids, weights=s, minlength=n_bins), count, np.nan)
    fraction_positive = _divide(np.bincount(ids, weights=t, minlength=n_bins), count, np.nan)
    return {
        "edges": edges,
        "count": count.astype(np.int64),
        "mean_predicted": mean_predicted,
        "fraction_positive": fraction_positive,
    }


def expected_calibration_error(y_true: Any, probabilities: Any, *, n_bins: int = 10) -> float:
    """Expected calibration error (ECE): mean |fraction positive - mean predicted| over bins.

    Each bin is weighted by its share of the examples; 0 means perfectly calibrated on these
    bins. Args and Raises as :func:`calibration_bins`.

    Returns:
        A float in [0, 1].
    """
    bins = calibration_bins(y_true, probabilities, n_bins=n_bins)
    full = bins["count"] > 0
    gaps = np.abs(bins["fraction_positive"][full] - bins["mean_predicted"][full])
    return float(np.sum(bins["count"][full] * gaps) / bins["count"].sum())


def brier_score(y_true: Any, probabilities: Any) -> float:
    """Brier score: mean squared difference between probability and 0/1 outcome (lower is better).

    Args and Raises as :func:`calibration_bins` (without ``n_bins``).
    """
    t, s = _labelled_scores(y_true, probabilities, probabilities=True)
    return float(np.mean((s - t) ** 2))


# --------------------------------------------------------------------------- thresholds and cost
def predict_at(scores: Any, threshold: float) -> np.ndarray:
    """Turn scores into 0/1 predictions: 1 where ``score >= threshold``.

    Args:
        scores: real-valued scores, shape ``(n,)``.
        threshold: a number; ``inf`` predicts nothing positive.

    Returns:
        int64 array ``(n,)``.
    """
    s = _scores(scores)
    if isinstance(threshold, bool) or not isinstance(
        threshold, int | float | np.integer | np.floating
    ):
        raise TypeError(f"threshold must be a number, got {threshold!r}.")
    if math.isnan(threshold):
        raise ValueError("threshold is NaN; pass a number.")
    return (s >= threshold).astype(np.int64)


def expected_cost(
    y_true: Any, scores: Any, threshold: float, *, cost_fp: float, cost_fn: float
) -> float:
    """Average cost per example of acting on ``score >= threshold``.

    cost = (cost_fp · FP + cost_fn · FN) / n. Correct decisions cost 0.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        scores: real-valued scores, shape ``(n,)``.
        threshold: decision threshold.
        cost_fp: cost of one false positive (e.g. a real email sent to the spam folder), >= 0.
        cost_fn: cost of one false negative (e.g. a spam reaching the inbox), >= 0.

    Returns:
        The mean cost per example, in the units of the costs.

    Raises:
        ValueError: bad inputs, negative costs or both costs 0.
    """
    cost_fp, cost_fn = _costs(cost_fp, cost_fn)
    c = confusion_counts(y_true, predict_at(scores, threshold))
    return (cost_fp * c["fp"] + cost_fn * c["fn"]) / sum(c.values())


def cost_minimising_threshold(
    y_true: Any, scores: Any, *, cost_fp: float, cost_fn: float
) -> tuple[float, float]:
    """The threshold with the lowest :func:`expected_cost` on this data.

    Candidates are every distinct score and ``+inf`` (flag nothing); every other threshold
    gives the same predictions as one of them. Among equal costs the highest threshold (fewest
    positive predictions) wins. Choose it on validation data, not on the test set.

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        scores: real-valued scores, shape ``(n,)``.
        cost_fp: cost of a false positive, >= 0.
        cost_fn: cost of a false negative, >= 0.

    Returns:
        ``(threshold, cost_per_example)``.

    Raises:
        ValueError: bad inputs, negative costs or both costs 0.
    """
    cost_fp, cost_fn = _costs(cost_fp, cost_fn)
    fps, tps, thresholds = _counts_by_threshold(y_true, scores)
    n = len(_as_1d(scores, "scores"))
    positives = tps[-1]
    costs = np.r_[cost_fn * positives, cost_fp * fps + cost_fn * (positives - tps)] / n
    candidates = np.r_[np.inf, thresholds]
    best = int(np.argmin(costs))  # first minimum = highest threshold
    return float(candidates[best]), float(costs[best])


def threshold_for_recall(y_true: Any, scores: Any, target_recall: float) -> float:
    """The highest threshold whose recall is at least ``target_recall``.

    The highest such threshold flags the fewest examples, so it usually has the best precision
    among those meeting the target.

    Args:
        y_true: true 0/1 labels, shape ``(n,)`` with at least one positive.
        scores: real-valued scores, shape ``(n,)``.
        target_recall: required recall, in (0, 1].

    Returns:
        The threshold (one of the scores).

    Raises:
        ValueError: bad inputs, no positives, or ``target_recall`` outside (0, 1].
    """
    if (
        isinstance(target_recall, bool)
        or not isinstance(target_recall, int | float)
        or not 0 < target_recall <= 1
    ):
        raise ValueError(f"target_recall must be a number in (0, 1], got {target_recall!r}.")
    fps, tps, thresholds = _counts_by_threshold(y_true, scores)
    if tps[-1] == 0:
        raise ValueError("y_true has no positive example, so recall is undefined.")
    reached = np.nonzero(tps / tps[-1] >= target_recall - 1e-12)[0]
    return float(thresholds[reached[0]])


def threshold_report(
    y_true: Any, scores: Any, threshold: float, cost_fp: float, cost_fn: float
) -> dict[str, Any]:
    """Everything the threshold widget shows, for one threshold (pure logic, no plotting).

    Args:
        y_true: true 0/1 labels, shape ``(n,)``.
        scores: real-valued scores, shape ``(n,)``.
        threshold: decision threshold (predict 1 where ``score >= threshold``).
        cost_fp: cost of one false positive, >= 0.
        cost_fn: cost of one false negative, >= 0.

    Returns:
        A dict with ``threshold``, ``n``, ``tp``, ``fp``, ``fn``, ``tn``, ``confusion_matrix``
        (``[[TN, FP], [FN, TP]]``), ``accuracy``, ``precision``, ``recall``, ``specificity``,
        ``f1``, ``fpr`` and ``tpr`` (the ROC point), ``total_cost``, ``cost_per_example``,
        ``best_threshold`` and ``best_cost_per_example``. Undefined ratios are 0.0.

    Raises:
        ValueError: bad inputs, negative costs or both costs 0.
    """
    t, s = _labelled_scores(y_true, scores)
    cost_fp, cost_fn = _costs(cost_fp, cost_fn)
    pred = predict_at(s, threshold)
    c = confusion_counts(t, pred)
    prec, rec, f, _ = precision_recall_fbeta(t, pred)
    total = cost_fp * c["fp"] + cost_fn * c["fn"]
    best_threshold, best_cost = cost_minimising_threshold(t, s, cost_fp=cost_fp, cost_fn=cost_fn)
    fpr = float(_divide(c["fp"], c["fp"] + c["tn"], 0.0))
    return {
        "threshold": float(threshold),
        "n": len(t),
        **c,
        "confusion_matrix": np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]], dtype=np.int64),
        "accuracy": accuracy(t, pred),
        "precision": prec,
        "recall": rec,
        "specificity": 1.0 - fpr if c["fp"] + c["tn"] else 0.0,
        "f1": f,
        "fpr": fpr,
        "tpr": rec,
        "total_cost": float(total),
        "cost_per_example": float(total / len(t)),
        "best_threshold": best_threshold,
        "best_cost_per_example": best_cost,
    }


def format_threshold_report(report: dict[str, Any]) -> str:
    """One short text block summarising :func:`threshold_report` (the widget's text part)."""
    return (
        f"threshold {report['threshold']:.2f}: TP {report['tp']}, FP {report['fp']}, "
        f"FN {report['fn']}, TN {report['tn']}\n"
        f"precision {report['precision']:.3f}, recall {report['recall']:.3f}, F1 {report['f1']:.3f}, "
        f"FPR {report['fpr']:.3f}\n"
        f"cost {report['cost_per_example']:.3f} per example ({report['total_cost']:g} in total); "
        f"lowest {report['best_cost_per_example']:.3f} at threshold {report['best_threshold']:.3f}"
    )


# --------------------------------------------------------------------------- plots
def plot_threshold_report(
    y_true: Any, scores: Any, threshold: float, cost_fp: float, cost_fn: float
) -> Any:
    """Figure for one threshold: confusion matrix, ROC point, and cost against threshold.

    Args: as :func:`threshold_report` (scores are best probabilities in [0, 1] here).

    Returns:
        A matplotlib Figure (three panels).
    """
    import matplotlib.pyplot as plt

    report = threshold_report(y_true, scores, threshold, cost_fp, cost_fn)
    fpr, tpr, _ = roc_curve(y_true, scores)
    s = _scores(scores)
    grid = np.unique(np.r_[np.linspace(s.min(), s.max(), 201), report["best_threshold"]])
    grid = grid[np.isfinite(grid)]
    costs = [expected_cost(y_true, s, g, cost_fp=cost_fp, cost_fn=cost_fn) for g in grid]

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.3))
    ax = axes[0]
    matrix = report["confusion_matrix"]
    ax.imshow(matrix, cmap="Blues")
    ax.grid(False)
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            f"{['TN', 'FP', 'FN', 'TP'][2 * i + j]}\n{value}",
            ha="center",
            va="center",
            color="white" if value > matrix.max() / 2 else "black",
        )
    ax.set_xticks([0, 1], ["pred 0", "pred 1"])
    ax.set_yticks([0, 1], ["true 0", "true 1"])
    ax.set_title(f"P {report['precision']:.2f}  R {report['recall']:.2f}  F1 {report['f1']:.2f}")

    ax = axes[1]
    ax.plot(fpr, tpr, label="ROC curve")
    ax.plot([0, 1], [0, 1], ":", color="grey", label="random")
    ax.plot(report["fpr"], report["tpr"], "o", color="C3", label=f"threshold {threshold:.2f}")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate (recall)")
    ax.set_title("ROC point")
    ax.legend(loc="lower right", fontsize=8)

    ax = axes[2]
    ax.plot(grid, costs)
    ax.axvline(
        threshold, color="C3", label=f"chosen {threshold:.2f}: {report['cost_per_example']:.3f}"
    )
    if math.isfinite(report["best_threshold"]):
        ax.plot(
            report["best_threshold"],
            report["best_cost_per_example"],
            "*",
            color="C2",
            markersize=12,
            label=f"lowest at {report['best_threshold']:.2f}: {report['best_cost_per_example']:.3f}",
        )
    ax.set_xlabel("threshold")
    ax.set_ylabel("cost per example")
    ax.set_title(f"cost (FP {cost_fp:g}, FN {cost_fn:g})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def threshold_static(
    y_true: Any, scores: Any, threshold: float, cost_fp: float, cost_fn: float
) -> Any:
    """Closed figure of :func:`plot_threshold_report`, for ``widgets.show(static=...)``.

    The figure is closed so Jupyter's inline backend does not draw it a second time.
    """
    import matplotlib.pyplot as plt

    fig = plot_threshold_report(y_true, scores, threshold, cost_fp, cost_fn)
    plt.close(fig)
    return fig


def threshold_widget(
    y_true: Any, scores: Any, *, threshold: float = 0.5, cost_fp: float = 1.0, cost_fn: float = 1.0
) -> Any:
    """Slider for the threshold and two cost boxes, wired to :func:`plot_threshold_report`.

    Args: as :func:`threshold_report`; the values given are the widget's starting values.

    Returns:
        An ``ipywidgets.VBox``.
    """
    import ipywidgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    t, s = _labelled_scores(y_true, scores)
    _costs(cost_fp, cost_fn)
    slider = ipywidgets.FloatSlider(
        value=threshold,
        min=0.0,
        max=1.0,
        step=0.01,
        description="threshold",
        continuous_update=False,
        readout_format=".2f",
    )
    fp_box = ipywidgets.BoundedFloatText(value=cost_fp, min=0.0, max=1e6, description="cost FP")
    fn_box = ipywidgets.BoundedFloatText(value=cost_fn, min=0.0, max=1e6, description="cost FN")
    out = ipywidgets.Output()

    def redraw(*_: Any) -> None:
        with out:
            out.clear_output(wait=True)
            if fp_box.value == 0 and fn_box.value == 0:
                print("Give at least one error a cost above 0.")
                return
            report = threshold_report(t, s, slider.value, fp_box.value, fn_box.value)
            print(format_threshold_report(report))
            fig = plot_threshold_report(t, s, slider.value, fp_box.value, fn_box.value)
            display(fig)
            plt.close(fig)

    for control in (slider, fp_box, fn_box):
        control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([ipywidgets.HBox([slider, fp_box, fn_box]), out])


def plot_roc_pr(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], positive_rate: float | None = None
) -> Any:
    """ROC and precision-recall curves side by side for several models.

    Args:
        curves: ``{name: (y_true, scores)}``.
        positive_rate: draw the random-ranking baseline of the PR panel at this precision.

    Returns:
        A matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(9, 3.6))
    for name, (y, s) in curves.items():
        fpr, tpr, _ = roc_curve(y, s)
        prec, rec, _ = precision_recall_curve(y, s)
        roc_ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc(y, s):.3f})")
        pr_ax.step(rec, prec, where="post", label=f"{name} (AP {average_precision(y, s):.3f})")
    roc_ax.plot([0, 1], [0, 1], ":", color="grey")
    roc_ax.set(xlabel="false-positive rate", ylabel="true-positive rate", title="ROC")
    if positive_rate is not None:
        pr_ax.axhline(positive_rate, ls=":", color="grey", label=f"random ({positive_rate:.3f})")
    pr_ax.set(xlabel="recall", ylabel="precision", title="precision-recall", ylim=(0, 1.02))
    roc_ax.legend(fontsize=8, loc="lower right")
    pr_ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def plot_reliability(models: dict[str, tuple[np.ndarray, np.ndarray]], *, n_bins: int = 10) -> Any:
    """Reliability diagram: observed fraction of positives against mean predicted probability.

    Args:
        models: ``{name: (y_true, probabilities)}``.
        n_bins: number of equal-width bins.

    Returns:
        A matplotlib Figure (the diagram and a histogram of the probabilities).
    """
    import matplotlib.pyplot as plt

    fig, (ax, hist_ax) = plt.subplots(1, 2, figsize=(9, 3.6))
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    for i, (name, (y, p)) in enumerate(models.items()):
        bins = calibration_bins(y, p, n_bins=n_bins)
        full = bins["count"] > 0
        ece = expected_calibration_error(y, p, n_bins=n_bins)
        color = f"C{i}"
        ax.plot(bins["mean_predicted"][full], bins["fraction_positive"][full], "o-", color=color)
        hist_ax.hist(
            np.asarray(p),
            bins=bins["edges"],
            histtype="step",
            linewidth=1.5,
            color=color,
            label=f"{name} (ECE {ece:.3f})",
        )
    ax.set(
        xlabel="mean predicted probability", ylabel="fraction positive", title="reliability diagram"
    )
    ax.legend(fontsize=8, loc="upper left")
    hist_ax.set(
        xlabel="predicted probability",
        ylabel="examples",
        title="how often each probability occurs",
        yscale="log",
    )
    hist_ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- quick models
def train_spam_filter(
    texts: Any, labels: Any, *, model: str = "logistic", max_features: int = 20000
) -> Any:
    """Fit a fast bag-of-words spam filter (scikit-learn), in a few seconds on a CPU.

    Args:
        texts: email texts, shape ``(n,)`` of ``str``.
        labels: 0/1 labels (1 = spam), shape ``(n,)``.
        model: ``"logistic"`` (TF-IDF + logistic regression) or ``"naive_bayes"`` (word counts +
            multinomial naive Bayes, a classic example of badly calibrated probabilities).
        max_features: vocabulary size.

    Returns:
        A fitted ``sklearn.pipeline.Pipeline``; ``.predict_proba(texts)[:, 1]`` is P(spam).

    Raises:
        ValueError: unknown ``model`` or bad inputs.
    """
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    x = _as_1d(texts, "texts")
    y = _binary(_as_1d(labels, "labels"), "labels")
    _check_same_length(x, y, ("texts", "labels"))
    if model == "logistic":
        pipeline = make_pipeline(
            TfidfVectorizer(max_features=max_features, sublinear_tf=True, min_df=2),
            LogisticRegression(max_iter=1000),
        )
    elif model == "naive_bayes":
        pipeline = make_pipeline(
            CountVectorizer(max_features=max_features, min_df=2), MultinomialNB()
        )
    else:
        raise ValueError(f"model must be 'logistic' or 'naive_bayes', got {model!r}.")
    return pipeline.fit(x, y)


def build_digit_mlp(
    num_classes: int = 10, hidden_units: int = 128, dropout_rate: float = 0.2
) -> Any:
    """A small multilayer perceptron for 28x28 digit images (uncompiled).

    Args:
        num_classes: number of output classes.
        hidden_units: width of the hidden layer.
        dropout_rate: dropout after the hidden layer, in [0, 1).

    Returns:
        An uncompiled ``keras.Sequential``: input ``(batch, 28, 28)`` float32 in [0, 1], output
        ``(batch, num_classes)`` softmax probabilities.

    Raises:
        ValueError: non-positive sizes or a dropout rate outside [0, 1).
    """
    if num_classes < 2 or hidden_units < 1:
        raise ValueError(
            f"num_classes must be >= 2 and hidden_units >= 1, got {num_classes}, {hidden_units}."
        )
    if not 0 <= dropout_rate < 1:
        raise ValueError(f"dropout_rate must be in [0, 1), got {dropout_rate}.")
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(hidden_units, activation="relu"),
            layers.Dropout(dropout_rate),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="digit_mlp",
    )


# --------------------------------------------------------------------------- exercise checks
# Exercise 6.1 uses this confusion matrix (rows true, columns predicted: [[TN, FP], [FN, TP]]).
EXERCISE_MATRIX = np.array([[850, 30], [20, 100]])


@checks.exercise
def check_precision_recall(answer: Any) -> str | None:
    """Exercise 6.1: ``answer = (precision, recall)`` computed from ``EXERCISE_MATRIX``."""
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return "answer must be a pair: answer = (precision, recall)"
    (tn, fp), (fn, tp) = EXERCISE_MATRIX.tolist()
    got_p, got_r = (float(v) for v in answer)
    want_p, want_r = tp / (tp + fp), tp / (tp + fn)
    if math.isclose(got_p, want_r, abs_tol=1e-3) and math.isclose(got_r, want_p, abs_tol=1e-3):
        return "you swapped them: precision divides by the predicted positives (a column), recall by the true positives (a row)"
    if not math.isclose(got_p, want_p, abs_tol=1e-3):
        return "precision = TP / (TP + FP): TP is the bottom-right cell, FP the top-right one"
    if not math.isclose(got_r, want_r, abs_tol=1e-3):
        return "recall = TP / (TP + FN): FN is the bottom-left cell (spam the filter let through)"
    return None


def _check_recall_threshold(
    answer: Any, y_true: Any, scores: Any, target_recall: float
) -> str | None:
    threshold = float(answer)
    reached = recall(y_true, predict_at(scores, threshold))
    if reached < target_recall - 1e-12:
        return f"at threshold {threshold:.4f} recall is only {reached:.3f}; lower the threshold"
    best = threshold_for_recall(y_true, scores, target_recall)
    if predict_at(scores, threshold).sum() > predict_at(scores, best).sum():
        return (
            f"recall {reached:.3f} meets the target, but a higher threshold does too and flags fewer "
            "messages: look for the highest threshold that still reaches the target"
        )
    return None


check_recall_threshold = checks.exercise(_check_recall_threshold)
check_recall_threshold.__doc__ = (
    "Exercise 6.2: the highest threshold whose recall reaches the target."
)

_PRODUCT_ANSWERS = {
    "a": "recall",
    "b": "precision",
    "c": "average_precision",
}


@checks.exercise
def check_metric_choice(answer: Any) -> str | None:
    """Exercise 6.3: a dict mapping each product (a, b, c) to the metric it should report."""
    if not isinstance(answer, dict) or set(answer) != set(_PRODUCT_ANSWERS):
        return "answer must be a dict with the keys 'a', 'b' and 'c'"
    hints = {
        "a": "(a) missing a sick patient is the expensive error: which metric counts the positives you miss?",
        "b": "(b) every flagged account costs a human review and annoys a real user: which metric "
        "measures how many flags are right?",
        "c": "(c) 1 in 1,000 transactions is fraud and the threshold is not fixed yet: which "
        "threshold-free metric is not flattered by the mass of easy negatives?",
    }
    for key, metric in _PRODUCT_ANSWERS.items():
        if str(answer[key]).strip().lower().replace(" ", "_") != metric:
            return hints[key]
    return None
