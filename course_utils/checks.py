"""Exercise checks: "not attempted yet" / "correct" / a specific hint, and a bool.

A check returns ``None`` when the learner's answer is right, else a hint; :func:`exercise` wraps
it. The checks are grouped by notebook; ``tests/test_checks.py`` feeds each one classic mistakes.
"""

from __future__ import annotations

import functools
import inspect
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


def exercise(check: Callable | None = None, *, function: str = "") -> Callable[..., Outcome]:
    """Decorate a check function so it prints a clear outcome and returns an :class:`Outcome`.

    Its first argument is the learner's answer; a stub argument means "not attempted yet". A
    returned string is a hint, ``None`` or ``True`` means correct, ``False`` a generic hint.
    ``@exercise(function="f(x)")`` answers a non-callable answer with "write def f(x)".
    """
    if check is None:
        return functools.partial(exercise, function=function)

    @functools.wraps(check)
    def wrapper(*args: Any, **kwargs: Any) -> Outcome:
        if not args or any(arg is None or arg is ... for arg in args):  # the stub values
            return outcome("not_attempted", STUB_HINT)
        if function and not callable(args[0]):
            return outcome("hint", f"answer must be a function: def {function}: return ...")
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


def _first_hint(got: Any, mistakes: Any, same: Callable = np.allclose) -> str | None:
    """The hint of the first ``(wrong value, hint)`` of ``mistakes`` that ``same(got, wrong)``."""
    return next((hint for wrong, hint in mistakes if same(got, wrong)), None)


QUIZZES = Path(__file__).with_name("quizzes.yaml")


@functools.cache
def _quiz_bank() -> dict[str, dict[str, Any]]:
    import yaml

    return yaml.safe_load(QUIZZES.read_text(encoding="utf-8"))


def quiz(quiz_id: str, answer: Any) -> Outcome:
    """Check the answer to the self-check quiz ``quiz_id``; answers and hints are in quizzes.yaml
    (not in the notebook, so that no answer sits next to its question)."""
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


@exercise(function="scale_pixels(images)")
def check_scale_pixels(answer: Any) -> str | None:
    """Exercise 0.1: ``answer(images)`` maps uint8 grey levels 0-255 to floats 0-1, same shape."""
    images = np.array([[[0, 51, 255], [128, 255, 3]]] * 2, dtype=np.uint8)  # (2, 2, 3)
    got, want = np.asarray(answer(images.copy())), images / 255
    if got.shape != images.shape:
        return f"keep the shape {images.shape} (Flatten comes later), got {got.shape}"
    if got.dtype.kind not in "f":
        return f"the result holds {got.dtype}, so 51/255 became 0: divide with / (true division)"
    mistakes = (
        (images / 256, "divide by 255, the largest grey level, so that white becomes exactly 1"),
        ((images - 127.5) / 127.5, "that is the range [-1, 1] (notebook 07's GAN); here 0-1"),
        (images.astype(float), "the grey levels are unchanged: divide them by 255"),
    )
    if not np.allclose(got, want, atol=1e-6):
        hint = "0 (black) must become 0.0 and 255 (white) 1.0: divide every grey level by 255"
        return _first_hint(got, mistakes) or hint
    return None


_LAYER_STACKS = ([784, 64, 10], [3, 5, 2], [100, 1], [20, 16, 8, 4])


@exercise(function="dense_params(sizes)")
def check_dense_param_count(answer: Any) -> str | None:
    """Exercise 0.2: ``answer(sizes)``, the weights and biases of Dense layers of these widths."""
    for sizes in _LAYER_STACKS:
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        got, want = answer(list(sizes)), sum(n * m + m for n, m in pairs)
        if isinstance(got, bool) or not isinstance(got, int | float | np.integer | np.floating):
            return f"return a number, got {got!r} for {sizes}"
        mistakes = {
            sum(n * m for n, m in pairs): "you counted the weights but not the biases: each "
            "unit has one bias",
            want + sizes[0]: "the input has no biases: only the layers' units have one",
            pairs[0][0] * pairs[0][1] + pairs[0][1]: "that is the first layer only; add up "
            "every pair of neighbouring widths",
            int(np.prod(sizes)): "multiply neighbouring widths only, then add the layers up",
        }
        if got != want:
            return mistakes.get(got, f"for {sizes} the answer is not {got}: a Dense layer from n "
                                "inputs to m units has n × m weights and m biases")  # fmt: skip
    return None


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | np.integer | np.floating)


@exercise
def check_compute_optimal_model(answer: Any) -> str | None:
    """Exercise 1.1: ``answer(budget, peak, utilization, price, tokens_per_parameter=20)`` -> (N, D)."""
    if not callable(answer):
        return "answer must be a function (budget, peak_flops_per_second, utilization, price_per_gpu_hour, tokens_per_parameter=20)"
    for *inputs, per_parameter in ((1e5, 150e12, 0.35, 2.0, 20), (2e3, 4e14, 0.5, 2.5, 20), (1e6, 1e15, 0.4, 4.0, 10)):  # fmt: skip
        budget, peak, utilization, price = inputs
        result = answer(*inputs, *([per_parameter] if per_parameter != 20 else []))
        pair = list(np.ravel(result)) if isinstance(result, tuple | list | np.ndarray) else []
        if len(pair) != 2 or not all(_is_number(x) and x > 0 for x in pair):
            return f"return a pair of positive numbers (num_parameters, num_tokens), got {result!r}"
        shape = float(pair[1]) / float(pair[0])  # D / N
        ratio = float(pair[0]) / math.sqrt(budget / price * 3600 * peak * utilization / (6 * per_parameter))  # fmt: skip
        mistakes = [  # (your value, its value for a classic mistake, the hint)
            (1 / shape, per_parameter, "you returned (num_tokens, num_parameters); put the parameters first"),
            (shape, 20 if per_parameter != 20 else 0, f"use tokens_per_parameter={per_parameter}, not a fixed 20"),
            (ratio, math.sqrt(3), "you priced 2·N·D FLOPs (inference); training costs 6 per parameter and token"),
            (ratio, 1 / 60, "budget / price is accelerator-hours: multiply by 3600 to get seconds"),
            (ratio, 1 / 3600, "budget / price is accelerator-hours: multiply by 3600 to get seconds, do not divide"),
            (ratio, 1 / math.sqrt(utilization), "you assumed the full peak: you achieve peak × utilization"),
            (ratio, 1 / utilization, "multiply the peak by the utilisation (you get less), do not divide"),
            (ratio, math.sqrt(price), "the budget is money: divide it by the price to get accelerator-hours"),
            (ratio, price, "divide the budget by the price per accelerator-hour, do not multiply"),
            (ratio, math.sqrt(per_parameter), "the tokens grow with the model: 6·N·D = 6 · tokens_per_parameter · N²"),
        ]  # fmt: skip
        hint = next((hint for value, wrong, hint in mistakes if math.isclose(value, wrong, rel_tol=0.01)), None)  # fmt: skip
        if not hint and not math.isclose(shape, per_parameter, rel_tol=0.01):
            hint = f"num_tokens must be tokens_per_parameter × num_parameters, not {shape:.3g} ×"
        if hint or not math.isclose(ratio, 1, rel_tol=0.01):
            return (
                hint
                or f"for the inputs ({', '.join(f'{x:g}' for x in inputs)}) your N = {pair[0]:.3g} does not cost the budget: budget / price × 3600 × peak × utilization = 6 · N · D, with D = tokens_per_parameter · N; solve for N"
            )
    return None


