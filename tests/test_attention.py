"""Tests for course_utils.attention: attention by hand vs Keras, and the GAN objective."""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from course_utils import attention


def _qkv(seed: int = 0, batch: int = 2, num_queries: int = 3, num_keys: int = 4, depth: int = 5):
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(batch, num_queries, depth)).astype("float32")
    key = rng.normal(size=(batch, num_keys, depth)).astype("float32")
    value = rng.normal(size=(batch, num_keys, 6)).astype("float32")
    return query, key, value


# --------------------------------------------------------------------------- softmax
def test_softmax_rows_sum_to_one_and_survive_large_scores():
    scores = np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]])
    weights = attention.softmax(scores)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    np.testing.assert_allclose(weights[0], attention.softmax(scores[0] - 1000.0))
    assert np.all(np.isfinite(weights))


def test_softmax_fully_masked_row_is_an_error():
    with pytest.raises(ValueError, match="at least one key"):
        attention.softmax(np.array([[-np.inf, -np.inf], [0.0, 1.0]]))


# --------------------------------------------------------------------------- attention vs Keras
def test_unscaled_attention_matches_keras_attention_layer():
    query, key, value = _qkv()
    layer = keras.layers.Attention()  # plain dot-product scores, no scaling, no weights
    keras_out, keras_weights = layer([query, value, key], return_attention_scores=True)
    output, weights = attention.scaled_dot_product_attention(query, key, value, scale=1.0)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)
    np.testing.assert_allclose(weights, keras.ops.convert_to_numpy(keras_weights), atol=1e-6)


def test_scaled_attention_matches_keras_attention_with_prescaled_query():
    query, key, value = _qkv(seed=1)
    depth = query.shape[-1]
    layer = keras.layers.Attention()
    keras_out = layer([query / math.sqrt(depth), value, key])
    output, _ = attention.scaled_dot_product_attention(query, key, value)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)


