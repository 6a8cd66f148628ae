"""Exercise checks: "not attempted yet" / "correct" / a specific hint, and a bool.

A check returns ``None`` when the learner's answer is right, else a hint; :func:`exercise` wraps
it. The checks are grouped by notebook; ``tests/test_checks.py`` feeds each one classic mistakes.
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

NOT_ATTEMPTED = "⏳ not attempted yet"
CORRECT = "✅ correct"
HINT = "❌ not yet"
STUB_HINT = "replace the placeholder (None or ...) with your answer"


class Outcome:
    """A check's verdict: true if correct. The message is already printed, so a notebook shows no
    ``Out: True``/``Out: False`` under the check cell (IPython calls ``_ipython_display_``)."""

    def __init__(self, status: str, message: str = "") -> None:
        self.status, self.message = status, message

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return f"Outcome({self.status!r}, {self.message!r})"

    def _ipython_display_(self) -> None:
        """Display nothing more: the message was printed when the check ran."""


def outcome(status: str, message: str = "") -> Outcome:
    """Print the ``status`` (not_attempted, correct or hint) and ``message``; truthy if correct."""
    labels = {"not_attempted": NOT_ATTEMPTED, "correct": CORRECT, "hint": HINT}
    if status not in labels:
        raise ValueError(f"status must be one of {', '.join(labels)}; got {status!r}.")
    print(labels[status] + (f": {message}" if message else ""))
    return Outcome(status, message)


def exercise(check: Callable[..., str | bool | None]) -> Callable[..., Outcome]:
    """Decorate a check function so it prints a clear outcome and returns an :class:`Outcome`.

    Its first argument is the learner's answer; a stub argument means "not attempted yet". A
    returned string is a hint, ``None`` or ``True`` means correct, ``False`` a generic hint.
    """

    @functools.wraps(check)
    def wrapper(*args: Any, **kwargs: Any) -> Outcome:
        if not args or any(arg is None or arg is ... for arg in args):  # the stub values
            return outcome("not_attempted", STUB_HINT)
        try:
            result = check(*args, **kwargs)
        except Exception as error:  # a wrong answer can fail in any way; report it as a hint
            return outcome("hint", f"checking your answer raised {type(error).__name__}: {error}")
        if result is None or result is True:
            return outcome("correct")
        if result is False:
            return outcome("hint", "that is not it; reread the exercise statement")
        return outcome("hint", str(result))

    return wrapper


def choice(answer: Any, correct: str | set[str], hints: dict[str, str] | None = None) -> Outcome:
    """Check a multiple-choice answer (a letter such as ``"b"``), case-insensitive.

    ``correct`` is the right letter or a set of them; ``hints`` maps wrong letters to a hint.
    """
    if answer is None or answer is ...:
        return outcome("not_attempted", "set answer to one of the letters")
    if not isinstance(answer, str):
        return outcome("hint", f"answer with a letter as a string, e.g. 'a'; got {answer!r}")
    key = answer.strip().lower()
    right = {correct} if isinstance(correct, str) else set(correct)
    if key in {c.lower() for c in right}:
        return outcome("correct")
    return outcome("hint", (hints or {}).get(key, f"{answer!r} is not right; think again"))


QUIZZES = Path(__file__).with_name("quizzes.yaml")


@functools.cache
def _quiz_bank() -> dict[str, dict[str, Any]]:
    import yaml

    return yaml.safe_load(QUIZZES.read_text(encoding="utf-8"))


def quiz(quiz_id: str, answer: Any) -> Outcome:
    """Check the answer to the self-check quiz ``quiz_id``; answers and hints are in quizzes.yaml.

    The answers live in ``course_utils/quizzes.yaml``, not in the notebook, so that no answer sits
    next to its question.
    """
    bank = _quiz_bank()
    if quiz_id not in bank:
        raise KeyError(f"no quiz {quiz_id!r} in {QUIZZES.name}; known: {', '.join(sorted(bank))}")
    entry = bank[quiz_id]
    return choice(answer, entry["answer"], entry.get("hints"))


@exercise
def demo_sum(answer: Any) -> str | None:
    """Demonstration check used in the welcome notebook: what is 2 + 3?"""
    if answer != 5:
        return f"{answer!r} is not 2 + 3; add the two numbers"
    return None


@exercise
def check_training_cost(answer: Any) -> str | None:
    """Exercise 1.1: cost of 1.3e9 parameters x 26e9 tokens, 150 TFLOP/s peak, 35 %, 2.00/hour."""
    expected = 6 * 1.3e9 * 26e9 / (150e12 * 0.35) / 3600 * 2.0
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return f"answer with a number (the cost), got {type(answer).__name__}"
    mistakes = {
        expected / 2.0: "that is the number of accelerator-hours; multiply by the price per hour",
        expected * 0.35**2: "divide by the utilisation (you get less than the peak, so it takes "
        "longer), do not multiply",
        expected / 3: "training costs 6 FLOPs per parameter per token, not 2 (that is inference)",
        expected * 3600: "that prices accelerator-seconds; divide the seconds by 3600 for hours",
    }
    for wrong, hint in mistakes.items():
        if math.isclose(answer, wrong, rel_tol=0.02):
            return hint
    if not math.isclose(answer, expected, rel_tol=0.02):
        return "6·N·D FLOPs / (peak FLOP/s × utilisation) = seconds; then hours × price per hour"
    return None


@exercise
def check_epsilon_choice(
    answer: Any, num_people: int = 5783, tolerance: float = 0.005, confidence: float = 0.95
) -> str | None:
    """Exercise 2.2: the smallest ε keeping a DP proportion within ±tolerance in 95% of releases."""
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return f"answer with a number (ε), got {type(answer).__name__}"
    needed = math.log(1 / (1 - confidence)) / (num_people * tolerance)
    if answer <= 0:
        return "ε must be positive"
    if math.isclose(answer, needed * num_people, rel_tol=0.05):
        return "the sensitivity of a proportion over n people is 1/n, not 1"
    if math.isclose(answer, 1 / (num_people * tolerance), rel_tol=0.05):
        return (
            "that keeps the *average* error at the tolerance; the exercise asks for 95% of "
            "releases: use ln(1/(1-0.95))"
        )
    if answer < needed * 0.98:
        return f"with ε={answer:g} the noise is too large: more than 5% of releases miss by more than {tolerance:g}"
    if answer > needed * 1.05:
        return "that meets the accuracy need but spends more privacy than necessary; find the smallest ε"
    return None


# Ids a hostile download list may contain. '....//....//evil' defeats a solution that deletes
# '../' once; '../downloads_evil/x' defeats a prefix test without a trailing separator.
_HOSTILE_IDS = (
    "../../evil", "../evil", "/tmp/evil", "a/../../b", "..", "sub/dir", "C:\\evil", "./../x",
    "....//....//evil", "../downloads_evil/x",
)  # fmt: skip


@exercise
def check_safe_path(answer: Any) -> str | None:
    """Exercise 2.1: ``answer(folder, item_id)`` returns a path inside ``folder`` or raises ValueError."""
    if not callable(answer):
        return "answer must be a function taking (folder, item_id) and returning a Path"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "downloads"
        folder.mkdir()
        good = answer(folder, "cat_01")
        expected = (folder / "cat_01.jpg").resolve()
        if not isinstance(good, str | os.PathLike) or Path(good).resolve() != expected:
            return f"for the plain id 'cat_01' return folder / 'cat_01.jpg', got {good!r}"
        for hostile in _HOSTILE_IDS:
            try:
                path = answer(folder, hostile)
            except ValueError:
                continue
            except Exception as error:  # noqa: BLE001 - any other exception is a wrong answer
                return f"for {hostile!r} raise ValueError (a clear refusal), not {type(error).__name__}"
            resolved = Path(path).resolve()
            if not resolved.is_relative_to(folder.resolve()):
                return f"the id {hostile!r} gives {path}, which is outside the folder; refuse it with ValueError"
            if resolved == folder.resolve():
                return f"the id {hostile!r} gives the folder itself; refuse it with ValueError"
    return None


@exercise
def check_sequence_length(answer: Any, lengths: Any, share: float = 0.75) -> str | None:
    """Exercise 6.1: the smallest sequence length that keeps ``share`` of the texts whole."""
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating):
        return f"answer with a whole number of tokens, e.g. 120; got {answer!r}"
    if not float(answer).is_integer():  # np.percentile interpolates between two lengths
        return (
            f"{answer} is between two lengths; a sequence length is a whole number of tokens: "
            'use np.percentile(lengths, 75, method="inverted_cdf"), or round up'
        )
    answer = int(answer)  # np.percentile returns a float such as 297.0: that is fine
    lengths = np.asarray(lengths)
    covered = np.mean(lengths <= answer)
    if covered < share:
        return f"{answer} tokens keep only {covered:.1%} of the emails whole; need >= {share:.0%}"
    if np.mean(lengths <= answer - 1) >= share:
        return (
            f"{answer} works ({covered:.1%}), but a shorter length does too; find the smallest "
            "(hint: np.percentile, or try coverage(lengths, n) for smaller n)"
        )
    return None


@exercise
def check_forget_gate(
    answer: Any, x_t: Any, h_prev: Any, kernel: Any, recurrent_kernel: Any, bias: Any
) -> str | None:
    """Exercise 6.3: the forget gate ``f`` of one LSTM step, ``(batch, units)``."""
    answer = np.asarray(answer, dtype=np.float64)
    units = np.shape(h_prev)[1]
    z = np.asarray(x_t, np.float64) @ kernel + np.asarray(h_prev, np.float64) @ recurrent_kernel
    z = z + bias
    blocks = [1 / (1 + np.exp(-z[:, k * units : (k + 1) * units])) for k in range(4)]
    if answer.shape != blocks[1].shape:
        return f"f has shape (batch, units) = {blocks[1].shape}; yours is {answer.shape}"
    if np.allclose(answer, blocks[1], atol=1e-5):
        return None
    if np.allclose(answer, z[:, units : 2 * units], atol=1e-5):
        return "you have the pre-activation; apply the sigmoid"
    for k, name in ((0, "input gate i"), (2, "candidate block g"), (3, "output gate o")):
        if np.allclose(answer, blocks[k], atol=1e-5):
            return f"that is the {name}; Keras orders the blocks i, f, g, o: take columns units:2*units"
    return "f = sigmoid(x_t @ kernel + h_prev @ recurrent_kernel + bias)[:, units:2*units]"


@exercise
def check_beats_simple_rnn(model: Any, x_test: Any, y_test: Any, f1_to_beat: float) -> str | None:
    """Exercise 6.2: a trained LSTM classifier whose test F1 beats the SimpleRNN's."""
    from . import rnn

    wrapped = [layer.forward_layer for layer in model.layers if hasattr(layer, "forward_layer")]
    layer_types = {type(layer).__name__ for layer in [*model.layers, *wrapped]}
    if "LSTM" not in layer_types:
        return f"the model has no LSTM layer (it has {', '.join(sorted(layer_types))}); use kind='lstm'"
    if "SimpleRNN" in layer_types:
        return "replace the SimpleRNN by the LSTM rather than adding one"
    embeddings = [layer for layer in model.layers if type(layer).__name__ == "Embedding"]
    if embeddings and not embeddings[0].mask_zero:
        return "mask the padding: build it with mask_zero=True (build_rnn_classifier's default)"
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or int(optimizer.iterations.numpy()) == 0:
        return "the model has not been trained: compile it with compile_classifier, then fit it"
    f1 = rnn.evaluate_binary(model, x_test, y_test)["f1"]  # spam when its probability >= 0.5
    if f1 <= f1_to_beat:
        return (
            f"test F1 {f1:.3f} does not beat {f1_to_beat:.3f}: compile it with compile_classifier "
            "and train it (validation_data, early stopping) for more epochs"
        )
    return None