@exercise(function="data_for_target(sizes, scores, target)")
def check_data_for_target(answer: Any) -> str | None:
    """Exercise 1.2: ``answer(sizes, scores, target)``, the size at which a power law in the error
    (1 - score = a · size^-b, a straight line on log-log axes) reaches ``target``."""
    sizes = np.array([100.0, 300.0, 1000.0, 3000.0])
    for scale, exponent, target in ((0.5, 0.3, 0.99), (2.0, 0.5, 0.995), (0.3, 0.2, 0.9)):
        scores = 1 - scale * sizes**-exponent
        want = (scale / (1 - target)) ** (1 / exponent)
        got = answer(sizes.tolist(), scores.tolist(), target)
        got = got.item() if isinstance(got, np.ndarray) and got.size == 1 else got
        if not _is_number(got) or not got > 0:
            return f"return the number of examples as a positive number, got {got!r}"
        slope, intercept = np.polyfit(np.log(sizes), scores, 1)  # the score, not the error
        mistakes = (  # (what a classic mistake returns, the hint)
            (math.log(want), "return the number of examples, not its logarithm: undo the log"),
            (math.log10(want), "return the number of examples, not its logarithm: undo the log"),
            ((scale / target) ** (1 / exponent), "the error is 1 - score: solve for an error of 1 - target"),
            (math.exp((target - intercept) / slope), "fit log(1 - score), not the score: the score levels off near 1, the error keeps falling as a power law"),
        )  # fmt: skip
        hint = next((hint for wrong, hint in mistakes if math.isclose(got, wrong, rel_tol=0.02)), None)  # fmt: skip
        if hint or not math.isclose(got, want, rel_tol=0.02):
            return (
                hint
                or f"for scores 1 - {scale:g}·size^-{exponent:g} and target {target:g} the answer is not {got:.4g}: fit a line to log(1 - score) against log(size), then solve it for log(1 - target)"
            )
    return None


def _first_records(person_ids: list, cap: int) -> list[bool]:
    """True for each person's first ``cap`` records, in order (the right answer of Exercise 2.2)."""
    seen: dict = {}
    mask = []
    for person in person_ids:
        seen[person] = seen.get(person, 0) + 1
        mask.append(seen[person] <= cap)
    return mask


@exercise(function="bound_contributions(person_ids, max_per_person)")
def check_bound_contributions(answer: Any) -> str | None:
    """Exercise 2.2: ``answer(person_ids, max_per_person)`` masks each person's first k records."""
    names = ["ann", "bob", "ann", "ann", "cy", "bob", "ann"]
    for ids, cap in ((names, 2), (names, 1), (np.array([7, 7, 3, 7, 3, 3, 3, 9]), 3)):
        given = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
        got = np.asarray(answer(ids.copy(), cap))
        if got.shape != (len(given),) or got.dtype != bool:
            return f"return a NumPy boolean mask, one True/False per record ({len(given)} here), got {got!r}"
        mistakes = (  # (the mask a classic mistake gives, the hint)
            ([given.count(p) <= cap for p in given], "keep a heavy sender's first k records; do not drop the person altogether"),
            (_first_records(given[::-1], cap)[::-1], "keep each person's first k records in the given order, not the last k"),
            (_first_records(given, cap - 1), "keep k records per person, the k-th included"),
            (_first_records(given, cap + 1), "keep at most k records per person, not k + 1"),
        )  # fmt: skip
        if got.tolist() != _first_records(given, cap):
            hint = next((hint for wrong, hint in mistakes if got.tolist() == wrong), None)
            return hint or f"for ids {given} and max_per_person={cap}, got {got.tolist()}"
    return None


# Ids a hostile download list may contain, and the classic mistake each one catches: deleting
# '../' once, a prefix test without a separator, a test that does not resolve symbolic links.
_HOSTILE_IDS = {
    "../../evil": "", "../evil": "", "/tmp/evil": "", "a/../../b": "", "..": "", "./../x": "",
    "train/../../evil": "",
    "....//....//evil": " (deleting '../' once turns '....//' back into '../': refuse, do not repair)",
    "../downloads_evil/x": " ('.../downloads_evil' starts with the letters of '.../downloads': compare whole path parts, e.g. with Path.is_relative_to)",
    "shared/evil": " ('shared' is a symbolic link to another folder: resolve the path, which follows links, before you check where it is)",
}  # fmt: skip


