"""Tests for course_utils.text (notebook 04: RNN text classification)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from course_utils import text


# --------------------------------------------------------------------------- lstm_step
def _random_lstm_weights(rng: np.random.Generator, input_dim: int, units: int):
    kernel = rng.normal(0, 0.5, (input_dim, 4 * units)).astype("float32")
    recurrent = rng.normal(0, 0.5, (units, 4 * units)).astype("float32")
    bias = rng.normal(0, 0.5, (4 * units,)).astype("float32")
    return kernel, recurrent, bias


def test_lstm_step_matches_keras_cell():
    rng = np.random.default_rng(0)
    batch, input_dim, units = 3, 5, 4
    kernel, recurrent, bias = _random_lstm_weights(rng, input_dim, units)
    x_t = rng.normal(size=(batch, input_dim)).astype("float32")
    h_prev = rng.normal(size=(batch, units)).astype("float32")
    c_prev = rng.normal(size=(batch, units)).astype("float32")

    cell = keras.layers.LSTMCell(units)
    cell.build((batch, input_dim))
    cell.set_weights([kernel, recurrent, bias])
    keras_h, (keras_h2, keras_c) = cell(x_t, [h_prev, c_prev])

    h_t, c_t = text.lstm_step(x_t, h_prev, c_prev, kernel, recurrent, bias)
    assert h_t.shape == c_t.shape == (batch, units)
    np.testing.assert_allclose(h_t, keras.ops.convert_to_numpy(keras_h), atol=1e-5)
    np.testing.assert_allclose(h_t, keras.ops.convert_to_numpy(keras_h2), atol=1e-5)
    np.testing.assert_allclose(c_t, keras.ops.convert_to_numpy(keras_c), atol=1e-5)


def test_lstm_step_unrolled_matches_keras_lstm_layer():
    rng = np.random.default_rng(1)
    batch, steps, input_dim, units = 2, 6, 3, 5
    inputs = rng.normal(size=(batch, steps, input_dim)).astype("float32")
    layer = keras.layers.LSTM(units, return_state=True)
    layer(inputs)  # build
    kernel, recurrent, bias = _random_lstm_weights(rng, input_dim, units)
    layer.set_weights([kernel, recurrent, bias])
    keras_h, _, keras_c = (keras.ops.convert_to_numpy(t) for t in layer(inputs))

    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    for step in range(steps):
        h, c = text.lstm_step(inputs[:, step], h, c, kernel, recurrent, bias)
    np.testing.assert_allclose(h, keras_h, atol=1e-5)
    np.testing.assert_allclose(c, keras_c, atol=1e-5)


def test_lstm_step_gate_order_matters():
    """Swapping the forget and input blocks must change the result (the order is i, f, c, o)."""
    rng = np.random.default_rng(2)
    kernel, recurrent, bias = _random_lstm_weights(rng, 3, 2)
    x_t, h, c = rng.normal(size=(1, 3)), rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    _, c_right = text.lstm_step(x_t, h, c, kernel, recurrent, bias)
    swap = np.r_[2:4, 0:2, 4:8]
    _, c_swapped = text.lstm_step(x_t, h, c, kernel[:, swap], recurrent[:, swap], bias[swap])
    assert not np.allclose(c_right, c_swapped)


@pytest.mark.parametrize(
    ("override", "name"),
    [
        ({"h_prev": np.zeros((3, 4))}, "h_prev"),
        ({"c_prev": np.zeros((1, 4))}, "c_prev"),
        ({"kernel": np.zeros((5, 16))}, "kernel"),
        ({"recurrent_kernel": np.zeros((4, 12))}, "recurrent_kernel"),
        ({"bias": np.zeros((4,))}, "bias"),
        ({"x_t": np.zeros((3,))}, "x_t"),
    ],
)
def test_lstm_step_rejects_bad_shapes(override, name):
    arrays = {
        "x_t": np.zeros((2, 3)),
        "h_prev": np.zeros((2, 4)),
        "c_prev": np.zeros((2, 4)),
        "kernel": np.zeros((3, 16)),
        "recurrent_kernel": np.zeros((4, 16)),
        "bias": np.zeros((16,)),
    }
    arrays.update(override)
    with pytest.raises(ValueError, match=f"^{name} "):
        text.lstm_step(**arrays)


# --------------------------------------------------------------------------- text pipeline
TEXTS = [
    "Win FREE money now!!! Visit http://spam.example.com/offer?id=1",
    "Meeting moved to 3pm, see you there",
    "free free free",
]


def test_vectorizer_shapes_padding_and_vocabulary():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=12)
    ids = text.vectorize(vectorizer, TEXTS)
    assert ids.shape == (3, 12) and ids.dtype == np.int64
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and vocabulary[2] == "free"  # most frequent word
    # the third text has 3 tokens, then padding zeros at the end
    assert list(ids[2]) == [2, 2, 2] + [0] * 9
    # punctuation splits the URL into words and keeps "!" as a token
    assert {"http", "spam", "example", "com", "!"} <= set(vocabulary)
    unseen = text.vectorize(vectorizer, ["zebra free"])
    assert list(unseen[0][:2]) == [1, 2]  # unknown word -> 1


def test_token_lengths_match_the_vectorizer_without_cutting():
    for standardize in text.STANDARDIZE_OPTIONS:
        vectorizer = text.make_vectorizer(
            TEXTS, max_tokens=100, sequence_length=None, standardize=standardize
        )
        ids = text.vectorize(vectorizer, TEXTS)
        lengths = text.token_lengths(TEXTS, standardize=standardize)
        np.testing.assert_array_equal(lengths, (ids != 0).sum(axis=1))
    assert list(text.token_lengths(["a b  c", "x"])) == [3, 1]


def test_coverage_and_histogram():
    lengths = np.array([10, 20, 30, 40])
    assert text.coverage(lengths, 25) == 0.5
    assert text.coverage(lengths, 40) == 1.0
    fig = text.length_histogram(lengths, chosen=25)
    assert "covers 50%" in " ".join(t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match="sequence_length"):
        text.coverage(lengths, 0)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"texts": "one string"}, TypeError),
        ({"texts": []}, ValueError),
        ({"texts": [1, 2]}, TypeError),
        ({"max_tokens": 2}, ValueError),
        ({"sequence_length": 0}, ValueError),
        ({"standardize": "lower"}, ValueError),
    ],
)
def test_vectorizer_rejects_bad_arguments(kwargs, error):
    arguments = {"texts": TEXTS, **kwargs}
    with pytest.raises(error):
        text.make_vectorizer(**arguments)


# --------------------------------------------------------------------------- models
@pytest.mark.parametrize("kind", text.KINDS)
def test_builders_output_shape_parameters_and_mask(kind):
    model = text.build_rnn_classifier(
        kind, vocab_size=50, sequence_length=7, embedding_dim=4, units=3
    )
    assert not model.compiled  # builders return uncompiled models
    ids = np.array([[5, 6, 7, 0, 0, 0, 0], [5, 6, 7, 8, 9, 10, 11]])
    out = keras.ops.convert_to_numpy(model(ids))
    assert out.shape == (2, 1) and np.all((out > 0) & (out < 1))
    # parameter count: embedding 50*4, recurrent layer by formula, dense (directions*3 + 1)
    per_direction = {
        "simple_rnn": 3 * (4 + 3 + 1),
        "lstm": 4 * 3 * (4 + 3 + 1),
        "gru": 3 * 3 * (4 + 3 + 2),  # Keras' GRU default reset_after=True has two biases
        "bi_gru": 2 * 3 * 3 * (4 + 3 + 2),
    }[kind]
    directions = 2 if kind == "bi_gru" else 1
    assert model.count_params() == 50 * 4 + per_direction + directions * 3 + 1


@pytest.mark.parametrize("kind", ["simple_rnn", "gru"])
def test_mask_makes_the_output_ignore_padding(kind):
    masked = text.build_rnn_classifier(kind, vocab_size=20, embedding_dim=4, units=3)
    short = np.array([[3, 4, 5]])
    padded = np.array([[3, 4, 5, 0, 0, 0, 0, 0]])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(masked(short)),
        keras.ops.convert_to_numpy(masked(padded)),
        atol=1e-6,
    )
    unmasked = text.build_rnn_classifier(
        kind, vocab_size=20, embedding_dim=4, units=3, mask_zero=False
    )
    unmasked.layers[0].embeddings.assign(masked.layers[0].embeddings)  # no zero row special-casing
    assert not np.allclose(
        keras.ops.convert_to_numpy(unmasked(short)), keras.ops.convert_to_numpy(unmasked(padded))
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "transformer"},
        {"vocab_size": 0},
        {"units": 0},
        {"embedding_dim": -1},
        {"sequence_length": 0},
        {"dropout_rate": 1.0},
    ],
)
def test_builder_rejects_bad_arguments(kwargs):
    arguments = {"kind": "gru", "vocab_size": 10, **kwargs}
    with pytest.raises(ValueError):
        text.build_rnn_classifier(**arguments)


def test_compile_classifier_sets_clipping_and_validates():
    model = text.compile_classifier(text.build_rnn_classifier("gru", vocab_size=10), clipnorm=0.5)
    assert model.optimizer.clipnorm == 0.5
    with pytest.raises(ValueError):
        text.compile_classifier(text.build_rnn_classifier("gru", vocab_size=10), learning_rate=0)


def test_binary_metrics_agree_with_hand_counts():
    y_true = [1, 1, 1, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 0, 1, 0, 0, 0, 0]  # TP=2, FN=1, FP=1, TN=4
    metrics = text.binary_metrics(y_true, y_pred)
    assert metrics == pytest.approx(
        {"accuracy": 6 / 8, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3}
    )
    assert text.binary_metrics([1, 0], [0, 0])["f1"] == 0.0


def test_results_table_formats_percentages():
    table = text.results_table(
        [{"model": "gru", "accuracy": 0.9712, "f1": 0.95, "parameters": 1234}]
    )
    assert "97.1%" in table and "0.950" in table and "1,234" in table
    with pytest.raises(ValueError):
        text.results_table([])


def test_train_and_evaluate_smoke():
    result = text.train_and_evaluate(
        "gru",
        train_size=300,
        sequence_length=20,
        max_tokens=500,
        units=4,
        embedding_dim=4,
        epochs=1,
    )
    assert result["kind"] == "gru" and result["n_test"] == 1157
    assert result["n_train"] + result["n_validation"] == 300
    for key in ("accuracy", "precision", "recall", "f1"):
        assert 0.0 <= result[key] <= 1.0
    assert result["epochs_run"] == 1 and result["best_epoch"] == 1
    assert result["best_val_loss"] > 0 and result["train_cpu_seconds"] > 0
    with pytest.raises(ValueError, match="dataset"):
        text.train_and_evaluate(dataset="mnist")


# --------------------------------------------------------------------------- vanishing gradients
def test_gradient_norm_per_timestep_matches_finite_differences_and_masking():
    keras.utils.set_random_seed(0)
    model = text.build_rnn_classifier("simple_rnn", vocab_size=10, embedding_dim=3, units=4)
    ids = np.array([[2, 3, 4, 0, 0], [5, 6, 7, 8, 9]])
    labels = np.array([1, 0])
    norms = text.gradient_norm_per_timestep(model, ids, labels)
    assert norms.shape == (5,)
    # padding of row 0 gets no gradient: steps 3-4 only carry row 1's gradient (half the mean)
    embedding = model.layers[0]
    embedded = keras.ops.convert_to_numpy(embedding(ids)).astype(np.float64)

    def loss_from(embedded_values):
        hidden = model.layers[1](embedded_values.astype("float32"), mask=ids != 0)
        probs = keras.ops.convert_to_numpy(model.layers[2](hidden)).ravel().astype(np.float64)
        return np.mean(-(labels * np.log(probs) + (1 - labels) * np.log(1 - probs)))

    epsilon = 1e-3
    numeric = np.zeros_like(embedded)
    for index in np.ndindex(*embedded.shape):
        plus, minus = embedded.copy(), embedded.copy()
        plus[index] += epsilon
        minus[index] -= epsilon
        numeric[index] = (loss_from(plus) - loss_from(minus)) / (2 * epsilon)
    expected = np.linalg.norm(numeric, axis=-1).mean(axis=0)
    np.testing.assert_allclose(norms, expected, rtol=2e-2, atol=1e-5)
    assert np.allclose(np.linalg.norm(numeric[0, 3:], axis=-1), 0)


def test_gradient_norm_rejects_models_without_embedding():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="Embedding"):
        text.gradient_norm_per_timestep(model, np.zeros((1, 3), int), [1])


# --------------------------------------------------------------------------- widget logic
def _toy_predict(texts):
    """P(spam) = 0.1 + 0.4 per occurrence of 'free', capped at 0.9; 'meeting' subtracts 0.05."""
    scores = []
    for t in texts:
        words = t.lower().split()
        scores.append(min(0.9, 0.1 + 0.4 * words.count("free")) - 0.05 * words.count("meeting"))
    return np.array(scores)


def test_spam_probability_and_word_importance_with_a_known_predictor():
    assert text.spam_probability("free stuff", _toy_predict) == pytest.approx(0.5)
    probability, importances = text.word_importance(
        "FREE offer meeting", _toy_predict, scale="probability"
    )
    assert probability == pytest.approx(0.45)
    assert [w for w, _ in importances] == ["FREE", "offer", "meeting"]
    changes = dict(importances)
    assert changes["FREE"] == pytest.approx(0.4)
    assert changes["offer"] == pytest.approx(0.0)
    assert changes["meeting"] == pytest.approx(-0.05)
    assert text.word_importance("", _toy_predict)[1] == []
    fig = text.plot_word_importance(probability, importances, top=2, scale="probability")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["meeting", "FREE"]  # the two largest |changes|, largest on top


def test_word_importance_on_the_log_odds_scale():
    def logit(p):
        return np.log(p / (1 - p))

    probability, importances = text.word_importance("FREE offer meeting", _toy_predict)
    changes = dict(importances)
    assert probability == pytest.approx(0.45)
    assert changes["FREE"] == pytest.approx(logit(0.45) - logit(0.05))
    assert changes["meeting"] == pytest.approx(logit(0.45) - logit(0.5))
    with pytest.raises(ValueError, match="scale"):
        text.word_importance("free", _toy_predict, scale="percent")


def test_widget_logic_rejects_bad_input():
    with pytest.raises(TypeError):
        text.spam_probability(["a list"], _toy_predict)
    with pytest.raises(TypeError):
        text.word_importance("text", predict="not callable")


def test_make_predictor_with_a_real_model():
    vectorizer = text.make_vectorizer(TEXTS, max_tokens=50, sequence_length=10)
    model = text.build_rnn_classifier("gru", vocab_size=vectorizer.vocabulary_size(), units=2)
    predict = text.make_predictor(model, vectorizer)
    scores = predict(["free money", "meeting"])
    assert scores.shape == (2,) and np.all((scores > 0) & (scores < 1))


# --------------------------------------------------------------------------- exercise checks
def test_check_sequence_length(capsys):
    lengths = np.array([10, 20, 30, 40])
    assert text.check_sequence_length(None, lengths) is False
    assert "not attempted" in capsys.readouterr().out
    assert text.check_sequence_length(30, lengths) is True
    assert text.check_sequence_length(29, lengths) is False
    assert "only 50.0%" in capsys.readouterr().out.split("\n")[-2]
    assert text.check_sequence_length(35, lengths) is False
    assert "smallest" in capsys.readouterr().out


def test_check_forget_gate(capsys):
    rng = np.random.default_rng(3)
    kernel, recurrent, bias = _random_lstm_weights(rng, 3, 2)
    x_t, h_prev = rng.normal(size=(1, 3)), rng.normal(size=(1, 2))
    z = x_t @ kernel + h_prev @ recurrent + bias
    sigmoid = 1 / (1 + np.exp(-z))
    args = (x_t, h_prev, kernel, recurrent, bias)
    assert text.check_forget_gate(sigmoid[:, 2:4], *args) is True
    assert text.check_forget_gate(sigmoid[:, 0:2], *args) is False
    assert "input gate" in capsys.readouterr().out
    assert text.check_forget_gate(z[:, 2:4], *args) is False
    assert "sigmoid" in capsys.readouterr().out


def test_check_beats_simple_rnn(capsys):
    vectorizer = text.make_vectorizer(TEXTS * 4, max_tokens=50, sequence_length=10)
    x = text.vectorize(vectorizer, TEXTS * 4)
    y = np.array([1, 0, 1] * 4)
    simple = text.build_rnn_classifier("simple_rnn", vocab_size=50, units=2)
    assert text.check_beats_simple_rnn(simple, x, y, 0.5) is False
    assert "no LSTM" in capsys.readouterr().out
    lstm = text.compile_classifier(text.build_rnn_classifier("lstm", vocab_size=50, units=4))
    lstm.fit(x, y, epochs=30, verbose=0)
    assert text.check_beats_simple_rnn(lstm, x, y, 0.5) is True
    assert text.check_beats_simple_rnn(lstm, x, y, 1.0) is False
    assert "does not beat" in capsys.readouterr().out