@exercise
def check_flatten_size(answer: Any) -> str | None:
    """Exercise 4.1: the flatten size of the seed's low-level CNN (SAME convs, 2x2 VALID pools)."""
    import numpy as np

    if isinstance(answer, bool) or not isinstance(answer, int | np.integer):
        return f"answer with an int (height * width * channels), got {answer!r}"
    hints = {
        2304: "2304 = 6*6*64 is the seed's number; follow 28 through SAME conv, pool, SAME conv, pool",
        1600: "1600 is right for 'valid' convolutions (keras.io), but the seed uses padding='SAME'",
        1568: "the spatial size is right; how many channels does the second convolution output?",
    }
    if answer != 7 * 7 * 64:
        return hints.get(
            answer,
            "work it out layer by layer: SAME conv keeps 28, a 2x2 pool with stride 2 halves it, "
            "and the last layer has 64 channels (conv_output_size helps)",
        )
    return None


@exercise
def check_fixed_seed_model(model: Any) -> str | None:
    """Exercise 4.2: a corrected, compiled version of a seed-like CNN whose loss fits its output."""
    import keras
    import numpy as np

    if not isinstance(model, keras.Model):
        return f"model must be a keras.Model, got {type(model).__name__}"
    if tuple(model.input_shape) != (None, 28, 28, 1):
        return f"the input must be (None, 28, 28, 1): start with keras.Input(shape=(28, 28, 1)); got {model.input_shape}"
    if tuple(model.output_shape) != (None, 10):
        return f"the output must be (None, 10), one score per digit; got {model.output_shape}"
    if not any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers):
        return "a CNN needs at least one Conv2D layer"
    loss = getattr(model, "loss", None)
    if getattr(model, "optimizer", None) is None or loss is None:
        return "compile the model (optimizer, loss, metrics) before checking it"
    if isinstance(loss, str) and "crossentropy" in loss:
        from_logits = False  # a loss given by name never expects logits
    elif isinstance(loss, keras.losses.Loss) and "crossentropy" in type(loss).__name__.lower():
        from_logits = bool(loss.get_config().get("from_logits", False))
    else:
        return "use a (sparse) categorical cross-entropy loss for 10 classes with integer labels"
    batch = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    out = np.asarray(model(batch, training=False))
    outputs_probabilities = bool(np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1, atol=1e-3))
    if outputs_probabilities and from_logits:
        return "the model already ends in a softmax, so the loss must use from_logits=False"
    if not outputs_probabilities and not from_logits:
        return "the model outputs raw scores (logits), so the loss needs from_logits=True"
    return None


