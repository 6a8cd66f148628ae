"""Tests for course_utils.rnn, the lesson code exported from notebook 06 (RNN text classification)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from course_utils import rnn

TEXTS = [
    "Win FREE money now!!! Visit http://spam.example.com/offer?id=1",
    "Meeting moved to 3pm, see you there",
    "free free free",
]


# --------------------------------------------------------------------------- text pipeline
def test_standardize_splits_punctuation_and_keeps_spam_symbols():
    out = rnn.standardize("Win 100% FREE!! http://a.com/b?c=1").numpy().decode()
    assert out.split() == ["win", "100", "%", "free", "!", "!", "http", "a", "com", "b", "c", "1"]


def test_vectorizer_shapes_padding_and_vocabulary():
    vectorizer = rnn.make_vectorizer(TEXTS, max_tokens=50, sequence_length=12)
    ids = rnn.vectorize(vectorizer, TEXTS)
    assert ids.shape == (3, 12) and ids.dtype == np.int64
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == ["", "[UNK]"] and vocabulary[2] == "free"  # most frequent word
    assert list(ids[2]) == [2, 2, 2] + [0] * 9  # 3 tokens, then padding zeros at the end
    assert {"http", "spam", "example", "com", "!"} <= set(vocabulary)
    assert list(rnn.vectorize(vectorizer, ["zebra free"])[0][:2]) == [1, 2]  # unknown word -> 1


def test_token_lengths_match_the_vectorizer_without_cutting():
    vectorizer = rnn.make_vectorizer(TEXTS, max_tokens=100, sequence_length=None)
    ids = rnn.vectorize(vectorizer, TEXTS)
    np.testing.assert_array_equal(rnn.token_lengths(TEXTS), (ids != 0).sum(axis=1))
    assert list(rnn.token_lengths(["a b  c", "x"])) == [3, 1]


def test_pipeline_rejects_a_single_string():
    with pytest.raises(TypeError, match=r"\[text\]"):
        rnn.make_vectorizer("one string")
    with pytest.raises(TypeError, match="list of strings"):
        rnn.token_lengths("one string")


# --------------------------------------------------------------------------- model
@pytest.mark.parametrize("kind", rnn.KINDS)
def test_builders_output_shape_parameters_and_uncompiled(kind):
    model = rnn.build_rnn_classifier(
        kind, vocab_size=50, sequence_length=7, embedding_dim=4, units=3
    )
    assert not model.compiled
    ids = np.array([[5, 6, 7, 0, 0, 0, 0], [5, 6, 7, 8, 9, 10, 11]])
    out = keras.ops.convert_to_numpy(model(ids))
    assert out.shape == (2, 1) and np.all((out > 0) & (out < 1))
    per_direction = {
        "simple_rnn": 3 * (4 + 3 + 1),
        "lstm": 4 * 3 * (4 + 3 + 1),
        "gru": 3 * 3 * (4 + 3 + 2),  # Keras' GRU default reset_after=True has two biases
        "bi_gru": 2 * 3 * 3 * (4 + 3 + 2),
    }[kind]
    directions = 2 if kind == "bi_gru" else 1
    assert model.count_params() == 50 * 4 + per_direction + directions * 3 + 1


def test_builder_adds_dropout_and_rejects_an_unknown_kind():
    model = rnn.build_rnn_classifier("gru", vocab_size=10, dropout_rate=0.3)
    assert [layer.name for layer in model.layers] == [
        "embedding",
        "gru",
        "dropout",
        "spam_probability",
    ]
    with pytest.raises(ValueError, match="simple_rnn, lstm, gru, bi_gru"):
        rnn.build_rnn_classifier("transformer", vocab_size=10)


def test_builder_keeps_the_seeded_weights_of_the_stored_results():
    """The recurrent layer is created before the embedding: seeded weights depend on that order."""
    keras.utils.set_random_seed(42)
    model = rnn.build_rnn_classifier("lstm", vocab_size=20, embedding_dim=4, units=3)
    keras.utils.set_random_seed(42)
    recurrent = keras.layers.LSTM(3)
    embedding = keras.layers.Embedding(20, 4)
    stack = keras.Sequential([keras.Input((None,), dtype="int64"), embedding, recurrent])
    np.testing.assert_array_equal(
        model.layers[0].get_weights()[0], stack.layers[0].get_weights()[0]
    )
    np.testing.assert_array_equal(
        model.layers[1].get_weights()[0], stack.layers[1].get_weights()[0]
    )


@pytest.mark.parametrize("kind", ["simple_rnn", "gru"])
def test_mask_makes_the_output_ignore_padding(kind):
    masked = rnn.build_rnn_classifier(kind, vocab_size=20, embedding_dim=4, units=3)
    short = np.array([[3, 4, 5]])
    padded = np.array([[3, 4, 5, 0, 0, 0, 0, 0]])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(masked(short)),
        keras.ops.convert_to_numpy(masked(padded)),
        atol=1e-6,
    )
    unmasked = rnn.build_rnn_classifier(
        kind, vocab_size=20, embedding_dim=4, units=3, mask_zero=False
    )
    unmasked.set_weights(masked.get_weights())
    assert not np.allclose(
        keras.ops.convert_to_numpy(unmasked(short)), keras.ops.convert_to_numpy(unmasked(padded))
    )


# --------------------------------------------------------------------------- training and evaluation
def test_compile_classifier_sets_clipping_and_the_early_stopping_keeps_the_best_weights():
    model = rnn.compile_classifier(rnn.build_rnn_classifier("gru", vocab_size=10), clipnorm=0.5)
    assert model.optimizer.clipnorm == 0.5
    assert float(model.optimizer.learning_rate) == pytest.approx(3e-3)
    stopper = rnn.early_stopping(patience=2)
    assert (stopper.monitor, stopper.patience, stopper.restore_best_weights) == (
        "val_loss",
        2,
        True,
    )


def test_binary_metrics_agree_with_hand_counts():
    y_true = [1, 1, 1, 0, 0, 0, 0, 0]
    y_pred = [1, 1, 0, 1, 0, 0, 0, 0]  # TP=2, FN=1, FP=1, TN=4
    assert rnn.binary_metrics(y_true, y_pred) == pytest.approx(
        {"accuracy": 6 / 8, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3}
    )
    assert rnn.binary_metrics([1, 0], [0, 0])["f1"] == 0.0  # nothing flagged: no division error


def test_predict_probabilities_and_evaluate_binary_use_the_threshold():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[1.0]]), np.array([0.0])])  # p = sigmoid(x)
    x = np.array([[-2.0], [-0.1], [0.1], [3.0]], dtype="float32")
    probabilities = rnn.predict_probabilities(model, x, batch_size=3)
    np.testing.assert_allclose(probabilities, 1 / (1 + np.exp(-x.ravel())), rtol=1e-6)
    assert rnn.evaluate_binary(model, x, [0, 0, 1, 1])["accuracy"] == 1.0
    assert rnn.evaluate_binary(model, x, [0, 0, 1, 1], threshold=0.6)["recall"] == 0.5


# --------------------------------------------------------------------------- vanishing gradients
def test_gradient_norm_per_timestep_matches_finite_differences_and_masking():
    keras.utils.set_random_seed(0)
    model = rnn.build_rnn_classifier("simple_rnn", vocab_size=10, embedding_dim=3, units=4)
    ids = np.array([[2, 3, 4, 0, 0], [5, 6, 7, 8, 9]])
    labels = np.array([1, 0])
    norms = rnn.gradient_norm_per_timestep(model, ids, labels)
    assert norms.shape == (5,) and norms.dtype == np.float64
    embedded = keras.ops.convert_to_numpy(model.layers[0](ids)).astype(np.float64)

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
    assert np.allclose(np.linalg.norm(numeric[0, 3:], axis=-1), 0)  # padding gets no gradient


def test_gradient_norm_rejects_models_without_embedding():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="Embedding"):
        rnn.gradient_norm_per_timestep(model, np.zeros((1, 3), int), [1])


# --------------------------------------------------------------------------- word importance
def _toy_predict(texts):
    """P(spam) = 0.1 + 0.4 per occurrence of 'free', capped at 0.9; 'meeting' subtracts 0.05."""
    scores = []
    for t in texts:
        words = t.lower().split()
        scores.append(min(0.9, 0.1 + 0.4 * words.count("free")) - 0.05 * words.count("meeting"))
    return np.array(scores)


def test_spam_probability_and_word_importance_with_a_known_predictor():
    assert rnn.spam_probability("free stuff", _toy_predict) == pytest.approx(0.5)
    probability, importances = rnn.word_importance(
        "FREE offer meeting", _toy_predict, scale="probability"
    )
    assert probability == pytest.approx(0.45)
    assert [w for w, _ in importances] == ["FREE", "offer", "meeting"]
    changes = dict(importances)
    assert changes["FREE"] == pytest.approx(0.4)
    assert changes["offer"] == pytest.approx(0.0)
    assert changes["meeting"] == pytest.approx(-0.05)
    assert rnn.word_importance("", _toy_predict)[1] == []


def test_word_importance_on_the_log_odds_scale():
    def logit(p):
        return np.log(p / (1 - p))

    probability, importances = rnn.word_importance("FREE offer meeting", _toy_predict)
    changes = dict(importances)
    assert probability == pytest.approx(0.45)
    assert changes["FREE"] == pytest.approx(logit(0.45) - logit(0.05))
    assert changes["meeting"] == pytest.approx(logit(0.45) - logit(0.5))
    with pytest.raises(ValueError, match="scale"):
        rnn.word_importance("free", _toy_predict, scale="percent")


def test_word_importance_rejects_a_list():
    with pytest.raises(TypeError, match="str"):
        rnn.spam_probability(["a list"], _toy_predict)
    with pytest.raises(TypeError, match="str"):
        rnn.word_importance(["a list"], _toy_predict)


def test_make_predictor_with_a_real_model():
    vectorizer = rnn.make_vectorizer(TEXTS, max_tokens=50, sequence_length=10)
    model = rnn.build_rnn_classifier("gru", vocab_size=vectorizer.vocabulary_size(), units=2)
    scores = rnn.make_predictor(model, vectorizer)(["free money", "meeting"])
    assert scores.shape == (2,) and np.all((scores > 0) & (scores < 1))