@exercise(function="safe_path(folder, item_id)")
def check_safe_path(answer: Any) -> str | None:
    """Exercise 2.1: ``answer(folder, item_id)`` returns ``folder/<item_id>.jpg``, sub-folders
    allowed, or raises ValueError if the file would land outside ``folder`` (links followed)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "real" / "downloads").mkdir(parents=True)
        (root / "elsewhere").mkdir()
        try:  # reach the folder through a link, as /tmp is on macOS, and put a link inside it
            (root / "link").symlink_to(root / "real", target_is_directory=True)
            (root / "real" / "downloads" / "shared").symlink_to(root / "elsewhere", True)
            folder, links = root / "link" / "downloads", True
        except (OSError, NotImplementedError):  # no symbolic links allowed here (Windows)
            folder, links = root / "real" / "downloads", False
        real_folder = folder.resolve()
        for item_id in ("cat_01", "train/cat_01", "n01440764/n01440764_10026"):
            try:
                path = answer(folder, item_id)
            except ValueError as error:
                if item_id == "cat_01" and links:
                    return f"the plain id 'cat_01' was refused ({error}); if you compare resolved paths, resolve the folder too: here it is reached through a symbolic link"
                return f"the id {item_id!r} was refused ({error}), but its file stays inside the folder: accept sub-folders, refuse only ids that leave the folder"
            expected = real_folder.joinpath(*f"{item_id}.jpg".split("/"))
            if not isinstance(path, str | os.PathLike) or Path(path).resolve() != expected:
                return f"for the id {item_id!r} return folder / {item_id + '.jpg'!r}, got {path!r}"
        for hostile, hint in _HOSTILE_IDS.items():
            try:
                path = answer(folder, hostile)
            except ValueError:
                continue
            except Exception as error:  # noqa: BLE001 - any other exception is a wrong answer
                return f"for {hostile!r} raise ValueError (a clear refusal), not {type(error).__name__}"
            if not isinstance(path, str | os.PathLike):
                return f"for {hostile!r} raise ValueError or return a path inside the folder, not {path!r}"
            resolved = Path(path).resolve()
            if resolved == real_folder or not resolved.is_relative_to(real_folder):
                return f"the id {hostile!r} gives {path}, which is not a file inside the folder; refuse it with ValueError{hint}"
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


def _sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


def _lstm_preactivations(sequence, kernel, recurrent, bias, mode="right"):
    """z = x_t W + h_(t-1) U + b at every step of an LSTM from zero states, (steps, batch, 4 units);
    or a classic mistake: mode "stale" never updates h, "after" uses h_t instead of h_(t-1)."""
    h = c = np.zeros((len(sequence), recurrent.shape[0]))
    found = []
    for x_t in np.moveaxis(sequence, 1, 0):
        z = x_t @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h_t = _sigmoid(o) * np.tanh(c)
        found.append(x_t @ kernel + h_t @ recurrent + bias if mode == "after" else z)
        h = h if mode == "stale" else h_t
    return np.stack(found)


@exercise(function="forget_gates(sequence, kernel, recurrent_kernel, bias)")
def check_forget_gates(answer: Any) -> str | None:
    """Exercise 6.3: ``answer(sequence, kernel, recurrent_kernel, bias)``, the forget gate of every
    step of an LSTM that starts from zero states, ``(steps, batch, units)``."""
    rng, units = np.random.default_rng(3), 2
    weights = (rng.normal(0, 0.8, (3, 4 * units)), rng.normal(0, 0.8, (units, 4 * units)))
    sequence, weights = rng.normal(size=(2, 4, 3)), (*weights, rng.normal(0, 0.5, 4 * units))

    def forget(mode="right"):  # the forget block, through the sigmoid
        return _sigmoid(_lstm_preactivations(sequence, *weights, mode)[..., units : 2 * units])

    z, want = _lstm_preactivations(sequence, *weights), forget()
    got = np.asarray(answer(sequence.copy(), *weights), dtype=np.float64)
    if got.shape == (2, 4, units) and np.allclose(got, want.transpose(1, 0, 2), atol=1e-5):
        return "put the steps first: stack the gates into (steps, batch, units): np.stack(gates)"
    if got.shape != want.shape:
        return f"return one gate per step, (steps, batch, units) = {want.shape}, not {got.shape}"
    mistakes = (
        (z[..., units : 2 * units], "you have the pre-activation; apply the sigmoid"),
        (forget("stale"), "f_t depends on h_(t-1): update h (and c) with lstm_step at each step"),
        (forget("after"), "f_t uses the previous hidden state h_(t-1): compute it before you step"),
        (_sigmoid(z[..., :units]), "that is the input gate i; Keras orders the blocks i, f, g, o"),
        (_sigmoid(z[..., 3 * units :]), "that is the output gate o; f is the second block"),
    )
    if np.allclose(got, want, atol=1e-5):
        return None
    hint = "f_t = sigmoid(x_t @ kernel + h_(t-1) @ recurrent_kernel + bias)[:, units:2*units]"
    return _first_hint(got, mistakes, lambda a, b: np.allclose(a, b, atol=1e-5)) or hint


@exercise
def check_open_gru(model: Any) -> str | None:
    """Exercise 6.4: an untrained GRU classifier whose update gate starts near 1 (bias about 4)."""
    from . import rnn

    grus = [layer for layer in getattr(model, "layers", []) if type(layer).__name__ == "GRU"]
    if not grus:
        return "build a GRU classifier: build_rnn_classifier('gru', ...), then change its bias"
    cell = grus[0].cell
    bias, units = np.asarray(cell.get_weights()[2]), cell.units
    total = bias.sum(axis=0) if bias.ndim == 2 else bias  # Keras adds the input and recurrent rows
    z, r, h = (float(np.mean(total[k * units : (k + 1) * units])) for k in range(3))
    if max(abs(z), abs(r), abs(h)) < 0.5:
        return (
            "the bias is still Keras' default, 0: the GRU's bias has shape (2, 3 * units), so "
            "weights[2][UNITS:2*UNITS] selects no row; set one row's columns: weights[2][0, :UNITS]"
        )
    if z < -0.5:
        return "z near 0 replaces the state at every step (h = z*h + (1-z)*h~): use a bias > 0"
    if z < 3:
        which = "the reset gate r, the second block" if r >= 3 else "the candidate, the third block"
        if max(r, h) >= 3:
            return f"that is {which}; the blocks are z, r, h: z is the first UNITS columns"
        return f"z's bias adds up to {z:.1f} (z = {_sigmoid(z):.2f}); make it about 4, z near 0.98"
    if z > 5.5:
        return (
            f"z's bias adds up to {z:.1f}: both rows of the bias count (Keras adds them); set one "
            "row to about 4 and leave the other at 0"
        )
    if max(abs(r), abs(h)) >= 0.5:
        return (
            "change only the update gate z (the first UNITS columns); keep r and the candidate at 0"
        )
    rng = np.random.default_rng(0)
    ids = rng.integers(2, model.layers[0].input_dim, size=(4, 60))  # 60 random words
    curve = rnn.gradient_norm_per_timestep(model, ids, rng.integers(0, 2, size=4))
    if not (ratio := curve[0] / curve[-1]) > 1e-3:  # also catches a nan from a 0 gradient
        return f"the first word's gradient is {ratio:.1e} of the last word's: use a fresh model"
    return None


@exercise
def check_beats_simple_rnn(model: Any, x_test: Any, y_test: Any, f1_to_beat: float) -> str | None:
    """Exercise 6.2: a trained, masked classifier of two stacked LSTM layers whose test F1 beats
    the SimpleRNN's."""
    from . import rnn

    wrapped = [layer.forward_layer for layer in model.layers if hasattr(layer, "forward_layer")]
    layer_types = [type(layer).__name__ for layer in [*model.layers, *wrapped]]
    if "LSTM" not in layer_types:
        return f"the model has no LSTM layer (it has {', '.join(sorted(set(layer_types)))})"
    if "SimpleRNN" in layer_types:
        return "replace the SimpleRNN by the LSTM rather than adding one"
    if layer_types.count("LSTM") < 2:
        return (
            "that is one LSTM layer, like the lesson's: stack a second one on it; the first "
            "needs return_sequences=True to pass on one state per step"
        )
    embeddings = [layer for layer in model.layers if type(layer).__name__ == "Embedding"]
    if embeddings and not embeddings[0].mask_zero:
        return "mask the padding: build the Embedding with mask_zero=True"
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


# Exercise 4.1: the stacks flatten_size is tried on: (description, image size, in_channels,
# layers as (kind, kernel or pool size, stride, padding, filters)); tests compare them with Keras.
# fmt: off
_FLATTEN_CASES = (
    ("the seed's stack", 28, 1, [("conv", 5, 1, "same", 32), ("pool", 2, 2, "valid", None),
                                 ("conv", 5, 1, "same", 64), ("pool", 2, 2, "valid", None)]),
    ("the keras.io convnet", 28, 1, [("conv", 3, 1, "valid", 32), ("pool", 2, 2, "valid", None),
                                     ("conv", 3, 1, "valid", 64), ("pool", 2, 2, "valid", None)]),
    ("a stride-2 'same' convolution and a 'same' pool on 29x29", 29, 1,
     [("conv", 3, 2, "same", 8), ("pool", 2, 2, "same", None), ("conv", 3, 1, "valid", 16)]),
    ("a stride-2 'valid' convolution on a 32x32x3 image", 32, 3, [("conv", 5, 2, "valid", 12)]),
    ("a pool alone on a 28x28x3 image", 28, 3, [("pool", 2, 2, "valid", None)]),
)
# fmt: on
# The classic mistakes, each a wrong way to walk a stack, with its hint.
_FLATTEN_MISTAKES = {
    "all_valid": "you treat every layer as padding='valid'; 'same' keeps ceil(size / stride)",
    "all_same": "you treat every layer as padding='same'; 'valid' shrinks the size to "
    "floor((size - kernel) / stride) + 1 (the keras.io convnet: 28 -> 26)",
    "no_plus_one": "count the positions: 'valid' gives floor((size - kernel) / stride) + 1; "
    "conv_output_size does it for you",
    "pool_stride_one": "a 2x2 pool moves by its stride, 2, and halves the size; you moved it by 1",
    "ignores_stride": "use each layer's stride: a stride-2 convolution halves the size",
    "no_channels": "you return height * width; multiply by the channels (the last "
    "convolution's filters)",
    "first_filters": "the channels are the filters of the last convolution, not of the first",
    "channels_start_at_one": "before any convolution the channels are the input's "
    "(in_channels): pooling keeps them",
    "true_division": "sizes are whole numbers: use floor division, (size - kernel) // stride + 1, "
    "or conv_output_size (a 2x2 pool on 11 gives 5, not 5.5)",
}