@exercise
def check_bn_dropout_model(model: Any, x_test: Any, y_test: Any, min_accuracy: float) -> str | None:
    """Exercise 5.1: a trained CNN with batch normalisation and dropout above ``min_accuracy``."""
    import keras
    import numpy as np

    if not isinstance(model, keras.Model):
        return f"model must be a keras.Model, got {type(model).__name__}"
    kinds = {type(layer).__name__ for layer in model.layers}
    if "BatchNormalization" not in kinds:
        return "add layers.BatchNormalization() after a convolution (before its ReLU)"
    if "Dropout" not in kinds:
        return "add layers.Dropout(...) before the classifier"
    probabilities = np.asarray(model.predict(x_test, verbose=0, batch_size=256))
    accuracy = float((probabilities.argmax(axis=-1) == np.asarray(y_test).reshape(-1)).mean())
    if accuracy < min_accuracy:
        return (
            f"test accuracy {accuracy:.1%} is below {min_accuracy:.0%}: did you train it? Try a "
            "higher learning rate (batch normalisation tolerates it) or another epoch"
        )
    print(f"test accuracy {accuracy:.1%}")
    return None


@exercise
def check_generator_28(model: Any) -> str | None:
    """Exercise 7.1: the seed's generator fixed: 100-d noise -> ``(28, 28, 1)``, its layers kept."""
    import keras

    if not isinstance(model, keras.Model):
        return f"build a keras.Model (e.g. keras.Sequential), got {type(model).__name__}"
    if tuple(model.input_shape) != (None, 100):
        return f"the input must be 100-d noise: start with keras.Input(shape=(100,)); it is {model.input_shape}"
    if tuple(model.output_shape) != (None, 28, 28, 1):
        return (
            f"the output is {model.output_shape[1:]}, not (28, 28, 1): from 7x7, only two transposed "
            "convolutions may have strides=2 (7 -> 14 -> 28); give the first one strides=1"
        )
    if not any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in model.layers):
        return "keep the seed's Conv2DTranspose layers: they learn the upsampling"
    if getattr(getattr(model.layers[-1], "activation", None), "__name__", "") != "tanh":
        return "the last layer needs activation='tanh' so pixels land in [-1, 1] like the scaled real digits"
    dense = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)), None)
    if dense is not None and getattr(dense.activation, "__name__", "") == "relu":
        return "drop activation='relu' from the Dense layer: BatchNormalization then LeakyReLU follow it"
    return None


