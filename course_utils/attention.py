"""Attention and the GAN objective by hand (notebook 02, interview questions).

Two interview answers that deserve a computation rather than a sentence:

* scaled dot-product attention, ``softmax(Q K^T / sqrt(d_k)) V``, in NumPy:
  :func:`softmax`, :func:`scaled_dot_product_attention`, :func:`causal_mask`;
  checked against ``keras.layers.Attention`` and ``keras.layers.MultiHeadAttention``
  in ``tests/test_attention.py``;
* the GAN minimax value ``V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]`` for a fixed
  discriminator: :func:`gan_value` (Monte Carlo, from discriminator outputs),
  :func:`gan_value_on_grid` (1-D densities on a grid), :func:`optimal_discriminator`
  (``D*(x) = p_data / (p_data + p_g)``) and :func:`jensen_shannon_divergence`.

Import the module, not names::

    from course_utils import attention
    output, weights = attention.scaled_dot_product_attention(query, key, value)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import checks

_EPS = 1e-12


def _as_float_array(name: str, value: Any, min_ndim: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim < min_ndim:
        raise ValueError(
            f"{name} must have at least {min_ndim} dimensions, got shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; pass finite numbers.")
    return array


# --------------------------------------------------------------------------- attention
def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis``.

    Subtracts the maximum before exponentiating, so large scores do not overflow. Entries
    equal to ``-inf`` get weight 0 (that is how masking works).

    Args:
        scores: float array of any shape.
        axis: the axis that sums to 1 afterwards.

    Returns:
        float64 array of the same shape, non-negative, summing to 1 along ``axis``.

    Raises:
        ValueError: a whole slice along ``axis`` is ``-inf`` (nothing to attend to).
    """
    scores = np.asarray(scores, dtype=np.float64)
    top = np.max(scores, axis=axis, keepdims=True)
    if np.any(np.isneginf(top)):
        raise ValueError(
            "a row of scores is entirely -inf (fully masked): every query must be allowed to "
            "attend to at least one key; check your mask."
        )
    exps = np.exp(scores - top)
    return exps / np.sum(exps, axis=axis, keepdims=True)