def test_causal_attention_matches_keras_causal_mask():
    query, key, value = _qkv(seed=2, num_queries=4, num_keys=4)
    layer = keras.layers.Attention()
    keras_out, keras_weights = layer(
        [query, value, key], use_causal_mask=True, return_attention_scores=True
    )
    output, weights = attention.scaled_dot_product_attention(
        query, key, value, attention.causal_mask(4), scale=1.0
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
    output, weights = attention.scaled_dot_product_attention(query, key, value)
    np.testing.assert_allclose(output, keras.ops.convert_to_numpy(keras_out), atol=1e-5)
    np.testing.assert_allclose(weights, keras.ops.convert_to_numpy(keras_weights)[:, 0], atol=1e-6)


def test_attention_shapes_and_weight_rows():
    query, key, value = _qkv(num_queries=3, num_keys=7)
    output, weights = attention.scaled_dot_product_attention(query, key, value)
    assert output.shape == (2, 3, 6)
    assert weights.shape == (2, 3, 7)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_attention_bad_inputs_raise_clear_errors():
    query, key, value = _qkv()
    with pytest.raises(ValueError, match="same last dimension"):
        attention.scaled_dot_product_attention(query[..., :3], key, value)
    with pytest.raises(ValueError, match="one value per key"):
        attention.scaled_dot_product_attention(query, key, value[:, :2])
    with pytest.raises(ValueError, match="bool"):
        attention.scaled_dot_product_attention(query, key, value, np.ones((3, 4)))
    with pytest.raises(ValueError, match="broadcast"):
        attention.scaled_dot_product_attention(query, key, value, np.ones((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="scale"):
        attention.scaled_dot_product_attention(query, key, value, scale=-1.0)


def test_causal_mask():
    np.testing.assert_array_equal(
        attention.causal_mask(3), [[True, False, False], [True, True, False], [True, True, True]]
    )
    with pytest.raises(ValueError):
        attention.causal_mask(0)
    with pytest.raises(TypeError):
        attention.causal_mask(2.0)


# --------------------------------------------------------------------------- GAN objective
def test_gan_value_of_a_clueless_discriminator_is_minus_log_4():
    assert attention.gan_value(np.full(10, 0.5), np.full(7, 0.5)) == pytest.approx(-math.log(4))


def test_gan_value_matches_keras_binary_crossentropy():
    rng = np.random.default_rng(0)
    d_real = rng.uniform(0.05, 0.95, 50)
    d_fake = rng.uniform(0.05, 0.95, 50)
    bce = keras.losses.BinaryCrossentropy()
    real_loss = float(bce(np.ones(50), d_real))
    fake_loss = float(bce(np.zeros(50), d_fake))
    # V(D, G) is minus the discriminator's binary cross-entropy (real = 1, fake = 0).
    assert attention.gan_value(d_real, d_fake) == pytest.approx(-(real_loss + fake_loss), abs=1e-4)


def test_gan_value_rejects_logits():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        attention.gan_value(np.array([2.0]), np.array([0.5]))
    with pytest.raises(ValueError, match="empty"):
        attention.gan_value(np.array([]), np.array([0.5]))


def _grid():
    x = np.linspace(-8, 8, 4001)
    return x, x[1] - x[0]


def test_optimal_discriminator_maximises_the_value_and_gives_jsd_identity():
    x, dx = _grid()
    p_data = attention.gaussian_pdf(x, 0.0, 1.0)
    p_g = attention.gaussian_pdf(x, 1.5, 0.8)
    d_star = attention.optimal_discriminator(p_data, p_g)
    best = attention.gan_value_on_grid(d_star, p_data, p_g, dx)
    for other in (np.full_like(x, 0.5), np.clip(d_star + 0.05, 0, 1), 1 / (1 + np.exp(-x))):
        assert attention.gan_value_on_grid(other, p_data, p_g, dx) < best
    jsd = attention.jensen_shannon_divergence(p_data, p_g, dx)
    assert best == pytest.approx(-math.log(4) + 2 * jsd, abs=1e-6)
    assert 0 < jsd < math.log(2)


def test_when_generator_matches_data_d_star_is_one_half():
    x, dx = _grid()
    p = attention.gaussian_pdf(x, 0.3, 1.2)
    d_star = attention.optimal_discriminator(p, p)
    np.testing.assert_allclose(d_star, 0.5)
    assert attention.gan_value_on_grid(d_star, p, p, dx) == pytest.approx(-math.log(4), abs=1e-6)
    assert attention.jensen_shannon_divergence(p, p, dx) == pytest.approx(0.0, abs=1e-12)


def test_optimal_discriminator_where_both_densities_vanish():
    np.testing.assert_allclose(
        attention.optimal_discriminator(np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 2.0])),
        [0.5, 1.0, 0.0],
    )


def test_grid_functions_validate_inputs():
    with pytest.raises(ValueError, match="same grid"):
        attention.optimal_discriminator(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="non-negative"):
        attention.jensen_shannon_divergence(-np.ones(3), np.ones(3), 0.1)
    with pytest.raises(ValueError, match="dx"):
        attention.gan_value_on_grid(np.full(3, 0.5), np.ones(3), np.ones(3), 0.0)


# --------------------------------------------------------------------------- exercise checks
def test_exercise_checks(capsys):
    assert attention.check_causal_mask(None) is False
    assert "not attempted" in capsys.readouterr().out
    assert attention.check_causal_mask(np.tril(np.ones((5, 5), dtype=bool))) is True
    assert attention.check_causal_mask(np.triu(np.ones((5, 5), dtype=bool))) is False
    assert "transpose" in capsys.readouterr().out
    assert attention.check_uniform_discriminator_value(-math.log(4)) is True
    assert attention.check_uniform_discriminator_value(math.log(4)) is False
    assert attention.check_uniform_discriminator_value(-0.69) is False


# --------------------------------------------------------------------------- plots
def test_plot_helpers_return_figures_and_check_shapes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weights = attention.softmax(np.random.default_rng(0).normal(size=(3, 3)))
    fig = attention.plot_weights([weights, weights], ["a", "b"], ["x", "y", "z"])
    assert len(fig.axes) == 3  # two heatmaps and a colour bar
    with pytest.raises(ValueError, match="titles"):
        attention.plot_weights([weights], ["a", "b"], ["x", "y", "z"])
    with pytest.raises(ValueError, match="shape"):
        attention.plot_weights([weights], ["a"], ["x", "y"])
    x = np.linspace(-3, 3, 50)
    p = attention.gaussian_pdf(x)
    fig2 = attention.plot_discriminator(x, p, p, {"D*": attention.optimal_discriminator(p, p)})
    assert len(fig2.axes) == 2
    plt.close("all")
