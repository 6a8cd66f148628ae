"""Text classification with recurrent networks (notebook 04).

The pieces, in the order the notebook uses them:

* text pipeline: :func:`make_vectorizer` (a fitted ``keras.layers.TextVectorization``),
  :func:`token_lengths` and :func:`length_histogram` to choose the sequence length;
* one LSTM step by hand: :func:`lstm_step` (NumPy, Keras' weight layout and gate order);
* model builders: :func:`build_rnn_classifier` (SimpleRNN / LSTM / GRU / bidirectional GRU,
  ``mask_zero=True`` embeddings, uncompiled);
* training and evaluation: :func:`compile_classifier`, :func:`evaluate_binary`,
  :func:`train_and_evaluate` (also used by the benchmarks);
* vanishing gradients: :func:`gradient_norm_per_timestep`;
* the widget's logic: :func:`spam_probability`, :func:`word_importance`;
* exercise checks built with :func:`course_utils.checks.exercise`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import checks

if TYPE_CHECKING:
    import keras
    import matplotlib.pyplot as plt


# --------------------------------------------------------------------------- LSTM by hand
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _as_2d(name: str, value: np.ndarray, what: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D {what}, got shape {array.shape}.")
    return array


def lstm_step(
    x_t: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    kernel: np.ndarray,
    recurrent_kernel: np.ndarray,
    bias: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute one LSTM time step in NumPy, exactly as ``keras.layers.LSTMCell`` does.

    The weights use Keras' layout, the four gates side by side in the order input ``i``,
    forget ``f``, candidate cell ``c`` (often written ``g``) and output ``o``::

        z = x_t @ kernel + h_prev @ recurrent_kernel + bias      # (batch, 4 * units)
        i, f, g, o = split(z, 4)
        i, f, o = sigmoid(i), sigmoid(f), sigmoid(o)
        c_t = f * c_prev + i * tanh(g)
        h_t = o * tanh(c_t)

    Pass ``cell.get_weights()`` (or ``lstm_layer.get_weights()``) as ``kernel,
    recurrent_kernel, bias``; this matches Keras' defaults (``activation="tanh"``,
    ``recurrent_activation="sigmoid"``, ``use_bias=True``).

    Args:
        x_t: inputs at this step, float ``(batch, input_dim)``.
        h_prev: previous hidden state, float ``(batch, units)``.
        c_prev: previous cell state, float ``(batch, units)``.
        kernel: input weights, float ``(input_dim, 4 * units)``.
        recurrent_kernel: recurrent weights, float ``(units, 4 * units)``.
        bias: biases, float ``(4 * units,)``.

    Returns:
        ``(h_t, c_t)``: the new hidden and cell states, float64 ``(batch, units)`` each.

    Raises:
        ValueError: an array has the wrong rank or its shape does not match the others
            (the message names the array and the expected shape).
    """
    x_t = _as_2d("x_t", x_t, "(batch, input_dim)")
    h_prev = _as_2d("h_prev", h_prev, "(batch, units)")
    c_prev = _as_2d("c_prev", c_prev, "(batch, units)")
    kernel = _as_2d("kernel", kernel, "(input_dim, 4 * units)")
    recurrent_kernel = _as_2d("recurrent_kernel", recurrent_kernel, "(units, 4 * units)")
    bias = np.asarray(bias, dtype=np.float64)

    batch, input_dim = x_t.shape
    units = h_prev.shape[1]
    expected = {
        "h_prev": (h_prev.shape, (batch, units)),
        "c_prev": (c_prev.shape, (batch, units)),
        "kernel": (kernel.shape, (input_dim, 4 * units)),
        "recurrent_kernel": (recurrent_kernel.shape, (units, 4 * units)),
        "bias": (bias.shape, (4 * units,)),
    }
    for name, (actual, wanted) in expected.items():
        if tuple(actual) != wanted:
            raise ValueError(
                f"{name} has shape {tuple(actual)}, expected {wanted} "
                f"(batch={batch} and input_dim={input_dim} from x_t, units={units} from h_prev). "
                "Keras stores the four gates side by side: kernel (input_dim, 4*units), "
                "recurrent_kernel (units, 4*units), bias (4*units,)."
            )

    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=1)
    input_gate, forget_gate, output_gate = _sigmoid(z_i), _sigmoid(z_f), _sigmoid(z_o)
    c_t = forget_gate * c_prev + input_gate * np.tanh(z_g)
    h_t = output_gate * np.tanh(c_t)
    return h_t, c_t


