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
