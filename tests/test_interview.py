"""Tests for course_utils.interview (notebook 03): attention, the LSTM step, the GAN objective."""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from course_utils import interview


def _qkv(seed: int = 0, batch: int = 2, num_queries: int = 3, num_keys: int = 4, depth: int = 5):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(batch, num_queries, depth)).astype("float32")
    key = rng.normal(size=(batch, num_keys, depth)).astype("float32")
    value = rng.normal(size=(batch, num_keys, 6)).astype("float32")
    return query, key, value


# --------------------------------------------------------------------------- softmax
def test_softmax_rows_sum_to_one_and_survive_large_scores():
    scores = np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])
    weights = interview.softmax(scores)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    np.testing.assert_allclose(weights[0], interview.softmax(scores[0] - 1000.0))
    assert np.all(np.isfinite(weights))


def test_softmax_fully_masked_row_is_an_error():
    with pytest.raises(ValueError, match="at least one key"):
        interview.softmax(np.array([[-np.inf, -np.inf], [0.0, 1.0]]))


# --------------------------------------------------------------------------- attention vs Keras
def test_unscaled_attention_matches_keras_attention_layer():
    query, key, value = _qkv()
    layer = keras.layers.Attention()  # plain dot-product scores, no scaling, no weights
    keras_out, keras_weights = layer([query, value, key], return_attention_scores=True)
    output, weights = interview.scaled_dot_product_attention(query, key, value, scale=1.0)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)
    np.testing.assert_allclose(weights, keras.ops.convert_to_numpy(keras_weights), atol=1e-6)


def test_scaled_attention_matches_keras_attention_with_prescaled_query():
    query, key, value = _qkv(seed=1)
    depth = query.shape[-1]
    layer = keras.layers.Attention()
    keras_out = layer([query / math.sqrt(depth), value, key])
    output, _ = interview.scaled_dot_product_attention(query, key, value)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)


def test_causal_attention_matches_keras_causal_mask():
    query, key, value = _qkv(seed=2, num_queries=4, num_keys=4)
    layer = keras.layers.Attention()
    keras_out, keras_weights = layer(
        [query, value, key], use_causal_mask=True, return_attention_scores=True
    )
    output, weights = interview.scaled_dot_product_attention(
        query, key, value, interview.causal_mask(4), scale=1.0
    )
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)
    np.testing.assert_allclose(weights, keras.ops.convert_to_numpy(keras_weights), atol=1e-6)
    assert np.all(weights[:, np.triu_indices(4, k=1)[0], np.triu_indices(4, k=1)[1]] == 0)


def test_attention_matches_single_head_multi_head_attention_with_identity_projections():
    query, key, value = _qkv(seed=3, depth=4)
    value = value[..., :4]
    depth = 4
    layer = keras.layers.MultiHeadAttention(num_heads=1, key_dim=depth, use_bias=False)
    layer(query, value, key)  # build
    eye = np.eye(depth, dtype="float32")
    layer.set_weights([eye[:, None, :], eye[:, None, :], eye[:, None, :], eye[None, :, :]])
    keras_out, keras_weights = layer(query, value, key, return_attention_scores=True)
    output, weights = interview.scaled_dot_product_attention(query, key, value)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)
    np.testing.assert_allclose(weights, keras.ops.convert_to_numpy(keras_weights)[:, 0], atol=1e-6)


