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

import numpy as np


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