def scaled_dot_product_attention(
    query: np.ndarray,
    key: np.ndarray,
    value: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    scale: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute ``softmax(query @ key^T * scale) @ value`` and return the weights too.

    This is the attention of "Attention Is All You Need" (Vaswani et al., 2017), without the
    learned projections: each query scores every key by a dot product, the scores become
    weights with a softmax over the keys, and the output is the weighted average of the values.

    Args:
        query: float ``(..., num_queries, depth)``.
        key: float ``(..., num_keys, depth)`` (same ``depth`` as ``query``).
        value: float ``(..., num_keys, value_depth)`` (one value per key).
        mask: optional bool array broadcastable to ``(..., num_queries, num_keys)``;
            ``True`` means "may attend". Every query needs at least one ``True``.
        scale: factor applied to the scores; default ``1 / sqrt(depth)``. Pass ``1.0`` for plain
            (unscaled) dot-product attention, as ``keras.layers.Attention`` computes by default.

    Returns:
        ``(output, weights)``: float64 ``(..., num_queries, value_depth)`` and
        ``(..., num_queries, num_keys)``; each row of ``weights`` sums to 1.

    Raises:
        ValueError: shapes do not match, the mask does not broadcast, a query is fully masked,
            or ``scale`` is not a positive finite number.
    """
    query = _as_float_array("query", query, 2)
    key = _as_float_array("key", key, 2)
    value = _as_float_array("value", value, 2)
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"query depth {query.shape[-1]} != key depth {key.shape[-1]}: queries and keys must "
            "have the same last dimension to take dot products."
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"key has {key.shape[-2]} positions but value has {value.shape[-2]}: pass one value "
            "per key (shapes (..., num_keys, depth) and (..., num_keys, value_depth))."
        )
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if (
        isinstance(scale, bool)
        or not isinstance(scale, (int, float))
        or not (math.isfinite(scale) and scale > 0)
    ):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}.")
    scores = np.matmul(query, np.swapaxes(key, -1, -2)) * scale
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise ValueError(f"mask must be a bool array (True = may attend), got {mask.dtype}.")
        try:
            mask = np.broadcast_to(mask, scores.shape)
        except ValueError as error:
            raise ValueError(
                f"mask of shape {mask.shape} does not broadcast to the scores' shape "
                f"{scores.shape} (..., num_queries, num_keys)."
            ) from error
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)
    return np.matmul(weights, value), weights


def causal_mask(length: int) -> np.ndarray:
    """Return the ``(length, length)`` bool mask that lets position ``i`` see positions ``<= i``.

    This is what a decoder (a GPT-style language model) uses so that a token cannot look at
    the tokens it is supposed to predict.

    Raises:
        TypeError: ``length`` is not an int.
        ValueError: ``length`` < 1.
    """
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"length must be an int, got {length!r}.")
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}.")
    return np.tril(np.ones((length, length), dtype=bool))


# --------------------------------------------------------------------------- GAN objective
def _probabilities(name: str, value: Any) -> np.ndarray:
    array = _as_float_array(name, value, 0)
    if array.size == 0:
        raise ValueError(f"{name} is empty; pass at least one discriminator output.")
    if np.any(array < 0) or np.any(array > 1):
        raise ValueError(
            f"{name} must hold probabilities in [0, 1] (the discriminator's sigmoid output), "
            f"got values from {array.min():.3g} to {array.max():.3g}. If you have logits, apply "
            "a sigmoid first."
        )
    return array


def gan_value(d_real: np.ndarray, d_fake: np.ndarray) -> float:
    """Monte Carlo estimate of ``V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]``.

    The discriminator ``D`` maximises ``V``; the generator ``G`` minimises it. Probabilities are
    clipped to ``[1e-12, 1 - 1e-12]`` so a perfectly confident ``D`` gives a large finite number
    instead of ``-inf``.

    Args:
        d_real: ``D(x)`` on real samples, probabilities in [0, 1], any shape.
        d_fake: ``D(G(z))`` on generated samples, probabilities in [0, 1], any shape.

    Returns:
        The value (a float <= 0). A discriminator that outputs 0.5 everywhere gives
        ``-log 4 ≈ -1.386``.

    Raises:
        ValueError: empty input or values outside [0, 1].
    """
    d_real = np.clip(_probabilities("d_real", d_real), _EPS, 1 - _EPS)
    d_fake = np.clip(_probabilities("d_fake", d_fake), _EPS, 1 - _EPS)
    return float(np.mean(np.log(d_real)) + np.mean(np.log1p(-d_fake)))


def _densities(p_data: Any, p_generator: Any, dx: float) -> tuple[np.ndarray, np.ndarray]:
    p_data = _as_float_array("p_data", p_data, 1)
    p_generator = _as_float_array("p_generator", p_generator, 1)
    if p_data.shape != p_generator.shape:
        raise ValueError(
            f"p_data {p_data.shape} and p_generator {p_generator.shape} must be evaluated on the "
            "same grid (same shape)."
        )
    if np.any(p_data < 0) or np.any(p_generator < 0):
        raise ValueError("densities must be non-negative.")
    if not (isinstance(dx, (int, float)) and not isinstance(dx, bool) and dx > 0):
        raise ValueError(f"dx (the grid spacing) must be a positive number, got {dx!r}.")
    return p_data, p_generator


def optimal_discriminator(p_data: np.ndarray, p_generator: np.ndarray) -> np.ndarray:
    """Return ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``, the best discriminator for a fixed G.

    Where both densities are 0 the value is undefined; it is set to 0.5 (no evidence either way).

    Args:
        p_data: density of the real data on a grid, float ``(n,)``, non-negative.
        p_generator: density of the generator's samples on the same grid, float ``(n,)``.

    Returns:
        float64 ``(n,)`` with values in [0, 1].

    Raises:
        ValueError: different shapes or negative densities.
    """
    p_data, p_generator = _densities(p_data, p_generator, 1.0)
    total = p_data + p_generator
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, p_data / safe, 0.5)


def gan_value_on_grid(
    discriminator: np.ndarray, p_data: np.ndarray, p_generator: np.ndarray, dx: float
) -> float:
    """``V(D, G) = ∫ p_data log D + ∫ p_g log(1 - D)`` for 1-D densities on an even grid.

    Uses a Riemann sum with spacing ``dx``; points where a density is 0 contribute nothing
    (``0 * log 0`` is taken as 0).

    Args:
        discriminator: ``D(x)`` on the grid, probabilities in [0, 1], float ``(n,)``.
        p_data: real-data density on the grid, float ``(n,)``.
        p_generator: generator density on the grid, float ``(n,)``.
        dx: grid spacing (> 0).

    Returns:
        The value as a float.

    Raises:
        ValueError: shapes differ, negative densities, D outside [0, 1], or ``dx`` <= 0.
    """
    p_data, p_generator = _densities(p_data, p_generator, dx)
    d = _probabilities("discriminator", discriminator)
    if d.shape != p_data.shape:
        raise ValueError(
            f"discriminator {d.shape} must be evaluated on the same grid as the densities "
            f"{p_data.shape}."
        )
    d = np.clip(d, _EPS, 1 - _EPS)
    real_term = np.sum(np.where(p_data > 0, p_data * np.log(d), 0.0)) * dx
    fake_term = np.sum(np.where(p_generator > 0, p_generator * np.log1p(-d), 0.0)) * dx
    return float(real_term + fake_term)


def jensen_shannon_divergence(p: np.ndarray, q: np.ndarray, dx: float) -> float:
    """Jensen-Shannon divergence (natural log) of two 1-D densities on an even grid.

    ``JSD(p, q) = KL(p || m) / 2 + KL(q || m) / 2`` with ``m = (p + q) / 2``; it lies in
    ``[0, log 2]``. With the optimal discriminator, ``V(D*, G) = -log 4 + 2 * JSD(p_data, p_g)``.

    Args:
        p, q: densities on the same grid, float ``(n,)``, non-negative.
        dx: grid spacing (> 0).

    Raises:
        ValueError: shapes differ, negative densities, or ``dx`` <= 0.
    """
    p, q = _densities(p, q, dx)
    m = (p + q) / 2

    def _kl(a: np.ndarray) -> float:
        positive = a > 0
        return float(np.sum(a[positive] * np.log(a[positive] / m[positive])) * dx)

    return 0.5 * _kl(p) + 0.5 * _kl(q)


def gaussian_pdf(x: np.ndarray, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """Normal density ``N(mean, std^2)`` evaluated at ``x`` (float64, same shape as ``x``).

    Raises:
        ValueError: ``std`` <= 0.
    """
    if not std > 0:
        raise ValueError(f"std must be > 0, got {std!r}.")
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


# --------------------------------------------------------------------------- exercise checks
@checks.exercise
def check_causal_mask(mask: Any) -> str | None:
    """Exercise check: ``mask`` must be the (5, 5) causal mask (True on and below the diagonal)."""
    mask = np.asarray(mask)
    if mask.shape != (5, 5):
        return f"the mask for 5 tokens has shape (5, 5); yours has shape {mask.shape}"
    if mask.dtype != bool:
        return (
            "use a bool array: True where a query may attend to a key (np.tril(...).astype(bool))"
        )
    if np.array_equal(mask, np.triu(np.ones((5, 5), dtype=bool))):
        return (
            "that is the transpose: row i is query i, so it may see keys 0..i (below the diagonal)"
        )
    if not np.array_equal(mask, np.tril(np.ones((5, 5), dtype=bool))):
        return "query i may attend to keys 0, 1, ..., i and to nothing after it"
    return None


@checks.exercise
def check_uniform_discriminator_value(answer: Any) -> str | None:
    """Exercise check: V(D, G) when D outputs 0.5 everywhere is ``-log 4``."""
    value = float(answer)
    if abs(value - math.log(4)) < 1e-3:
        return "mind the sign: log 0.5 is negative"
    if abs(value - (-math.log(4))) > 1e-3:
        return "each expectation is log 0.5 when D(x) = 0.5 everywhere; add the two terms"
    return None


# --------------------------------------------------------------------------- plots
def plot_weights(
    weights: Sequence[np.ndarray],
    titles: Sequence[str],
    labels: Sequence[str],
) -> Any:
    """Draw attention weight matrices side by side as heatmaps (rows: queries, columns: keys).

    Args:
        weights: one or more ``(n, n)`` weight matrices (rows sum to 1).
        titles: a title per matrix.
        labels: the ``n`` token labels, used for both axes.

    Returns:
        The matplotlib figure.

    Raises:
        ValueError: the numbers of matrices and titles differ, or a matrix does not match labels.
    """
    import matplotlib.pyplot as plt

    if len(weights) != len(titles):
        raise ValueError(f"got {len(weights)} matrices and {len(titles)} titles; pass one each.")
    size = len(labels)
    fig, axes = plt.subplots(1, len(weights), figsize=(3.4 * len(weights), 3.2), squeeze=False)
    for ax, matrix, title in zip(axes.flat, weights, titles, strict=True):
        matrix = np.asarray(matrix)
        if matrix.shape != (size, size):
            raise ValueError(
                f"a weight matrix has shape {matrix.shape}, expected ({size}, {size})."
            )
        image = ax.imshow(matrix, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.grid(False)
        ax.set_xticks(range(size), labels, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(size), labels, fontsize=8)
        ax.set_xlabel("key (attended to)")
        ax.set_title(title, fontsize=9)
        for row in range(size):
            for column in range(size):
                value = matrix[row, column]
                ax.text(
                    column,
                    row,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="black" if value > 0.5 else "white",
                )
    axes.flat[0].set_ylabel("query")
    fig.colorbar(image, ax=list(axes.flat), shrink=0.8, label="weight")
    return fig


def plot_discriminator(
    x: np.ndarray, p_data: np.ndarray, p_generator: np.ndarray, discriminators: dict[str, Any]
) -> Any:
    """Plot two 1-D densities and one or more discriminators ``D(x)`` on a twin axis.

    Args:
        x: grid, float ``(n,)``.
        p_data, p_generator: densities on the grid, float ``(n,)``.
        discriminators: label -> ``D(x)`` on the grid, float ``(n,)`` in [0, 1].

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.fill_between(x, p_data, alpha=0.3, label="p_data (real)")
    ax.fill_between(x, p_generator, alpha=0.3, label="p_g (generator)")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    twin = ax.twinx()
    for (label, values), style in zip(discriminators.items(), ("-", "--", ":", "-."), strict=False):
        twin.plot(x, values, style, color="black", label=label)
    twin.set_ylim(-0.02, 1.02)
    twin.set_ylabel("D(x)")
    twin.grid(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig
