"""Plotting helpers shared by the notebooks (matplotlib, modest figure sizes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def use_course_style() -> None:
    """Set modest figure sizes and a clean style for every notebook."""
    plt.rcParams.update(
        {
            "figure.figsize": (6.0, 3.6),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    columns: int = 8,
    cmap: str = "gray",
    size: float = 1.1,
    suptitle: str | None = None,
) -> plt.Figure:
    """Show a grid of images.

    Args:
        images: ``(n, height, width)`` or ``(n, height, width, 1)`` array, any numeric range.
        titles: optional title per image (length ``n``).
        columns: images per row (>= 1).
        cmap: matplotlib colour map.
        size: inches per image.
        suptitle: optional title of the whole figure.

    Returns:
        The figure.

    Raises:
        ValueError: wrong image rank, empty input, or titles of the wrong length.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"images must be a non-empty (n, height, width[, 1]) array, got shape {images.shape}."
        )
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images; pass one per image.")
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}.")
    columns = min(columns, len(images))
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * size, rows * size * 1.15), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def learning_curves(
    history: Mapping[str, Sequence[float]] | object, metrics: Sequence[str] = ("loss",)
) -> plt.Figure:
    """Plot training and validation curves from a Keras ``History`` (or its ``.history`` dict).

    Args:
        history: ``model.fit(...)``'s return value, or a dict like ``{"loss": [...], "val_loss": [...]}``.
        metrics: metric names to plot side by side (each with its ``val_`` twin if present).

    Raises:
        ValueError: a metric is not in the history (the message lists what is there).
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError("history must be a keras History or a dict of metric lists.")
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"metrics {missing} are not in the history; it has {sorted(logs)}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.0), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label="training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s--", label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.legend()
    fig.tight_layout()
    return fig


def confusion_matrix(
    matrix: np.ndarray,
    class_names: Sequence[str] | None = None,
    *,
    normalize: bool = False,
    title: str = "",
) -> plt.Figure:
    """Draw a confusion matrix (rows: true class, columns: predicted class) with counts.

    Args:
        matrix: square ``(k, k)`` array of counts.
        class_names: ``k`` labels; defaults to 0..k-1.
        normalize: show row-normalised rates instead of counts.
        title: optional title.

    Raises:
        ValueError: the matrix is not square or the names do not match its size.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (k, k), got shape {matrix.shape}.")
    k = matrix.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"got {len(names)} class names for a {k}x{k} matrix.")
    shown = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    fig, ax = plt.subplots(figsize=(0.45 * k + 2.2, 0.45 * k + 1.8))
    ax.imshow(shown, cmap="Blues")
    ax.grid(False)
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else f"{int(shown[i, j])}"
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if shown[i, j] > shown.max() / 2 else "black",
            )
    ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