@exercise
def check_frechet_by_hand(answer: Any, features_a: Any, features_b: Any) -> str | None:
    """Exercise 7.2: the Fréchet distance of two one-dimensional feature sets ``(n, 1)``."""
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.floating):
        return f"answer with a number, got {answer!r}"
    a, b = np.ravel(features_a).astype(float), np.ravel(features_b).astype(float)
    mean_term = (a.mean() - b.mean()) ** 2
    expected = mean_term + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    mistakes = {
        mean_term: "that is only the mean term (mu_a - mu_b)^2: add (sigma_a - sigma_b)^2",
        np.sqrt(expected): "FID reports the squared distance d^2: do not take the square root",
        mean_term + (a.std() - b.std()) ** 2: "use the sample standard deviation, std(ddof=1) "
        "as np.cov does, not NumPy's ddof=0",
        mean_term + (a.var(ddof=1) - b.var(ddof=1)) ** 2: "(sigma_a - sigma_b)^2 takes standard "
        "deviations, not variances",
    }
    if math.isclose(answer, expected, rel_tol=1e-6, abs_tol=1e-9):
        return None
    for wrong, hint in mistakes.items():
        if math.isclose(answer, wrong, rel_tol=1e-6):
            return hint
    return f"{answer:.4g} is not it; compute the mean term and the spread term, then add them"