def _flatten_reference(image_size: int, in_channels: int, stack: list, mistake: str = "") -> int:
    """The flatten size of ``stack``, walked right (``mistake=""``) or with one classic mistake."""
    side, channels = image_size, 1 if mistake == "channels_start_at_one" else in_channels
    seen_conv = False
    for kind, size, stride, padding, filters in stack:
        padding = {"all_valid": "valid", "all_same": "same"}.get(mistake, padding)
        if mistake == "ignores_stride" or (mistake == "pool_stride_one" and kind == "pool"):
            stride = 1
        if padding == "same":
            side = math.ceil(side / stride)
        elif mistake == "true_division":
            side = (side - size) / stride + 1
        else:
            side = (side - size) // stride + (0 if mistake == "no_plus_one" else 1)
        if kind == "conv" and not (mistake == "first_filters" and seen_conv):
            channels, seen_conv = filters, True
    return int(side * side * (1 if mistake == "no_channels" else channels))


@exercise
def check_flatten_size(answer: Any) -> str | None:
    """Exercise 4.1: ``flatten_size(image_size, stack, in_channels=1)``, tried on several stacks."""
    if not callable(answer):
        if _is_number(answer) and answer == 7 * 7 * 64:
            return (
                "3136 is the seed's flatten size; write a function that computes it for any stack"
            )
        return f"flatten_size must be a function (image_size, stack, in_channels=1), got {answer!r}"
    try:
        inspect.signature(answer).bind(28, [], 1)
    except TypeError:
        return "flatten_size must take (image_size, stack, in_channels=1)"
    except ValueError:  # a callable without a signature: just call it
        pass
    results = []
    for description, image_size, in_channels, stack in _FLATTEN_CASES:
        try:
            value = answer(image_size, [tuple(layer) for layer in stack], in_channels)
        except Exception as error:
            none = " (a pool's filters are None: pooling keeps the channels)"
            return f"for {description} your function raised {type(error).__name__}: {error}" + (
                none if "NoneType" in str(error) else ""
            )
        if isinstance(value, tuple | list | np.ndarray):
            return f"for {description} you return {value!r}, a shape; return the number of values"
        if not _is_number(value) or not float(value).is_integer():
            return (
                f"return a whole number (use // or conv_output_size); for {description}: {value!r}"
            )
        results.append(int(value))
    runs = {
        m: [_flatten_reference(*case[1:], m) for case in _FLATTEN_CASES]
        for m in ["", *_FLATTEN_MISTAKES]
    }
    if results == runs[""]:
        return None
    if len(set(results)) == 1:
        return f"your function returns {results[0]} whatever the stack; compute it from the stack"
    for mistake, hint in _FLATTEN_MISTAKES.items():
        if results == runs[mistake]:
            return hint
    description, result, truth = next(
        (case[0], got, right)
        for case, got, right in zip(_FLATTEN_CASES, results, runs[""], strict=True)
        if got != right
    )
    return f"for {description} Flatten sees {truth} values, you say {result}; use conv_output_size"


def _leaf_layers(model: Any) -> list:
    """The layers of ``model``, with those of nested models (a Sequential inside a model)."""
    import keras

    found = []
    for layer in model.layers:
        found += _leaf_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return found


@exercise
def check_fixed_seed_model(model: Any) -> str | None:
    """Exercise 4.2: the colleague's CNN fixed: ``keras.Input``, channel axis, loss fits output."""
    import keras

    if not isinstance(model, keras.Model):
        return f"model must be a keras.Model, got {type(model).__name__}"
    model_layers = _leaf_layers(model)
    if any(getattr(layer, "_input_shape_arg", None) is not None for layer in model_layers):
        return (
            "declare the input with keras.Input(shape=...), not input_shape= on a layer (Keras 2)"
        )
    if tuple(model.input_shape) != (None, 28, 28, 1):
        return (
            f"the input must be (None, 28, 28, 1), as prepare_images gives; got {model.input_shape}"
        )
    kinds = [type(layer).__name__ for layer in model_layers]
    sizes = [
        (layer.filters, *layer.kernel_size) if kind == "Conv2D" else layer.units
        for layer, kind in zip(model_layers, kinds, strict=True)
        if kind in ("Conv2D", "Dense")
    ]
    if sizes != [(16, 3, 3), 10] or kinds.count("MaxPooling2D") != 1:
        return (
            "keep the colleague's layers, fix only the bugs: Conv2D(16, 3), MaxPool(2), Dense(10)"
        )
    activations = [
        kind.lower() if kind in ("ReLU", "Softmax") else getattr(layer.activation, "__name__", "")
        for layer, kind in zip(model_layers, kinds, strict=True)
        if kind in ("ReLU", "Softmax") or hasattr(layer, "activation")
    ]
    if "relu" not in activations:
        return "keep the ReLU of the convolution: without it the network is one linear map"
    if activations.count("softmax") > 1:
        return "the model applies softmax twice; one softmax at the end is enough"
    loss = getattr(model, "loss", None)
    if getattr(model, "optimizer", None) is None or loss is None:
        return "compile the model (optimizer, loss, metrics) before checking it"
    config = loss.get_config() if isinstance(loss, keras.losses.Loss) else {}
    from_logits = bool(config.get("from_logits", False))  # a name or a function expects no logits
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)
    name = name.replace("_", "").lower()
    if "binary" in name:
        return (
            "binary cross-entropy is for two classes; there are 10: SparseCategoricalCrossentropy"
        )
    if "sparsecategoricalcrossentropy" not in name:
        return "the labels are integers 0-9: use SparseCategoricalCrossentropy (categorical " + (
            "cross-entropy expects one-hot labels)" if "categorical" in name else "cross-entropy)"
        )
    out = np.asarray(model(np.random.default_rng(0).random((4, 28, 28, 1)), training=False))
    probabilities = bool(np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1, atol=1e-3))
    if probabilities and from_logits:
        return "the model already ends in a softmax, so the loss must use from_logits=False"
    if not probabilities and not from_logits:
        return "the model outputs raw scores (logits), so the loss needs from_logits=True"
    return None