# --------------------------------------------------------------------------- text pipeline
STANDARDIZE_OPTIONS = ("lower_and_split_punctuation", "lower_and_strip_punctuation")
KINDS = ("simple_rnn", "lstm", "gru", "bi_gru")


def _standardize_split_punctuation(texts: Any) -> Any:
    """Lower-case; keep ``! $ %`` as tokens of their own; turn other punctuation into spaces.

    Keras' default (``"lower_and_strip_punctuation"``) glues ``http://www.example.com/a?b=1``
    into one rare token; splitting keeps ``http``, ``www``, ``example``, ``com``, which spam
    shares. Input and output: string tensor of any shape.
    """
    import tensorflow as tf

    texts = tf.strings.lower(texts)
    texts = tf.strings.regex_replace(texts, r"([!$%])", r" \1 ")
    return tf.strings.regex_replace(texts, r"[^a-z0-9!$%]+", " ")


def _resolve_standardize(standardize: str) -> Any:
    if not isinstance(standardize, str) or standardize not in STANDARDIZE_OPTIONS:
        raise ValueError(
            f"standardize must be one of {', '.join(STANDARDIZE_OPTIONS)}; got {standardize!r}."
        )
    if standardize == "lower_and_split_punctuation":
        return _standardize_split_punctuation
    return standardize


def _check_texts(texts: Any, name: str = "texts") -> np.ndarray:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of strings, not one string; wrap it: [{name}].")
    array = np.asarray(texts, dtype=object)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of strings, got shape {array.shape}."
        )
    if not all(isinstance(t, str) for t in array):
        raise TypeError(f"{name} must contain only str (e.g. data.load_spam()'s x arrays).")
    return array.astype(str)


def _check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def make_vectorizer(
    texts: Any,
    *,
    max_tokens: int = 10_000,
    sequence_length: int | None = 200,
    standardize: str = "lower_and_split_punctuation",
) -> keras.layers.TextVectorization:
    """Create a ``keras.layers.TextVectorization`` layer and fit its vocabulary on ``texts``.

    Fit it on the training set only: the vocabulary is learned from data, so fitting on the
    test set would leak it.

    Args:
        texts: training texts, a 1-D sequence of ``str`` of length ``n``.
        max_tokens: vocabulary size including index 0 (padding) and 1 (``[UNK]``, words
            outside the vocabulary); the ``max_tokens - 2`` most frequent words get 2, 3, ....
        sequence_length: pad with 0 or cut every text to this many tokens (padding and
            cutting happen at the end). ``None`` pads to the longest text of each batch.
        standardize: ``"lower_and_split_punctuation"`` (default: lower case, punctuation
            becomes a word break, ``! $ %`` are kept as tokens) or Keras'
            ``"lower_and_strip_punctuation"``.

    Returns:
        The adapted layer: call it on a list of strings to get int64 ``(n, sequence_length)``.

    Raises:
        TypeError: ``texts`` is a single string or holds non-strings.
        ValueError: empty ``texts``, ``max_tokens < 3``, ``sequence_length < 1`` or an unknown
            ``standardize``.
    """
    import keras

    array = _check_texts(texts)
    max_tokens = _check_positive_int(max_tokens, "max_tokens", minimum=3)
    if sequence_length is not None:
        sequence_length = _check_positive_int(sequence_length, "sequence_length")
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=_resolve_standardize(standardize),
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    vectorizer.adapt(array, batch_size=512)
    return vectorizer


def vectorize(vectorizer: keras.layers.TextVectorization, texts: Any) -> np.ndarray:
    """Turn texts into padded token-id arrays with a fitted vectorizer.

    Args:
        vectorizer: from :func:`make_vectorizer`.
        texts: 1-D sequence of ``str`` of length ``n``.

    Returns:
        int64 NumPy array ``(n, sequence_length)``; 0 is padding, 1 an unknown word.
    """
    import keras

    array = _check_texts(texts)
    return keras.ops.convert_to_numpy(vectorizer(array)).astype(np.int64)