def test_attention_shapes_and_weight_rows():
    query, key, value = _qkv(num_queries=3, num_keys=7)
    output, weights = interview.scaled_dot_product_attention(query, key, value)
    assert output.shape == (2, 3, 6)
    assert weights.shape == (2, 3, 7)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_attention_bad_inputs_raise_clear_errors():
    query, key, value = _qkv()
    with pytest.raises(ValueError, match="same last dimension"):
        interview.scaled_dot_product_attention(query[..., :3], key, value)
    with pytest.raises(ValueError, match="one value per key"):
        interview.scaled_dot_product_attention(query, key, value[:, :2])
    with pytest.raises(ValueError, match="bool"):
        interview.scaled_dot_product_attention(query, key, value, np.ones((3, 4)))
    with pytest.raises(ValueError, match="broadcast"):
        interview.scaled_dot_product_attention(query, key, value, np.ones((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="scale"):
        interview.scaled_dot_product_attention(query, key, value, scale=-1.0)


def test_causal_mask():
    np.testing.assert_array_equal(
        interview.causal_mask(3), [[True, False, False], [True, True, False], [True, True, True]]
    )
    with pytest.raises(TypeError):
        interview.causal_mask(2.0)


# --------------------------------------------------------------------------- LSTM step
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

    h_t, c_t = interview.lstm_step(x_t, h_prev, c_prev, kernel, recurrent, bias)
    assert h_t.shape == c_t.shape == (batch, units)
    assert h_t.dtype == c_t.dtype == np.float64
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
        h, c = interview.lstm_step(inputs[:, step], h, c, kernel, recurrent, bias)
    np.testing.assert_allclose(h, keras_h, atol=1e-5)
    np.testing.assert_allclose(c, keras_c, atol=1e-5)


def test_lstm_step_gate_order_matters():
    """Swapping the forget and input blocks must change the result (the order is i, f, c, o)."""
    rng = np.random.default_rng(2)
    kernel, recurrent, bias = _random_lstm_weights(rng, 3, 2)
    x_t, h, c = rng.normal(size=(1, 3)), rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    _, c_right = interview.lstm_step(x_t, h, c, kernel, recurrent, bias)
    swap = np.r_[2:4, 0:2, 4:8]
    _, c_swapped = interview.lstm_step(x_t, h, c, kernel[:, swap], recurrent[:, swap], bias[swap])
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
        interview.lstm_step(**arrays)


# --------------------------------------------------------------------------- GAN objective
def test_gan_value_of_a_clueless_discriminator_is_minus_log_4():
    assert interview.gan_value(np.full(10, 0.5), np.full(7, 0.5)) == pytest.approx(-math.log(4))


def test_gan_value_matches_keras_binary_crossentropy():
    rng = np.random.default_rng(0)
    d_real = rng.uniform(0.05, 0.95, 50)
    d_fake = rng.uniform(0.05, 0.95, 50)
    bce = keras.losses.BinaryCrossentropy()
    real_loss = float(bce(np.ones(50), d_real))
    fake_loss = float(bce(np.zeros(50), d_fake))
    # V(D, G) is minus the discriminator's binary cross-entropy (real = 1, fake = 0).
    assert interview.gan_value(d_real, d_fake) == pytest.approx(-(real_loss + fake_loss), abs=1e-4)


def test_gan_value_rejects_logits():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        interview.gan_value(np.array([2.0]), np.array([0.5]))
    with pytest.raises(ValueError, match="empty"):
        interview.gan_value(np.array([]), np.array([0.5]))


def _grid():
    x = np.linspace(-8, 8, 4001)
    return x, x[1] - x[0]


def test_optimal_discriminator_maximises_the_value_and_gives_jsd_identity():
    x, dx = _grid()
    p_data = interview.gaussian_pdf(x, 0.0, 1.0)
    p_g = interview.gaussian_pdf(x, 1.5, 0.8)
    d_star = interview.optimal_discriminator(p_data, p_g)
    best = interview.gan_value_on_grid(d_star, p_data, p_g, dx)
    for other in (np.full_like(x, 0.5), np.clip(d_star + 0.05, 0, 1), 1 / (1 + np.exp(-x))):
        assert interview.gan_value_on_grid(other, p_data, p_g, dx) < best
    jsd = interview.jensen_shannon_divergence(p_data, p_g, dx)
    assert best == pytest.approx(-math.log(4) + 2 * jsd, abs=1e-6)
    assert 0 < jsd < math.log(2)


def test_when_generator_matches_data_d_star_is_one_half():
    x, dx = _grid()
    p = interview.gaussian_pdf(x, 0.3, 1.2)
    d_star = interview.optimal_discriminator(p, p)
    np.testing.assert_allclose(d_star, 0.5)
    assert interview.gan_value_on_grid(d_star, p, p, dx) == pytest.approx(-math.log(4), abs=1e-6)
    assert interview.jensen_shannon_divergence(p, p, dx) == pytest.approx(0.0, abs=1e-12)


def test_optimal_discriminator_where_both_densities_vanish():
    np.testing.assert_allclose(
        interview.optimal_discriminator(np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 2.0])),
        [0.5, 1.0, 0.0],
    )


def test_grid_functions_validate_inputs():
    with pytest.raises(ValueError, match="same grid"):
        interview.optimal_discriminator(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="non-negative"):
        interview.jensen_shannon_divergence(-np.ones(3), np.ones(3), 0.1)
    with pytest.raises(ValueError, match="dx"):
        interview.gan_value_on_grid(np.full(3, 0.5), np.ones(3), np.ones(3), 0.0)