@exercise
def check_balanced_gan(model: Any) -> str | None:
    """Exercise 7.3: a DCGAN with label smoothing 0.1 and Adam(2e-4, beta_1=0.5) for both networks."""
    import keras

    if not (isinstance(model, keras.Model) and hasattr(model, "label_smoothing")):
        return f"build the DCGAN with build_compiled_dcgan, got {type(model).__name__}"
    if not hasattr(model, "d_optimizer"):
        return "compile the model (build_compiled_dcgan does it for you)"
    if not math.isclose(model.label_smoothing, 0.1, rel_tol=1e-6):
        return f"set label_smoothing=0.1 (real targets 0.9); it is {model.label_smoothing}"
    for optimizer, who in ((model.d_optimizer, "discriminator"), (model.g_optimizer, "generator")):
        rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        if not math.isclose(rate, 2e-4, rel_tol=1e-3):
            return f"the {who}'s learning rate is {rate:g}; use 2e-4 for both networks"
        if not math.isclose(float(optimizer.beta_1), 0.5, rel_tol=1e-6):
            return f"the {who}'s beta_1 is {optimizer.beta_1}; the DCGAN paper uses 0.5"
    return None


@exercise
def check_causal_mask(mask: Any) -> str | None:
    """Exercise 3.1: the ``(5, 5)`` causal mask, True where query i may attend to key j <= i."""
    mask = np.asarray(mask)
    right = np.tril(np.ones((5, 5), dtype=bool))
    if mask.shape != (5, 5):
        return f"the mask for 5 tokens has shape (5, 5); yours has shape {mask.shape}"
    if mask.dtype != bool:
        return "use a bool array, True where a query may attend to a key (np.tril(...) > 0)"
    if np.array_equal(mask, right.T):
        return "that is the transpose: row i is query i, it may see keys 0..i (below the diagonal)"
    if np.array_equal(mask, np.tril(right, k=-1)):
        return "a query may also attend to its own position: keep the diagonal"
    if not np.array_equal(mask, right):
        return "query i may attend to keys 0, 1, ..., i and to nothing after it"
    return None


@exercise
def check_uniform_discriminator_value(answer: Any) -> str | None:
    """Exercise 3.2: V(D, G) for a discriminator that outputs 0.5 everywhere is -log 4."""
    value = float(answer)
    if math.isclose(value, math.log(4), abs_tol=1e-3):
        return "mind the sign: log 0.5 is negative"
    if math.isclose(value, -math.log(2), abs_tol=1e-3):
        return "that is one expectation; V(D, G) adds two, each log 0.5"
    if not math.isclose(value, -math.log(4), abs_tol=1e-3):
        return "each expectation is log 0.5 when D(x) = 0.5 everywhere; add the two terms"
    return None