def _loss_and_accuracy(model: Any, images: Any, labels: Any) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of a softmax classifier, in inference mode."""
    probabilities = np.asarray(model.predict(images, verbose=0, batch_size=256), dtype=np.float64)
    labels = np.asarray(labels).reshape(-1).astype(int)
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1.0)
    return float(-np.log(picked).mean()), float((probabilities.argmax(axis=-1) == labels).mean())


@exercise
def check_bn_dropout_model(
    model: Any, history: Any, *, budget: tuple, validation: tuple, test: tuple, target: float,
    max_epochs: int = 3,
) -> str | None:  # fmt: skip
    """Exercise 5.1: the keras.io convnet with BN and dropout, trained within the budget.

    ``history`` is what ``fit_with_recipe`` returned: its ``params`` hold the epochs, the steps per
    epoch and the number of training images (``samples``), so the run can be held to ``budget``.
    """
    import keras

    if not isinstance(model, keras.Model):
        return f"model must be a keras.Model, got {type(model).__name__}"
    if not isinstance(history, keras.callbacks.History):
        return f"pass the History that fit_with_recipe returned, got {type(history).__name__}"
    model_layers = _leaf_layers(model)
    batchnorms = [
        layer for layer in model_layers if isinstance(layer, keras.layers.BatchNormalization)
    ]
    if not batchnorms:
        return "add layers.BatchNormalization() after each convolution (before its ReLU)"
    if not any(isinstance(layer, keras.layers.Dropout) for layer in model_layers):
        return "keep a layers.Dropout(...) before the classifier"
    filters = [layer.filters for layer in model_layers if isinstance(layer, keras.layers.Conv2D)]
    if (
        filters != [32, 64]
        or sum(isinstance(layer, keras.layers.Dense) for layer in model_layers) != 1
    ):
        return (
            "start from the keras.io convnet (notebook 04's build_keras_io_baseline): 3x3 "
            f"convolutions with 32 and 64 filters, one Dense output; yours has filters {filters}"
        )
    if history.model is not model:
        return "that History comes from another model; pass the one fit_with_recipe returned"
    samples, steps = history.params.get("samples"), history.params["steps"]
    epochs = len(history.epoch)
    if samples is None:
        return "train it with fit_with_recipe: it records in the History how many images it used"
    if epochs > max_epochs:
        return f"you trained for {epochs} epochs; the budget is {max_epochs}"
    (x_budget, y_budget), (x_val, y_val), (x_test, y_test) = budget, validation, test
    if samples != len(x_budget):
        where = (
            ", as many as the test set: keep it for the final number"
            if samples == len(x_test)
            else ""
        )
        return f"you trained on {samples:,} images{where}; the budget is {len(x_budget):,} images"
    if int(model.optimizer.iterations.numpy()) != steps * epochs:
        return (
            f"the model took {int(model.optimizer.iterations.numpy())} optimiser steps, not the "
            f"{steps * epochs} of the run whose History you passed: train it once, with one call"
        )
    logged = history.history["val_loss"][-1]
    if not math.isclose(logged, model.evaluate(x_val, y_val, verbose=0)[0], rel_tol=1e-3):
        if math.isclose(logged, model.evaluate(x_test, y_test, verbose=0)[0], rel_tol=1e-3):
            return "you validated on the test set: pass validation_data=(x_val, y_val)"
        return "the model changed after the run whose History you passed: build and train it once"
    if history.history["accuracy"][0] >= 0.8:
        return (
            f"the model was {history.history['accuracy'][0]:.0%} right in its first epoch: was it "
            "trained before this run? Build it anew in the cell that trains it"
        )
    test_loss, accuracy = _loss_and_accuracy(model, x_test, y_test)
    if accuracy < target:
        schedule = getattr(model.optimizer, "_learning_rate", None)  # a schedule or a constant
        if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            advice = "BN tolerates a larger learning rate: try train_recipe('course', epochs=3)"
        elif max(layer.momentum for layer in batchnorms) > 0.95:
            advice = "lower BN's momentum to 0.9: over so few steps its moving averages lag"
        else:
            advice = f"use all {max_epochs} epochs, or a smaller batch: more steps"
        return f"test accuracy {accuracy:.1%} is below the target {target:.1%}: {advice}"
    budget_loss = _loss_and_accuracy(model, x_budget, y_budget)[0]
    if test_loss < budget_loss:
        return (
            f"the model fits the test images better than its training images (loss {test_loss:.3f} "
            f"against {budget_loss:.3f}): did it train on test images? Train on x_budget only"
        )
    print(f"test accuracy {accuracy:.1%}, {samples:,} training images, {epochs} epochs")
    return None


@exercise
def check_upsampling_generator(model: Any) -> str | None:
    """Exercise 7.1: a generator 64-d noise -> ``(28, 28, 1)`` in [-1, 1] that upsamples with
    ``UpSampling2D`` + ``Conv2D`` instead of ``Conv2DTranspose``."""
    import keras

    if not isinstance(model, keras.Model):
        return f"build a keras.Model (e.g. keras.Sequential), got {type(model).__name__}"
    kinds = [type(layer).__name__ for layer in model.layers]
    if tuple(model.input_shape) != (None, 64):
        return f"start with keras.Input(shape=(64,)), the latent vector; not {model.input_shape}"
    if "Conv2DTranspose" in kinds:
        return "upsample with layers.UpSampling2D() followed by layers.Conv2D, not Conv2DTranspose"
    if "UpSampling2D" not in kinds:
        return "double the size with layers.UpSampling2D() (each pixel repeated 2x2), then a Conv2D"
    size, channels = model.output_shape[1], model.output_shape[-1]
    if size == 56:
        return "three UpSampling2D layers double 7 three times, 7 -> 14 -> 28 -> 56: use two"
    if size is not None and size < 28 and kinds.count("UpSampling2D") == 2:
        return f"the output is {size}x{size}: padding='valid' trims each Conv2D; use padding='same'"
    if channels != 1:
        return f"the last Conv2D makes {channels} channels; a grey digit has 1"
    if tuple(model.output_shape) != (None, 28, 28, 1):
        return f"the output is {model.output_shape[1:]}: from a 7x7 map, upsample twice to 28x28"
    if getattr(getattr(model.layers[-1], "activation", None), "__name__", "") != "tanh":
        return "end with activation='tanh': pixels in [-1, 1], like the scaled real digits"
    dense = next((layer for layer in model.layers if isinstance(layer, keras.layers.Dense)), None)
    if dense is not None and getattr(dense.activation, "__name__", "") != "linear":
        return "leave the Dense layer linear: BatchNormalization then LeakyReLU follow it"
    return None


@exercise(function="frechet_diagonal(features_a, features_b)")
def check_frechet_diagonal(answer: Any) -> str | None:
    """Exercise 7.2: ``answer(features_a, features_b)``, the Fréchet distance of Gaussians with
    diagonal covariances: sum over features of (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2."""
    from . import gan

    rng = np.random.default_rng(0)
    mixing = np.array([[1.0, 0.8, 0.0], [0.0, 0.6, 0.5], [0.0, 0.0, 1.2]])
    a, b = rng.normal(size=(40, 3)) @ mixing, rng.normal(0.5, 1.5, size=(30, 3))

    def distance(spread_a, spread_b):
        return float(np.sum((a.mean(0) - b.mean(0)) ** 2) + np.sum((spread_a - spread_b) ** 2))

    want = distance(a.std(0, ddof=1), b.std(0, ddof=1))
    got = answer(a.copy(), b.copy())
    if isinstance(got, bool) or not np.ndim(got) == 0:
        return f"return one number, the sum over the features; got {got!r}"
    got = float(got)
    if math.isclose(got, want, rel_tol=1e-6):
        return None
    mistakes = {
        gan.frechet_distance(a, b): "that is the full-covariance distance (frechet_distance); "
        "keep only each feature's own spread: sum of (sigma_a - sigma_b)^2",
        distance(a.std(0), b.std(0)): "use the sample standard deviation, std(ddof=1) as np.cov "
        "does, not NumPy's default ddof=0",
        distance(a.var(0, ddof=1), b.var(0, ddof=1)): "(sigma_a - sigma_b)^2 takes standard "
        "deviations, not variances",
        math.sqrt(want): "FID reports the squared distance d^2: do not take the square root",
        float(np.sum((a.mean(0) - b.mean(0)) ** 2)): "that is only the mean term: add the spread "
        "term, sum of (sigma_a - sigma_b)^2",
        (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2: "those are statistics "
        "of all the numbers at once: compute them per feature (axis=0), then sum",
    }
    hint = f"{got:.4g} is not it: sum (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2 over the features"
    return _first_hint(got, mistakes.items(), lambda a, b: math.isclose(a, b, rel_tol=1e-6)) or hint


@exercise
def check_two_step_gan(answer: Any) -> str | None:
    """Exercise 7.3: a ``DCGAN`` subclass whose ``train_step`` updates the discriminator once and
    the generator twice per batch."""
    import keras

    from . import gan

    if not (isinstance(answer, type) and issubclass(answer, keras.Model)):
        return f"answer must be the class itself, a subclass of DCGAN; got {answer!r}"
    if not hasattr(answer, "discriminator_loss"):
        return "subclass the notebook's DCGAN: class TwoStepDCGAN(DCGAN)"
    if "train_step" not in vars(answer):
        return "override train_step in your class; it inherits DCGAN's, one update each"
    keras.utils.set_random_seed(0)
    model = answer(gan.build_generator(8, base_filters=4), gan.build_discriminator(4), seed=0)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
        run_eagerly=True,  # one step: no graph to trace
    )
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    try:
        logs = model.fit(images, epochs=1, batch_size=4, verbose=0).history
    except Exception as error:  # e.g. a train_step that returns {} fails inside Keras
        return (
            f"training one batch failed ({type(error).__name__}); does train_step end with "
            "return self.update_metrics(...), as DCGAN's does?"
        )
    draws = int(model.seed_generator.state.numpy()[-1])  # one per keras.random.normal call
    d_steps, g_steps = (
        int(opt.iterations.numpy()) for opt in (model.d_optimizer, model.g_optimizer)
    )
    if d_steps != 1:
        return f"one batch updated the discriminator {d_steps} times; update it once"
    if g_steps != 2:
        return (
            f"one batch updated the generator {g_steps} time(s), not 2: repeat its update in a loop"
        )
    if draws < 3:
        return (
            f"the batch drew noise {draws} time(s): draw fresh noise for the discriminator and for "
            "each generator update, with keras.random.normal(..., seed=self.seed_generator)"
        )
    if not {"d_loss", "g_loss"} <= set(logs):
        return "return self.update_metrics(...) at the end of train_step, as DCGAN does"
    return None


@exercise(function="sliding_window_mask(length, window)")
def check_sliding_window_mask(answer: Any) -> str | None:
    """Exercise 3.1: ``answer(length, window)``, True where key j is one of the ``window`` last
    positions up to query i: ``i - window < j <= i``."""
    for length, window in ((6, 3), (5, 2), (4, 1), (3, 5)):
        i, j = np.indices((length, length))
        got, want = np.asarray(answer(length, window)), (j <= i) & (i - j < window)
        case = f"sliding_window_mask({length}, {window})"
        if got.shape != want.shape:
            return f"{case} must have shape {want.shape} (queries, keys); got {got.shape}"
        if got.dtype != bool:
            return f"{case} holds {got.dtype}: return a bool array (attention refuses others)"
        mistakes = {
            "transpose": (want.T, "that is the transpose: row i is query i, and it may see "
                          "itself and the keys before it (below the diagonal)"),
            "wider": ((j <= i) & (i - j <= window), "one key too many: the window counts the "
                      "query itself, so window=3 keeps keys i-2, i-1 and i"),
            "diagonal": ((j < i) & (i - j <= window), "a query may attend to itself: keep the "
                         "diagonal, and window-1 keys before it"),
            "symmetric": (np.abs(i - j) < window, "a decoder must not see later tokens: keep "
                          "only keys j <= i"),
            "causal": (j <= i, "that is the full causal mask: also hide the keys more than "
                       "window-1 positions back"),
        }  # fmt: skip
        if not np.array_equal(got, want):
            if hint := _first_hint(got, mistakes.values(), np.array_equal):
                return f"{case}: {hint}"
            return f"{case} is wrong: query i may attend to keys i-window+1, ..., i (and j >= 0)"
    return None


@exercise(function="gan_value_from_logits(real_logits, fake_logits)")
def check_gan_value_from_logits(answer: Any) -> str | None:
    """Exercise 3.2: ``answer(real_logits, fake_logits)`` = V(D, G) for a D that outputs logits."""
    real, fake = np.array([2.0, 0.5, -1.0, 3.0]), np.array([-2.5, 0.3, -0.7])

    def log_sigmoid(x):
        return -np.logaddexp(0.0, -x)

    try:
        got = float(answer(real.copy(), fake.copy()))
    except ValueError as error:
        if "probabilit" in str(error):
            return "those are logits: turn them into probabilities with the sigmoid first"
        raise
    want = (
        log_sigmoid(real).mean() + log_sigmoid(-fake).mean()
    )  # log(1 - sigmoid(x)) = log sigmoid(-x)
    if math.isnan(got):
        return "your function returns nan: the log of a logit below 0? Apply the sigmoid first"
    if math.isclose(got, want, rel_tol=1e-5):
        guessing = float(answer(np.zeros(5), np.zeros(7)))
        if not math.isclose(guessing, -math.log(4), rel_tol=1e-5):
            return (
                f"for logits 0 (D = 0.5 everywhere) your function gives {guessing:.4f}, not -log 4"
            )
        return None
    mistakes = {
        -want: "mind the sign: that is the discriminator's loss; V = E[log D] + E[log(1 - D)] <= 0",
        want / 2: "V adds the two expectations; notebook 07's d_loss averages them (V = -2 d_loss)",
        log_sigmoid(real).mean() + log_sigmoid(fake).mean(): "for the generated samples the term "
        "is log(1 - D(G(z))), not log D(G(z))",
        log_sigmoid(-real).mean() + log_sigmoid(fake).mean(): "you swapped the real and the "
        "generated logits",
        log_sigmoid(real).sum() + log_sigmoid(-fake).sum(): "the expectations are means over "
        "each batch, not sums",
    }
    hint = f"{got:.4f} is not V: with D = sigmoid(logit), V = mean log D(x) + mean log(1 - D(G(z)))"
    return _first_hint(got, mistakes.items(), lambda a, b: math.isclose(a, b, rel_tol=1e-5)) or hint


@exercise
def check_new_entry(entry: Any) -> str | None:
    """Exercise 3.3: a valid, new multiple-choice entry for the interview bank (source course)."""
    from collections.abc import Mapping

    from . import config, qa

    if not isinstance(entry, Mapping):
        return "write the entry as a dict, like one item of data/interview_qa.yaml"
    if entry.get("source") != "course":
        return "a question you write yourself has source: course (no seed block)"
    bank = qa.load_bank()
    problems = qa.validate_entry(entry, bank.topics)
    if problems:
        return "the schema check found: " + "; ".join(problems)
    if entry["id"] in {question.id for question in bank.questions}:
        return f"id {entry['id']!r} is already in the bank; choose a new one"
    asked = {question.question["en"].strip().lower() for question in bank.questions}
    if entry["question"]["en"].strip().lower() in asked:
        return "the bank already asks this question; write a new one"
    if "options" not in entry:
        return "make it multiple choice: add options (a list of {en, zh}) and correct"
    links, folder = entry.get("link", []), config.REPO_ROOT / "notebooks"
    for notebook in [links] if isinstance(links, str) else links:  # v2: one link or a list
        if folder.is_dir() and not (folder / notebook.split("#")[0]).is_file():
            return f"link to a notebook of the course; there is no notebooks/{notebook}"
    return None


# Exercise 8.1's spam matrix: rows true, columns predicted, [[TN, FP], [FN, TP]].
EXERCISE_8_1_MATRIX = ((850, 30), (20, 100))
_MATRICES = (
    EXERCISE_8_1_MATRIX,
    ((5, 1, 0), (2, 3, 1), (0, 1, 4)),
    ((8, 0, 0), (2, 0, 0), (0, 0, 2)),
)


@exercise(function="precision_recall_per_class(matrix)")
def check_precision_recall_per_class(answer: Any) -> str | None:
    """Exercise 8.1: ``answer(matrix)`` returns ``(precision, recall)``, one value per class, from a
    confusion matrix with true classes in rows; 0.0 for a class never predicted."""
    for matrix in _MATRICES:
        m = np.array(matrix, dtype=float)
        diagonal, predicted, actual = np.diag(m), m.sum(axis=0), m.sum(axis=1)
        with np.errstate(invalid="ignore"):  # 0/0 for a class never predicted: 0.0
            want = np.nan_to_num(np.stack([diagonal / predicted, diagonal / actual]))
        result = answer(np.array(matrix))
        if not isinstance(result, tuple | list) or len(result) != 2:
            return "return a pair: (precision, recall), each with one value per class"
        parts = [np.asarray(part, dtype=float).ravel() for part in result]
        if any(part.size != len(m) for part in parts):
            return f"give one precision and one recall per class, {len(m)} each here"
        got = np.stack(parts)
        if np.allclose(got, want[::-1]):
            return (
                "you swapped the axes: precision divides by a column sum (the predicted count, "
                "axis=0), recall by a row sum (the true count, axis=1)"
            )
        if np.isnan(got).any() and np.allclose(np.nan_to_num(got), want):
            return "a class never predicted has precision 0/0: return 0.0 there, as divide does"
        if np.allclose(got, diagonal / m.sum()):
            return "divide by the class's column (precision) or row (recall), not by all examples"
        if not np.allclose(got, want):
            return "precision k = m[k, k] / sum of column k; recall k = m[k, k] / sum of row k"
    return None


def _ranking(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and distinct scores whose precision goes up and down as the threshold falls."""
    rng = np.random.default_rng(seed)
    y_true = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
    return y_true, np.sort(rng.uniform(0.02, 0.98, len(y_true)))[::-1]


@exercise(function="threshold_for_precision(y_true, scores, target_precision)")
def check_threshold_for_precision(answer: Any) -> str | None:
    """Exercise 8.2: ``answer(y_true, scores, target_precision)``, the lowest threshold whose
    precision (flagging ``scores >= t``) reaches the target: it catches the most positives."""
    for seed, target in ((0, 0.75), (1, 2 / 3), (2, 0.6)):
        y_true, scores = _ranking(seed)
        flagged = np.arange(1, len(scores) + 1)  # flag the top k, k = 1, 2, ...
        precision_at = np.cumsum(y_true) / flagged
        lowest = scores[np.flatnonzero(precision_at >= target - 1e-12)[-1]]
        got = answer(y_true.copy(), scores.copy(), target)
        if isinstance(got, bool) or not np.ndim(got) == 0:
            return f"return one threshold (a float), got {got!r}"
        flags = scores >= float(got)
        reached = y_true[flags].mean() if flags.any() else 1.0
        if reached < target - 1e-12:
            return f"that threshold is too low: its precision {reached:.3f} is below {target:.3f}"
        strict = np.flatnonzero(precision_at > target + 1e-12)
        if flags.sum() < np.sum(scores >= lowest) and len(strict) and got == scores[strict[-1]]:
            return (
                f"'reaches' means >=: a threshold whose precision equals {target:.3f} qualifies "
                "and catches more positives"
            )
        if flags.sum() < np.sum(scores >= lowest):
            return (
                f"precision {reached:.3f} meets the target {target:.3f}, but a lower threshold "
                "does too and catches more positives. Precision goes up and down as the "
                "threshold falls: check every threshold, not only until it first drops"
            )
    return None


@exercise(function="precision_at_k(y_true, scores, k)")
def check_precision_at_k(answer: Any) -> str | None:
    """Exercise 8.3: ``answer(y_true, scores, k)``, the share of positives among the ``k``
    highest scores."""
    rng = np.random.default_rng(0)
    y_true = (rng.random(40) < 0.3).astype(int)
    scores = 0.3 * y_true + rng.uniform(0, 0.7, 40)  # distinct scores
    ranked = y_true[np.argsort(-scores)]
    for k in (5, 12, 1):
        got = answer(y_true.copy(), scores.copy(), k)
        if isinstance(got, bool) or not np.ndim(got) == 0:
            return f"return one number, the precision among the top {k}; got {got!r}"
        mistakes = {
            ranked[::-1][:k].mean(): "those are the k lowest scores: sort from the highest "
            "(np.argsort(-scores))",
            ranked[:k].sum() / y_true.sum(): "that divides by all positives: recall at k; "
            "precision divides by the k you flagged",
            ranked[: k + 1].mean(): "one too many: take exactly the k highest scores",
            ranked[:k].sum() / len(y_true): "divide by k, the number flagged, not by all examples",
        }
        if not math.isclose(float(got), ranked[:k].mean()):
            if hint := _first_hint(float(got), mistakes.items(), math.isclose):
                return f"k={k}: {hint}"
            return f"for k={k} it is not {float(got):.3f}: take the share of positives in the top k"
    return None


@exercise(function="min_p_filter(logits, min_p)")
def check_min_p_filter(answer: Any) -> str | None:  # 9.1: logits where p >= min_p x max p
    for p, m in [([0.4, 0.25, 0.15, 0.11, 0.09], 0.3), ([0.05, 0.5, 0.15, 0.1, 0.2], 0.45)]:
        x, p, got = np.log(p), np.array(p), np.asarray(answer(np.log(p), m), dtype=float)
        mistakes = [  # the last two agree with min-p on sorted p only: hence the second case
            (np.where(p >= m, x, -np.inf), "compare with min_p x the largest probability"),
            (np.where(x >= m * x.max(), x, -np.inf), "compare probabilities, not logits"),
            (np.where(keep := p >= m * p.max(), p, -np.inf), "return logits, not probabilities"),
            (np.where(p >= m * p[0], x, -np.inf), "compare with probs.max(), not the first"),
            (np.where((p > p[:, None]) @ p < 1 - m, x, -np.inf), "min-p is not top-p(1 - min_p)"),
        ]
        if not np.allclose(got, np.where(keep, x, -np.inf)):  # -inf counts as equal to -inf
            return _first_hint(got, mistakes) or "keep the ids with p >= min_p x the largest p"


@exercise(function="kv_cache_bytes(num_layers, num_kv_heads, head_dim, tokens, batch, bytes)")
def check_kv_cache_bytes(answer: Any, fits: Any) -> str | None:
    """Exercise 9.2: 2 x layers x KV heads x head_dim x tokens x batch x bytes; ``fits`` in 80 GB."""
    want, got = 2 * math.prod(args := (3, 5, 16, 50, 7, 8)), answer(*args)  # distinct factors
    if not _is_number(got):
        return f"return the number of bytes as a number, got {got!r}"
    mistakes = [
        (1 / 2, "count keys AND values: two tensors per layer"),
        (1 / 5, "multiply by num_kv_heads: each KV head keeps head_dim values per token"),
        (1 / 7, "each conversation of the batch has its own cache: multiply by batch"),
        (1 / 8, "multiply by the bytes per value (2 for 16-bit)"),
        (1 / 4, "use bytes_per_value, not a fixed 2"),
        (8, "count bytes, not bits"),
    ]
    if not math.isclose(float(got), want):
        return _first_hint(float(got) / want, mistakes, math.isclose) or f"{args}: not {got}"
    free, per = np.array([66e9, 64e9]), 2 * 32 * np.array([32, 8]) * 128 * 4000 * 2  # bytes
    if not isinstance(fits, tuple | list) or len(fits) != 2 or not all(map(_is_number, fits)):
        return f"fits: a pair (Llama 2 7B, Llama 3 8B) of conversation counts; got {fits!r}"
    mistakes = [
        (80e9 // per, "the weights take their share of the 80 GB first: subtract them"),
        (
            free // per[0],
            "Llama 3 8B has 32 query heads but 8 KV heads: its cache keeps 8 x 128 values",
        ),
        (np.ceil(free / per), "round down: a conversation that does not fit whole does not fit"),
    ]
    if not np.allclose(fits, free // per):
        return _first_hint(fits, mistakes) or "(80 GB - weights) // one conversation's cache"
    return None


@exercise(function="quantize_int4_grouped(kernel, group_size)")
def check_quantize_int4_grouped(answer: Any, dequantize: Any) -> str | None:
    """Exercise 9.3: per group of input rows and column, q = round(w / (max |w| / 7)), dequantize."""
    w = np.random.default_rng(0).normal(size=(12, 8)) * np.repeat([[1], [8], [0.2]], 4, 0)
    for g in (4, 6):  # groups of rows whose largest |w| differ
        want = np.abs((w := w.astype("float32")).reshape(-1, g, 8)).max(1) / 7
        want_q, (q, scale) = np.round(w / np.repeat(want, g, 0)), map(np.asarray, answer(w + 0, g))
        shapes = {
            (8,): "one scale per column is no grouping: one per group_size rows of a column",
            (12, 8 // g): "group consecutive input rows (axis 0), not output columns",
        }
        if scale.shape != want.shape:
            return shapes.get(
                scale.shape[-1:] if scale.shape == (1, 8) else scale.shape,
                f"scale: shape {want.shape}, not {scale.shape}",
            )
        mistakes = [
            (
                np.abs(w.reshape(g, -1, 8)).max(0) / 7,
                "a group is consecutive rows: reshape(-1, group_size, outputs)",
            ),
            (
                np.broadcast_to(np.abs(w).max(0) / 7, want.shape),
                "one scale per group, not one per column",
            ),
            (
                want * 7 / 8,
                "4 bits hold -7..7 here: divide the largest |w| by 7 (with 8, +max is lost)",
            ),
            (want * 7 / 127, "4 bits hold -7..7: divide by 7, not 127"),
        ]
        if not np.allclose(scale, want):
            return _first_hint(scale, mistakes) or "scale: the largest |w| of the group / 7"
        if not np.array_equal(q, want_q):
            return (
                "round w / scale to the nearest integer, do not truncate"
                if np.array_equal(q, np.trunc(w / np.repeat(want, g, 0)))
                else "q = round(w / scale)"
            )
        if q.dtype != np.int8:
            return f"store q as int8 (.astype(np.int8)), not {q.dtype}: that is the memory saved"
        back = np.asarray(dequantize(want_q.astype(np.int8), want.astype("float32")))
        if (
            back.shape != w.shape
            or back.dtype != np.float32
            or not np.allclose(back, want_q * np.repeat(want, g, 0))
        ):
            tiled = back.shape == w.shape and np.allclose(back, want_q * np.tile(want, (g, 1)))
            return (
                "np.tile interleaves the groups: np.repeat(scale, group_size, axis=0)"
                if tiled
                else f"dequantize_grouped: float32 {w.shape}, q x the scale of its group"
            )
    try:
        answer(w[:10], 4)
    except ValueError:
        return None
    return "10 input rows do not split into groups of 4: raise ValueError"


@exercise(function="fit_power_law(x, y)")
def check_fit_power_law(answer: Any) -> str | None:
    """Exercise 10.1: ``(a, beta)`` of y = a x^-beta, by least squares on log y against log x."""
    from scipy.optimize import curve_fit

    rng = np.random.default_rng(0)
    for a, beta, x in [
        (7.0, 0.05, np.geomspace(5e10, 4e11, 4)),
        (300, 0.5, np.geomspace(10, 1e4, 7)),
    ]:
        y = a * x**-beta * np.exp(rng.normal(0, 0.05, len(x)))
        got = answer(x.copy(), y.copy())
        if not isinstance(got, tuple | list) or len(got) != 2 or not all(map(_is_number, got)):
            return f"return the pair (a, beta), two numbers; got {got!r}"
        (slope, icept), (s10, i10), (sx, ix) = (
            np.polyfit(u, v, 1)
            for u, v in [(np.log(x), np.log(y)), (np.log10(x), np.log10(y)), (np.log(y), np.log(x))]
        )
        mistakes = [
            ((-slope, np.exp(icept)), "return (a, beta) in that order"),
            ((np.exp(icept), slope), "y = a x^-beta falls, so beta = -slope > 0"),
            ((np.exp(i10), -s10), "you fitted log10 but undid it with exp: a = 10 ** intercept"),
            (
                curve_fit(lambda x, a, b: a * x**-b, x, y, p0=(np.exp(icept), -slope))[0],
                "fit a line to log y against log x, not the curve to y (the noise is relative)",
            ),
            ((np.exp(ix), -sx), "np.polyfit(x, y, 1) fits y against x: log x first, then log y"),
        ]
        if not np.allclose(got, (np.exp(icept), -slope)):
            return _first_hint(got, mistakes) or "polyfit log y on log x: a = exp(intercept)"
    return None


@exercise(function="compute_optimal(flops, tokens_per_parameter=20)")
def check_compute_optimal(answer: Any) -> str | None:
    """Exercise 10.2: ``(N, D)`` with flops = 6 N D and D = tokens_per_parameter x N."""
    for flops, per in [(1e21, 20), (3e23, 20), (4e11, 10)]:
        got = answer(flops, *([per] if per != 20 else []))
        if not isinstance(got, tuple | list) or len(got) != 2 or not all(map(_is_number, got)):
            return f"return the pair (N, D), two numbers; got {got!r}"
        n, root = math.sqrt(flops / (6 * per)), math.sqrt(flops / 6)
        mistakes = [
            ((per * n, n), "you returned (D, N): parameters first"),
            ((root, root), "D = tokens_per_parameter x N, not D = N"),
            (
                (n * 3**0.5, per * n * 3**0.5),
                "training costs 6 N D (forward 2, backward 4); 2 N D is one forward pass",
            ),
            ((n * n, per * n * n), "C = 6 tokens_per_parameter N^2: take the square root"),
        ]
        if not np.allclose(got, (n, per * n)):
            return _first_hint(got, mistakes) or f"C = {flops:g}: 6 N D = C with D = {per} N"
    return None


@exercise(function="best_per_budget(losses)")
def check_best_per_budget(answer: Any, is_interior: Any) -> str | None:
    """Exercise 10.3: per budget (column) the lowest loss and its first size (row); edges."""
    table = [
        [6.0, 5.8, 5.6, 5.45],
        [6.1, 5.8, 5.55, 5.41],
        [6.2, 5.9, 5.7, 5.41],
        [6.3, 6.0, 5.8, 5.5],
        [6.4, 6.1, 5.9, 5.7],
    ]
    got = answer([row[:] for row in table])
    best, index = (
        np.ravel(p) for p in (got if isinstance(got, tuple | list) and len(got) == 2 else ([], []))
    )
    if best.shape != index.shape or best.shape != (4,):
        return "return (best losses, best indices), one each per budget: a minimum down each column"
    mistakes = [
        ((np.max(table, 0), [4] * 4), "the best loss is the lowest: min, not max"),
        (
            (np.min(table, 0), [0, 1, 1, 2]),
            "on a tie, report the first (smaller) size, as np.argmin does",
        ),
    ]
    if not np.allclose(best, np.min(table, 0)) or not np.array_equal(index, [0, 0, 1, 1]):
        return (
            _first_hint(
                (best, index),
                mistakes,
                lambda u, v: np.allclose(u[0], v[0]) and np.array_equal(u[1], v[1]),
            )
            or "min and argmin per column"
        )
    for n, i in ((m, i) for m in (5, 3, 2, 1) for i in range(m)):
        if bool(is_interior(i, n)) != (0 < i < n - 1):
            return f"is_interior({i}, {n}): " + {
                0: "index 0, the smallest size tried, is an edge",
                n - 1: "index num_sizes - 1, the largest size tried, is an edge",
            }.get(i, "a size with sizes tried on both sides is inside the grid")
    return None