def token_lengths(texts: Any, *, standardize: str = "lower_and_split_punctuation") -> np.ndarray:
    """Count the tokens of each text, with the same standardisation and split as the vectorizer.

    Args:
        texts: 1-D sequence of ``str`` of length ``n``.
        standardize: as in :func:`make_vectorizer`.

    Returns:
        int64 array ``(n,)``: tokens per text before any padding or cutting.
    """
    import tensorflow as tf

    array = _check_texts(texts)
    standardized = _resolve_standardize(standardize)
    strings = tf.constant(array)
    if callable(standardized):
        strings = standardized(strings)
    else:  # Keras' default: lower case, strip punctuation (the regex Keras uses)
        strings = tf.strings.regex_replace(
            tf.strings.lower(strings), r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']', ""
        )
    return tf.strings.split(strings).row_lengths().numpy().astype(np.int64)


def coverage(lengths: Any, sequence_length: int) -> float:
    """Share of texts that fit whole (are not cut) at ``sequence_length`` tokens.

    Args:
        lengths: token counts ``(n,)`` from :func:`token_lengths`.
        sequence_length: candidate sequence length (>= 1).

    Returns:
        A float in [0, 1].
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty 1-D array, got shape {lengths.shape}.")
    sequence_length = _check_positive_int(sequence_length, "sequence_length")
    return float(np.mean(lengths <= sequence_length))


def length_histogram(
    lengths: Any, *, chosen: int | None = None, percentiles: tuple[int, ...] = (50, 75, 90)
) -> plt.Figure:
    """Histogram of text lengths in tokens, with percentile lines and an optional chosen length.

    Args:
        lengths: token counts ``(n,)`` from :func:`token_lengths`.
        chosen: the sequence length you picked; drawn in red with its coverage.
        percentiles: percentiles to mark (each in 0-100).

    Returns:
        The figure.
    """
    import matplotlib.pyplot as plt

    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty 1-D array, got shape {lengths.shape}.")
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    upper = np.percentile(lengths, 99)
    ax.hist(np.minimum(lengths, upper), bins=60, color="tab:blue", alpha=0.8)
    for p in percentiles:
        value = np.percentile(lengths, p)
        ax.axvline(value, color="gray", linestyle="--", linewidth=1)
        ax.text(value, ax.get_ylim()[1] * 0.92, f" {p}%: {value:.0f}", fontsize=8, color="gray")
    if chosen is not None:
        ax.axvline(chosen, color="tab:red", linewidth=2)
        ax.text(
            chosen, ax.get_ylim()[1] * 0.6,
            f" chosen {chosen}\n covers {coverage(lengths, chosen):.0%}",
            color="tab:red", fontsize=9,
        )  # fmt: skip
    ax.set_xlabel(f"tokens per text (cut at the 99th percentile, {upper:.0f})")
    ax.set_ylabel("texts")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- models
def build_rnn_classifier(
    kind: str,
    *,
    vocab_size: int,
    sequence_length: int | None = None,
    embedding_dim: int = 32,
    units: int = 32,
    mask_zero: bool = True,
    dropout_rate: float = 0.0,
) -> keras.Model:
    """Build an uncompiled binary text classifier: Embedding -> recurrent layer -> sigmoid.

    Args:
        kind: ``"simple_rnn"``, ``"lstm"``, ``"gru"`` or ``"bi_gru"`` (a GRU read in both
            directions by ``keras.layers.Bidirectional``).
        vocab_size: number of token ids (the vectorizer's ``vocabulary_size()``).
        sequence_length: fixed input length, or ``None`` to accept any length.
        embedding_dim: size of each word vector.
        units: size of the recurrent state (per direction).
        mask_zero: make the embedding emit a mask so the recurrent layer skips padding (id 0).
        dropout_rate: dropout before the output layer, in [0, 1).

    Returns:
        An uncompiled ``keras.Model``: int ``(batch, sequence_length)`` token ids in,
        float32 ``(batch, 1)`` spam probabilities out.

    Raises:
        ValueError: unknown ``kind`` or a size/rate out of range.
    """
    import keras
    from keras import layers

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")
    vocab_size = _check_positive_int(vocab_size, "vocab_size", minimum=2)
    embedding_dim = _check_positive_int(embedding_dim, "embedding_dim")
    units = _check_positive_int(units, "units")
    if sequence_length is not None:
        sequence_length = _check_positive_int(sequence_length, "sequence_length")
    if not isinstance(dropout_rate, float | int) or not 0 <= dropout_rate < 1:
        raise ValueError(f"dropout_rate must be a number in [0, 1), got {dropout_rate!r}.")
    recurrent = {
        "simple_rnn": lambda: layers.SimpleRNN(units, name="simple_rnn"),
        "lstm": lambda: layers.LSTM(units, name="lstm"),
        "gru": lambda: layers.GRU(units, name="gru"),
        "bi_gru": lambda: layers.Bidirectional(layers.GRU(units), name="bi_gru"),
    }[kind]()
    stack = [
        keras.Input(shape=(sequence_length,), dtype="int64", name="token_ids"),
        layers.Embedding(vocab_size, embedding_dim, mask_zero=bool(mask_zero), name="embedding"),
        recurrent,
    ]
    if dropout_rate > 0:
        stack.append(layers.Dropout(dropout_rate, name="dropout"))
    stack.append(layers.Dense(1, activation="sigmoid", name="spam_probability"))
    return keras.Sequential(stack, name=f"{kind}_classifier")


def compile_classifier(
    model: keras.Model,
    *,
    learning_rate: float = 3e-3,
    clipnorm: float | None = 1.0,
    jit_compile: bool = False,
) -> keras.Model:
    """Compile a binary classifier with Adam, binary cross-entropy and accuracy/precision/recall.

    ``clipnorm`` rescales each gradient whose norm exceeds it: the standard guard against
    exploding gradients in recurrent networks (gates do not prevent them).

    Args:
        model: e.g. from :func:`build_rnn_classifier`.
        learning_rate: Adam's step size (> 0).
        clipnorm: gradient-norm clipping threshold (> 0), or ``None`` for none.
        jit_compile: compile the training step with XLA. Off by default: it costs seconds of
            compilation per model and batch shape, and each compiled model keeps about
            0.15-0.2 GB of memory. Measured with ``make bench`` on a 2-core CPU, notebook 04 took
            195 s and peaked at 2.06 GB with XLA (past what Binder gives), 172 s and 1.46 GB
            without.

    Returns:
        The same model, compiled.
    """
    import keras

    if not isinstance(learning_rate, float | int) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}.")
    if clipnorm is not None and (not isinstance(clipnorm, float | int) or clipnorm <= 0):
        raise ValueError(f"clipnorm must be a positive number or None, got {clipnorm!r}.")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm),
        loss="binary_crossentropy",
        metrics=[
            "accuracy",
            keras.metrics.Precision(name="precision"),
            keras.metrics.Recall(name="recall"),
        ],
        jit_compile=bool(jit_compile),
    )
    return model


# --------------------------------------------------------------------------- training and evaluation
def evaluate_binary(
    model: keras.Model, x: np.ndarray, y: Any, *, threshold: float = 0.5
) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of a binary classifier (positive class: 1 = spam).

    Args:
        model: a trained model returning probabilities ``(n, 1)``.
        x: model inputs, e.g. token ids int64 ``(n, sequence_length)``.
        y: true labels ``(n,)`` in {0, 1}.
        threshold: predict 1 when the probability is >= ``threshold``.

    Returns:
        ``{"accuracy", "precision", "recall", "f1"}`` as floats in [0, 1].
    """
    y = np.asarray(y).astype(int).ravel()
    if len(y) != len(x):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    return binary_metrics(y, predict_probabilities(model, x) >= threshold)


def predict_probabilities(
    model: keras.Model, x: np.ndarray, *, batch_size: int = 512
) -> np.ndarray:
    """Probabilities of a binary classifier, computed by calling the model batch by batch.

    A direct call avoids building (and, with XLA, compiling) a separate prediction graph for
    every model and batch shape, which ``model.predict`` would do.

    Args:
        model: a model returning probabilities ``(n, 1)``.
        x: inputs ``(n, ...)``.
        batch_size: examples per call.

    Returns:
        float64 ``(n,)``.
    """
    import keras

    batch_size = _check_positive_int(batch_size, "batch_size")
    parts = [
        keras.ops.convert_to_numpy(model(x[start : start + batch_size], training=False))
        for start in range(0, len(x), batch_size)
    ]
    return np.concatenate(parts).astype(np.float64).ravel()


def binary_metrics(y_true: Any, y_pred: Any) -> dict[str, float]:
    """Accuracy, precision, recall and F1 from labels and 0/1 predictions (scikit-learn).

    Args:
        y_true: true labels ``(n,)`` in {0, 1}.
        y_pred: predicted labels ``(n,)`` in {0, 1} (or booleans).

    Returns:
        ``{"accuracy", "precision", "recall", "f1"}`` as floats; precision and F1 are 0 when
        nothing is predicted positive.
    """
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average="binary", zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }


def early_stopping(patience: int = 2) -> keras.callbacks.EarlyStopping:
    """Stop when the validation loss has not improved for ``patience`` epochs; keep the best weights."""
    import keras

    return keras.callbacks.EarlyStopping(
        monitor="val_loss",
        patience=_check_positive_int(patience, "patience"),
        restore_best_weights=True,
    )


def split_validation(
    x: np.ndarray, y: np.ndarray, *, fraction: float = 0.15, seed: int = 42
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Stratified split of the training set into training and validation sets.

    Args:
        x: examples ``(n, ...)``.
        y: labels ``(n,)``.
        fraction: share for validation, in (0, 1).
        seed: random seed.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``.
    """
    from sklearn.model_selection import train_test_split

    if not isinstance(fraction, float | int) or not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1 (exclusive), got {fraction!r}.")
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=fraction, random_state=seed, stratify=y
    )
    return (x_train, y_train), (x_val, y_val)


def train_and_evaluate(
    kind: str = "bi_gru",
    *,
    dataset: str = "spam",
    sequence_length: int = 200,
    max_tokens: int = 10_000,
    embedding_dim: int = 32,
    units: int = 32,
    epochs: int = 8,
    batch_size: int = 128,
    learning_rate: float = 3e-3,
    dropout_rate: float = 0.3,
    mask_zero: bool = True,
    patience: int = 3,
    train_size: int | None = None,
    seed: int = 42,
    verbose: int = 0,
) -> dict[str, Any]:
    """Train one recurrent classifier the way notebook 04 does and evaluate it on the test set.

    The defaults are notebook 04's full-mode settings for its best model (bidirectional GRU).

    Steps: load the data (``course_utils.data``), hold out 15% of the training set for
    validation (stratified), fit the vectorizer on the training part, build and compile the
    model, train with early stopping on the validation loss (best weights restored), then
    measure on the held-out test set.

    Args:
        kind: ``"simple_rnn"``, ``"lstm"``, ``"gru"`` or ``"bi_gru"``.
        dataset: ``"spam"`` (bundled, offline) or ``"imdb"`` (needs the network once; raises
            ``data.DataUnavailableError`` otherwise).
        sequence_length: tokens kept per text.
        max_tokens: vocabulary size.
        embedding_dim: word-vector size.
        units: recurrent state size.
        epochs: maximum epochs (early stopping may stop sooner).
        batch_size: examples per gradient step.
        learning_rate: Adam's step size.
        dropout_rate: dropout before the output layer.
        mask_zero: mask the padding.
        patience: early-stopping patience in epochs.
        train_size: if given, train on a stratified subsample of this many texts (smoke runs).
        seed: seed for Keras, NumPy and the validation split.
        verbose: Keras ``fit`` verbosity (0 silent, 2 one line per epoch).

    Returns:
        A dict with ``kind``, ``dataset``, ``accuracy``, ``precision``, ``recall``, ``f1``
        (test set, threshold 0.5), ``parameters``, ``train_seconds`` (wall clock of ``fit``),
        ``train_cpu_seconds`` (process CPU time of ``fit``, all threads), ``epochs_run``,
        ``best_epoch``, ``best_val_loss`` (the restored weights' validation loss),
        ``sequence_length``, ``n_train``, ``n_validation``, ``n_test``.

    Raises:
        ValueError: unknown ``kind`` or ``dataset``, or bad sizes.
        course_utils.data.DataUnavailableError: ``dataset="imdb"`` without the data.
    """
    import time

    import keras

    from . import data

    if dataset not in ("spam", "imdb"):
        raise ValueError(f"dataset must be 'spam' or 'imdb', got {dataset!r}.")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")
    keras.utils.set_random_seed(seed)
    loader = data.load_spam if dataset == "spam" else data.load_imdb
    (texts, labels), (test_texts, test_labels) = loader(verbose=bool(verbose))
    if train_size is not None:
        texts, labels = data.subsample(texts, labels, train_size, seed=seed)
    (train_texts, y_train), (val_texts, y_val) = split_validation(texts, labels, seed=seed)
    vectorizer = make_vectorizer(
        train_texts, max_tokens=max_tokens, sequence_length=sequence_length
    )
    x_train, x_val, x_test = (
        vectorize(vectorizer, t) for t in (train_texts, val_texts, test_texts)
    )
    model = build_rnn_classifier(
        kind,
        vocab_size=vectorizer.vocabulary_size(),
        sequence_length=sequence_length,
        embedding_dim=embedding_dim,
        units=units,
        mask_zero=mask_zero,
        dropout_rate=dropout_rate,
    )
    compile_classifier(model, learning_rate=learning_rate)
    stopper = early_stopping(patience)
    start, cpu_start = time.perf_counter(), time.process_time()
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=_check_positive_int(epochs, "epochs"),
        batch_size=_check_positive_int(batch_size, "batch_size"),
        callbacks=[stopper],
        verbose=verbose,
    )
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    val_losses = history.history["val_loss"]
    return {
        "kind": kind,
        "dataset": dataset,
        **evaluate_binary(model, x_test, test_labels),
        "parameters": int(model.count_params()),
        "train_seconds": round(seconds, 1),
        "train_cpu_seconds": round(cpu_seconds, 1),
        "epochs_run": len(val_losses),
        "best_epoch": int(np.argmin(val_losses)) + 1,
        "best_val_loss": float(np.min(val_losses)),
        "sequence_length": sequence_length,
        "n_train": len(x_train),
        "n_validation": len(x_val),
        "n_test": len(x_test),
    }


def results_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Format result dicts as a plain-text table (floats in [0, 1] as percentages).

    Args:
        rows: one dict per model, e.g. ``{"model": "gru", "accuracy": 0.98, ...}``.
        columns: keys to show, in order; default: the first row's keys.

    Returns:
        The table as a string (print it).
    """
    if not rows:
        raise ValueError("rows is empty: pass at least one result dict.")
    columns = list(columns or rows[0].keys())

    def cell(value: Any, column: str) -> str:
        if isinstance(value, float) and column in ("accuracy", "precision", "recall", "f1"):
            return f"{value:.1%}" if column != "f1" else f"{value:.3f}"
        if isinstance(value, float):
            return f"{value:.1f}"
        if isinstance(value, int | np.integer):
            return f"{value:,}"
        return str(value)

    body = [[cell(row.get(c, ""), c) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in body)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(lines)


# --------------------------------------------------------------------------- vanishing gradients
def gradient_norm_per_timestep(
    model: keras.Model, token_ids: np.ndarray, labels: Any
) -> np.ndarray:
    """Norm of the gradient of the loss with respect to the embedded input at each time step.

    For a model from :func:`build_rnn_classifier`, compute the binary cross-entropy of the
    batch, differentiate it with respect to the embedding output ``e`` (float32
    ``(batch, steps, embedding_dim)``), take the L2 norm over ``embedding_dim`` and average
    over the batch. A curve that falls by orders of magnitude towards step 0 means the early
    words barely influence the output: vanishing gradients.

    Args:
        model: a model whose first layer is an ``Embedding`` followed by the recurrent layer
            and dense layers (as built by :func:`build_rnn_classifier`).
        token_ids: int ``(batch, steps)`` token ids.
        labels: ``(batch,)`` labels in {0, 1}.

    Returns:
        float64 ``(steps,)``: mean gradient norm per time step (0 at masked padding).

    Raises:
        ValueError: the model has no leading ``Embedding`` layer, or shapes disagree.
        RuntimeError: the Keras backend is not TensorFlow.
    """
    import inspect

    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("gradient_norm_per_timestep needs KERAS_BACKEND=tensorflow.")
    token_ids = np.asarray(token_ids)
    labels = np.asarray(labels, dtype="float32").reshape(-1, 1)
    if token_ids.ndim != 2 or len(token_ids) != len(labels):
        raise ValueError(
            f"token_ids must be (batch, steps) with one label per row; got {token_ids.shape} "
            f"and {len(labels)} labels."
        )
    embedding, *rest = model.layers
    if not isinstance(embedding, keras.layers.Embedding):
        raise ValueError(
            f"the model's first layer must be an Embedding, got {type(embedding).__name__}; "
            "build it with text.build_rnn_classifier."
        )
    ids = tf.constant(token_ids, dtype="int64")
    mask = embedding.compute_mask(ids)
    with tf.GradientTape() as tape:
        embedded = embedding(ids)
        tape.watch(embedded)
        hidden = embedded
        for layer in rest:
            if mask is not None and "mask" in inspect.signature(layer.call).parameters:
                hidden = layer(hidden, mask=mask, training=False)
                mask = None  # the recurrent layer consumes the mask
            else:
                hidden = layer(hidden, training=False)
        loss = keras.losses.binary_crossentropy(labels, hidden)
        loss = tf.reduce_mean(loss)
    gradient = tape.gradient(loss, embedded)
    return tf.reduce_mean(tf.norm(gradient, axis=-1), axis=0).numpy().astype(np.float64)


# --------------------------------------------------------------------------- widget logic
Predictor = Callable[[Sequence[str]], np.ndarray]


def make_predictor(model: keras.Model, vectorizer: keras.layers.TextVectorization) -> Predictor:
    """Wrap a trained model and its vectorizer into ``predict(texts) -> probabilities``.

    Args:
        model: a trained classifier returning probabilities ``(n, 1)``.
        vectorizer: the fitted vectorizer used in training.

    Returns:
        A function from a sequence of ``n`` strings to float64 spam probabilities ``(n,)``.
    """

    def predict(texts: Sequence[str]) -> np.ndarray:
        return predict_probabilities(model, vectorize(vectorizer, list(texts)))

    return predict


def _check_message(message: Any, predict: Any) -> None:
    if not isinstance(message, str):
        raise TypeError(f"message must be a str, got {type(message).__name__}.")
    if not callable(predict):
        raise TypeError(
            "predict must be callable: texts -> probabilities (see text.make_predictor)."
        )


def spam_probability(message: str, predict: Predictor) -> float:
    """Spam probability of one message.

    Args:
        message: the text, e.g. typed into the widget.
        predict: ``texts -> probabilities``, e.g. from :func:`make_predictor`.

    Returns:
        A float in [0, 1].
    """
    _check_message(message, predict)
    return float(np.asarray(predict([message])).ravel()[0])


SCALES = ("log_odds", "probability")


def _log_odds(probabilities: np.ndarray) -> np.ndarray:
    clipped = np.clip(probabilities, 1e-7, 1 - 1e-7)
    return np.log(clipped / (1 - clipped))


def word_importance(
    message: str, predict: Predictor, *, scale: str = "log_odds"
) -> tuple[float, list[tuple[str, float]]]:
    """Occlusion importance: how much the spam score drops when each word is removed.

    The message is split on whitespace into ``k`` words; for each word the message is scored
    again without it (all ``k + 1`` texts in one ``predict`` call). A positive change means the
    word pushed the message towards spam, a negative one towards ham. On the default
    ``"log_odds"`` scale (``log(p / (1 - p))``) changes stay visible when the probability is
    close to 0 or 1, where the probability itself barely moves.

    Args:
        message: the text.
        predict: ``texts -> probabilities``, e.g. from :func:`make_predictor`.
        scale: ``"log_odds"`` or ``"probability"``: where the change is measured.

    Returns:
        ``(probability, [(word, change), ...])``: the full message's spam probability and,
        in message order, each word with ``score(message) - score(message without it)``.

    Raises:
        TypeError: ``message`` is not a str or ``predict`` is not callable.
        ValueError: unknown ``scale``, or ``predict`` returned the wrong number of scores.
    """
    _check_message(message, predict)
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}.")
    words = message.split()
    variants = [message] + [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
    probabilities = np.asarray(predict(variants), dtype=np.float64).ravel()
    if len(probabilities) != len(variants):
        raise ValueError(f"predict returned {len(probabilities)} scores for {len(variants)} texts.")
    scores = _log_odds(probabilities) if scale == "log_odds" else probabilities
    changes = scores[0] - scores[1:]
    return float(probabilities[0]), [
        (word, float(change)) for word, change in zip(words, changes, strict=True)
    ]


def plot_word_importance(
    probability: float,
    importances: Sequence[tuple[str, float]],
    *,
    top: int = 10,
    scale: str = "log_odds",
) -> plt.Figure:
    """Bar chart of the ``top`` words with the largest absolute occlusion change.

    Args:
        probability: the message's spam probability (shown in the title).
        importances: ``[(word, change), ...]`` from :func:`word_importance`.
        top: how many words to show.
        scale: the ``scale`` passed to :func:`word_importance` (labels the axis).

    Returns:
        The figure (red bars push towards spam, blue towards ham).
    """
    import matplotlib.pyplot as plt

    top = _check_positive_int(top, "top")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}.")
    ranked = sorted(importances, key=lambda item: abs(item[1]), reverse=True)[:top][::-1]
    fig, ax = plt.subplots(figsize=(5.5, 0.28 * max(len(ranked), 3) + 1.1))
    if ranked:
        words, changes = zip(*ranked, strict=True)
        colors = ["tab:red" if c > 0 else "tab:blue" for c in changes]
        ax.barh(range(len(ranked)), changes, color=colors)
        ax.set_yticks(range(len(ranked)), [w[:25] for w in words], fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    what = "log-odds of spam" if scale == "log_odds" else "spam probability"
    ax.set_xlabel(f"drop in {what} when the word is removed")
    verdict = "spam" if probability >= 0.5 else "ham"
    ax.set_title(f"P(spam) = {probability:.1%} -> {verdict}", fontsize=10)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- exercise checks
@checks.exercise
def check_sequence_length(answer: Any, lengths: Any, share: float = 0.75) -> str | None:
    """Exercise 4.1: the smallest sequence length that keeps ``share`` of the texts whole."""
    if isinstance(answer, bool) or not isinstance(answer, int | np.integer):
        return f"answer with a whole number of tokens, e.g. 300; got {answer!r}"
    covered = coverage(lengths, int(answer))
    if covered < share:
        return (
            f"{answer} tokens keeps only {covered:.1%} of the emails whole; you need >= {share:.0%}"
        )
    if answer > 1 and coverage(lengths, int(answer) - 1) >= share:
        return (
            f"{answer} works ({covered:.1%}), but a shorter length does too; find the smallest "
            "(hint: np.percentile, or try coverage(lengths, L) for smaller L)"
        )
    return None


@checks.exercise
def check_forget_gate(
    answer: Any, x_t: Any, h_prev: Any, kernel: Any, recurrent_kernel: Any, bias: Any
) -> str | None:
    """Exercise 4.3: the forget gate ``f`` of one LSTM step, ``(batch, units)``."""
    answer = np.asarray(answer, dtype=np.float64)
    x_t, h_prev = np.asarray(x_t, np.float64), np.asarray(h_prev, np.float64)
    units = np.asarray(h_prev).shape[1]
    z = x_t @ np.asarray(kernel) + h_prev @ np.asarray(recurrent_kernel) + np.asarray(bias)
    blocks = [_sigmoid(z[:, k * units : (k + 1) * units]) for k in range(4)]
    if answer.shape != blocks[1].shape:
        return f"f has shape (batch, units) = {blocks[1].shape}; yours is {answer.shape}"
    if np.allclose(answer, blocks[1], atol=1e-5):
        return None
    if np.allclose(answer, z[:, units : 2 * units], atol=1e-5):
        return "you have the pre-activation; apply the sigmoid"
    for k, name in ((0, "input gate i"), (2, "candidate block"), (3, "output gate o")):
        if np.allclose(answer, blocks[k], atol=1e-5):
            return f"that is the {name}; Keras orders the blocks i, f, c, o: take columns units:2*units"
    return (
        "compute sigmoid(x_t @ kernel + h_prev @ recurrent_kernel + bias) on columns units:2*units"
    )


@checks.exercise
def check_beats_simple_rnn(model: Any, x_test: Any, y_test: Any, f1_to_beat: float) -> str | None:
    """Exercise 4.2: a trained LSTM classifier whose test F1 beats the SimpleRNN's."""
    import keras

    layer_types = {type(layer).__name__ for layer in model.layers}
    for layer in model.layers:
        if isinstance(layer, keras.layers.Bidirectional):
            layer_types.add(type(layer.forward_layer).__name__)
    if "LSTM" not in layer_types:
        return f"the model has no LSTM layer (it has {', '.join(sorted(layer_types))}); use kind='lstm'"
    if "SimpleRNN" in layer_types:
        return "replace the SimpleRNN by the LSTM rather than adding one"
    f1 = evaluate_binary(model, x_test, y_test)["f1"]
    if f1 <= f1_to_beat:
        return (
            f"test F1 {f1:.3f} does not beat {f1_to_beat:.3f}: compile it with "
            "text.compile_classifier and train it (validation_data, early stopping) for more epochs"
        )
    return None