@exercise
def check_new_entry(entry: Any) -> str | None:
    """Exercise 3.3: a valid, new multiple-choice entry for the interview bank (source course)."""
    from collections.abc import Mapping

    from . import qa

    if not isinstance(entry, Mapping):
        return "write the entry as a dict, like one item of data/interview_qa.yaml"
    bank = qa.load_bank()
    problems = qa.validate_entry(entry, bank.topics)
    if problems:
        return "the schema check found: " + "; ".join(problems)
    if entry["id"] in {question.id for question in bank.questions}:
        return f"id {entry['id']!r} is already in the bank; choose a new one"
    if entry["source"] != "course":
        return "a question you write yourself has source: course"
    if "options" not in entry:
        return "make it multiple choice: add options (a list of {en, zh}) and correct"
    return None


# Exercise 8.1's confusion matrix: rows true, columns predicted, [[TN, FP], [FN, TP]].
EXERCISE_6_1_MATRIX = ((850, 30), (20, 100))


@exercise
def check_precision_recall(answer: Any) -> str | None:
    """Exercise 8.1: ``answer = (precision, recall)`` computed from ``EXERCISE_6_1_MATRIX``."""
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return "answer must be a pair: answer = (precision, recall)"
    (tn, fp), (fn, tp) = EXERCISE_6_1_MATRIX
    got_precision, got_recall = (float(value) for value in answer)
    want_precision, want_recall = tp / (tp + fp), tp / (tp + fn)
    if math.isclose(got_precision, want_recall, abs_tol=1e-3) and math.isclose(
        got_recall, want_precision, abs_tol=1e-3
    ):
        return "you swapped them: precision divides by the predicted positives (a column), recall by the true positives (a row)"
    if not math.isclose(got_precision, want_precision, abs_tol=1e-3):
        return "precision = TP / (TP + FP): TP is the bottom-right cell, FP the top-right one"
    if not math.isclose(got_recall, want_recall, abs_tol=1e-3):
        return "recall = TP / (TP + FN): FN is the bottom-left cell (spam the filter let through)"
    return None


@exercise
def check_recall_threshold(
    answer: Any, y_true: Any, scores: Any, target_recall: float
) -> str | None:
    """Exercise 8.2: the highest threshold whose recall (flagging ``scores >= t``) reaches the target."""
    from . import evaluation

    threshold, y_true, scores = float(answer), np.asarray(y_true), np.asarray(scores)
    reached = np.mean(scores[y_true == 1] >= threshold)
    if reached < target_recall - 1e-12:
        return f"at threshold {threshold:.4f} recall is only {reached:.3f}; lower the threshold"
    best = evaluation.threshold_for_recall(y_true, scores, target_recall)
    if np.sum(scores >= threshold) > np.sum(scores >= best):
        return (
            f"recall {reached:.3f} meets the target, but a higher threshold does too and flags fewer "
            "messages: look for the highest threshold that still reaches the target"
        )
    return None


_PRODUCT_METRICS = {"a": "recall", "b": "precision", "c": "average_precision"}


@exercise
def check_metric_choice(answer: Any) -> str | None:
    """Exercise 8.3: a dict mapping each product (a, b, c) to the metric it should report."""
    if not isinstance(answer, dict) or set(answer) != set(_PRODUCT_METRICS):
        return "answer must be a dict with the keys 'a', 'b' and 'c'"
    hints = {
        "a": "(a) missing a sick patient is the expensive error: which metric counts the positives you miss?",
        "b": "(b) every flagged account costs a human review and annoys a real user: which metric "
        "measures how many flags are right?",
        "c": "(c) 1 in 1,000 transactions is fraud and the threshold is not fixed yet: which "
        "threshold-free metric is not flattered by the mass of easy negatives?",
    }
    for key, metric in _PRODUCT_METRICS.items():
        if str(answer[key]).strip().lower().replace(" ", "_") != metric:
            return hints[key]
    return None
