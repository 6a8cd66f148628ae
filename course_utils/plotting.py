"""Plotting helpers shared by the notebooks (matplotlib, modest figure sizes)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import display

# Okabe and Ito's colour-blind-safe palette: blue, orange, bluish green, vermillion, purple, sky blue.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Where several lines share a panel they also differ in dash and marker, not in colour alone.
LINE_STYLES, MARKERS = ("-", "--", "-.", ":"), ("o", "s", "^", "D")


def use_course_style() -> None:
    """Set modest figure sizes, a clean style and a colour-blind-safe palette for every notebook."""
    plt.rcParams.update({"axes.prop_cycle": plt.cycler(color=OKABE_ITO),
        "figure.figsize": (6.0, 3.6), "figure.dpi": 80, "savefig.dpi": 80, "font.size": 10,
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    })  # fmt: skip


def _squeeze_channel(images: np.ndarray, ndim: int = 4) -> np.ndarray:
    """``images`` as an array without its single channel axis, if it has ``ndim`` axes."""
    images = np.asarray(images)
    return images[..., 0] if images.ndim == ndim else images


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    columns: int = 8,
    cmap: str = "gray",
    size: float = 1.1,
    suptitle: str | None = None,
    symmetric: bool = False,
) -> plt.Figure:
    """Show ``(n, height, width[, 1])`` images, ``columns`` per row and ``size`` inches each.

    ``titles`` holds one title per image; a wrong shape or count raises ValueError. With
    ``symmetric``, every image shares the colour limits -m..m (m the largest absolute value), so
    that a diverging ``cmap`` such as ``"RdBu_r"`` draws 0 in its middle colour (white).
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must be non-empty (n, height, width[, 1]), got {images.shape}.")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images; pass one per image.")
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}.")
    columns = min(columns, len(images))
    rows = int(np.ceil(len(images) / columns))
    figsize = (columns * size, rows * size * 1.15)
    fig, axes = plt.subplots(rows, columns, figsize=figsize, squeeze=False)
    limit = float(np.abs(images).max()) or 1.0
    limits = {"vmin": -limit, "vmax": limit} if symmetric else {}
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap=cmap, **limits)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def learning_curves(
    history: Mapping[str, Sequence[float]] | object, metrics: Sequence[str] = ("loss",)
) -> plt.Figure:
    """Plot ``metrics`` side by side, each with its ``val_`` twin, from a Keras History or dict."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError("history must be a keras History or a dict of metric lists.")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)  # one name, or a list
    if missing := [m for m in metrics if m not in logs]:
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
    """Draw a ``(k, k)`` confusion matrix of counts (rows: true class, columns: predicted).

    ``class_names`` default to 0..k-1; ``normalize`` shows row-normalised rates instead.
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
    texts = [f"{value:.2f}" if normalize else f"{int(value)}" for value in shown.flat]
    _annotated_matrix(ax, shown, texts, fontsize=7)
    ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    return fig


def _annotated_matrix(ax: plt.Axes, matrix: np.ndarray, texts: Sequence[str], **style) -> None:
    """Draw ``matrix`` in blues with ``texts`` (row by row) in its cells, white on dark cells."""
    ax.imshow(matrix, cmap="Blues")
    ax.grid(False)
    for (i, j), value in np.ndenumerate(matrix):
        colour = "white" if value > matrix.max() / 2 else "black"
        text = texts[i * matrix.shape[1] + j]
        ax.text(j, i, text, ha="center", va="center", color=colour, **style)


def privacy_utility(
    epsilons: Sequence[float], measured: Sequence[float], theory: Sequence[float], *, draws: int
) -> plt.Figure:
    """Log-log plot of the 95% error of Laplace releases of a rate against ε (notebook 02).

    ``measured`` (over ``draws`` releases per ε) and ``theory`` are fractions, drawn in points.
    """
    if not len(epsilons) == len(measured) == len(theory):
        raise ValueError("epsilons, measured and theory need one value per ε each.")
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    label = f"measured ({draws:,} releases each)"
    ax.loglog(epsilons, np.asarray(measured) * 100, "o", label=label)
    ax.loglog(epsilons, np.asarray(theory) * 100, "-", label="Δ/ε · ln 20")
    ax.set_xlabel("privacy budget ε (smaller = more private)")
    ax.set_ylabel("95% error of the rate (points)")
    ax.set_title("Privacy–utility trade-off of the Laplace mechanism")
    ax.legend()
    return fig


def importance_bars(
    names: Sequence[str],
    means: Sequence[float],
    stds: Sequence[float],
    *,
    xlabel: str,
    top: int = 10,
) -> plt.Figure:
    """Bars of the ``top`` largest feature importances ± their ``stds``, largest on top."""
    means, stds = np.asarray(means), np.asarray(stds)
    if not len(names) == len(means) == len(stds):
        raise ValueError("names, means and stds need one value per feature each.")
    order = np.argsort(means)[::-1][:top][::-1]
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.barh([names[i] for i in order], means[order], xerr=stds[order])
    ax.set_xlabel(xlabel)
    ax.set_title(f"Permutation importance, top {len(order)} features")
    return fig


def data_size_curve(
    sizes: Sequence[int],
    scores: Sequence[float],
    *,
    xlabel: str = "training examples (log scale)",
    ylabel: str = "test score",
    spread: tuple[Sequence[float], Sequence[float]] | None = None,
) -> plt.Figure:
    """A score against the training-set size, on a log x axis (a learning curve over data).

    ``spread``, optional: (lowest, highest) score per size over repeated draws, drawn as a band.
    """
    if len(sizes) != len(scores):
        raise ValueError(f"got {len(sizes)} sizes and {len(scores)} scores; pass one per size.")
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.semilogx(sizes, scores, "o-", label="mean")
    if spread is not None:
        ax.fill_between(sizes, *spread, alpha=0.25, label="range over draws")
        ax.legend(loc="lower right")
    ax.set(xlabel=xlabel, ylabel=ylabel, title="Learning curve: returns diminish with data")
    return fig


def length_histogram(
    lengths: Sequence[int], *, chosen: int | None = None, percentiles: Sequence[int] = (50, 75, 90)
) -> plt.Figure:
    """Histogram of tokens per text, marking ``percentiles`` and the ``chosen`` length in red."""
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) == 0:
        raise ValueError(f"lengths must be a non-empty 1-D array, got shape {lengths.shape}.")
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    upper = np.percentile(lengths, 99)
    ax.hist(np.minimum(lengths, upper), bins=60, color=OKABE_ITO[0], alpha=0.8)
    for p in percentiles:
        value = np.percentile(lengths, p)
        ax.axvline(value, color="gray", linestyle="--", linewidth=1)
        ax.text(value, ax.get_ylim()[1] * 0.92, f" {p}%: {value:.0f}", fontsize=8, color="gray")
    if chosen is not None:
        ax.axvline(chosen, color=OKABE_ITO[3], linewidth=2)
        label = f" chosen {chosen}\n covers {np.mean(lengths <= chosen):.0%}"
        ax.text(chosen, ax.get_ylim()[1] * 0.6, label, color=OKABE_ITO[3], fontsize=9)
    ax.set(xlabel=f"tokens per text (cut at the 99th percentile, {upper:.0f})", ylabel="texts")
    fig.tight_layout()
    return fig


def gradient_norms(
    curves: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylim: tuple[float, float] | None = None,
) -> plt.Figure:
    """Gradient norm per time step on a log scale, one line per ``label: norms`` of ``curves``.

    Zeros are drawn at 1e-30; ``xlabel`` should say where the output is read.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for (label, curve), dash in zip(curves.items(), itertools.cycle(LINE_STYLES)):
        ax.semilogy(np.maximum(np.asarray(curve, dtype=float), 1e-30), dash, label=label)
    ax.set(xlabel=xlabel, ylabel="mean ||d loss / d e_t||", title=title, ylim=ylim)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def word_importance_bars(
    probability: float,
    importances: Sequence[tuple[str, float]],
    *,
    top: int = 10,
    scale: str = "log_odds",
) -> plt.Figure:
    """Bars of the ``top`` words with the largest absolute occlusion change, largest on top.

    ``importances`` is ``[(word, change), ...]`` on the ``scale`` ``"log_odds"`` or
    ``"probability"`` (red: pushed towards spam); the title shows the spam ``probability``.
    """
    ranked = sorted(importances, key=lambda item: abs(item[1]), reverse=True)[:top][::-1]
    fig, ax = plt.subplots(figsize=(5.5, 0.28 * max(len(ranked), 3) + 1.1))
    if ranked:
        words, changes = zip(*ranked, strict=True)
        colors = [OKABE_ITO[3] if c > 0 else OKABE_ITO[0] for c in changes]
        ax.barh(range(len(ranked)), changes, color=colors)
        ax.set_yticks(range(len(ranked)), [w[:25] for w in words], fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    what = "log-odds of spam" if scale == "log_odds" else "spam probability"
    ax.set_xlabel(f"drop in {what} when the word is removed")
    verdict = "spam" if probability >= 0.5 else "ham"
    ax.set_title(f"P(spam) = {probability:.1%} -> {verdict}", fontsize=10)
    fig.tight_layout()
    return fig


def conv_filters(kernel: np.ndarray, *, columns: int = 8, title: str = "") -> plt.Figure:
    """Show the first input channel of each filter of a ``Conv2D`` kernel (red > 0, blue < 0).

    ``kernel`` is ``layer.kernel``, ``(kernel_height, kernel_width, in_channels, filters)``
    (else ValueError); ``columns`` filters per row.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(
            f"kernel must be (kernel_height, kernel_width, in_channels, filters), got {kernel.shape}."
        )
    filters = np.moveaxis(kernel[:, :, 0, :], -1, 0)
    return image_grid(
        filters, columns=columns, cmap="RdBu_r", size=0.7, suptitle=title, symmetric=True
    )


def feature_maps(maps: Mapping[str, np.ndarray], *, per_layer: int = 8) -> plt.Figure:
    """One row per layer of ``maps`` (``{layer name: (height, width, channels)}`` for one image):
    the first ``per_layer`` channels of each activation map. Empty ``maps``: ValueError."""
    if not maps:
        raise ValueError("maps is empty; pass {layer name: (height, width, channels) array}.")
    fig, axes = plt.subplots(
        len(maps), per_layer, figsize=(per_layer * 0.85, len(maps) * 1.0), squeeze=False
    )
    for row, (name, activation) in enumerate(maps.items()):
        for col in range(per_layer):
            axes[row, col].axis("off")
            if col < activation.shape[-1]:
                axes[row, col].imshow(activation[:, :, col], cmap="viridis")
        axes[row, 0].set_title(
            f"{name} {activation.shape[0]}x{activation.shape[1]}", fontsize=8, loc="left"
        )
    fig.tight_layout()
    return fig


def heatmaps(
    images: np.ndarray, maps: np.ndarray, titles: Sequence[str] | None = None
) -> plt.Figure:
    """Two rows: the images, then each image with its heat map (saliency, occlusion ...) on top.

    ``images`` is ``(n, height, width[, 1])``; ``maps`` ``(n, height, width)``, one per image, on
    one scale: 0 (dark) to 1 (bright), values outside clipped. Other shapes raise ValueError.
    """
    images, maps = _squeeze_channel(images), np.asarray(maps)
    if images.shape != maps.shape:
        raise ValueError(f"images {images.shape} and maps {maps.shape} must have the same shape.")
    count = len(images)
    fig, axes = plt.subplots(2, count, figsize=(count * 1.15, 2.6), squeeze=False)
    for i in range(count):
        axes[0, i].imshow(images[i], cmap="gray")
        axes[1, i].imshow(images[i], cmap="gray")
        axes[1, i].imshow(maps[i], cmap="inferno", alpha=0.6, vmin=0, vmax=1)
        for ax in axes[:, i]:
            ax.axis("off")
        if titles is not None:
            axes[0, i].set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def prediction_with_saliency(
    image: np.ndarray,
    probabilities: np.ndarray,
    saliency: np.ndarray,
    class_names: Sequence[str] | None = None,
) -> plt.Figure:
    """One prediction: the image, its saliency map on top of it, and the class probabilities.

    ``image`` is ``(height, width[, 1])``, ``saliency`` ``(height, width)``; the largest of the
    ``probabilities`` is highlighted. ``class_names`` (default 0..k-1) of another count: ValueError.
    """
    image = _squeeze_channel(image, ndim=3)
    probabilities = np.asarray(probabilities)
    count = len(probabilities)
    names = list(class_names) if class_names is not None else [str(i) for i in range(count)]
    if len(names) != len(probabilities):
        raise ValueError(f"got {len(names)} class names for {count} probabilities.")
    predicted = int(probabilities.argmax())
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.4), gridspec_kw={"width_ratios": [1, 1, 2]})
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title("input", fontsize=9)
    axes[1].imshow(image, cmap="gray")
    axes[1].imshow(saliency, cmap="inferno", alpha=0.6)
    axes[1].set_title("saliency", fontsize=9)
    for ax in axes[:2]:
        ax.axis("off")
    colours = [OKABE_ITO[1] if i == predicted else OKABE_ITO[0] for i in range(len(names))]
    axes[2].barh(range(len(names)), probabilities, color=colours)
    axes[2].set_yticks(range(len(names)), names, fontsize=8)
    axes[2].invert_yaxis()
    axes[2].set_xlim(0, 1)
    axes[2].set_title(f"predicted {names[predicted]} ({probabilities[predicted]:.0%})", fontsize=9)
    fig.tight_layout()
    return fig


def gan_samples(images: np.ndarray, *, columns: int = 10, title: str = "") -> plt.Figure:
    """A compact grid of generated digits ``(n, height, width[, 1])`` in [-1, 1] (``tanh``)."""
    images = _squeeze_channel(images)
    rows = int(np.ceil(len(images) / columns))
    figsize = (columns * 0.55, rows * 0.55 + 0.3)
    fig, axes = plt.subplots(rows, columns, figsize=figsize, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap="gray", vmin=-1, vmax=1)
    fig.suptitle(title, fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05, left=0.01, right=0.99, bottom=0.01, top=0.88)
    return fig


def show_in_place(figure: plt.Figure, handle: object = None) -> object:
    """Show ``figure`` where the previous figure of ``handle`` was, and return the handle.

    Pass it to the next call, so a figure redrawn during training updates in place instead of
    piling up. Outside IPython nothing is shown (returns None).
    """
    plt.close(figure)
    if get_ipython() is None:
        return None
    if handle is None:
        return display(figure, display_id=True)
    handle.update(figure)
    return handle


def gan_training(
    history: Mapping[str, Sequence[float]] | object,
    distances: Sequence[float] | None = None,
    baseline: float | None = None,
    title: str = "",
) -> plt.Figure:
    """A GAN's two losses per epoch and, if given, its Fréchet distance per epoch (log scale).

    ``history`` is ``fit``'s History (or its dict); ``baseline`` is the real-versus-real distance.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping) or "d_loss" not in logs or "g_loss" not in logs:
        raise ValueError("history must hold 'd_loss' and 'g_loss' (a GAN's fit History).")
    panels = 2 if distances else 1
    fig, axes = plt.subplots(1, panels, figsize=(4.4 * panels, 3.0), squeeze=False)
    ax = axes[0, 0]
    epochs = np.arange(1, len(logs["d_loss"]) + 1)
    ax.plot(epochs, logs["d_loss"], "o-", label="discriminator")
    ax.plot(epochs, logs["g_loss"], "s-", label="generator")
    ax.axhline(np.log(2), color="gray", linestyle=":", label="ln 2 (coin flip)")
    ax.set_title("losses (training)")
    if distances:
        ax = axes[0, 1]
        epochs = np.arange(1, len(distances) + 1)
        ax.plot(epochs, distances, "o-", color=OKABE_ITO[2], label="generated vs real")
        if baseline is not None:
            ax.axhline(baseline, color="gray", linestyle="--", label="real vs real")
        ax.set_yscale("log")
        ax.set_title("Fréchet distance (lower is better)")
    for ax in axes.flat:
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def gan_interpolation(rows: Mapping[str, np.ndarray]) -> plt.Figure:
    """One row of digits in [-1, 1] per latent path: ``{"linear": images, "slerp": images}``."""
    steps = len(next(iter(rows.values())))
    figsize = (steps * 0.7, 0.8 + 0.55 * len(rows))
    fig, axes = plt.subplots(len(rows), steps, figsize=figsize, squeeze=False)
    for row, (name, images) in enumerate(rows.items()):
        images = _squeeze_channel(images)
        for column, ax in enumerate(axes[row]):
            ax.imshow(images[column], cmap="gray", vmin=-1, vmax=1)
            ax.set(xticks=[], yticks=[])
            ax.grid(False)
        axes[row, 0].set_ylabel(name, fontsize=8)
    fig.suptitle(f"from z0 (left) to z1 (right) in {steps} steps", fontsize=9)
    fig.tight_layout()
    return fig


def attention_weights(
    weights: Sequence[np.ndarray], titles: Sequence[str], labels: Sequence[str]
) -> plt.Figure:
    """Draw ``(n, n)`` attention weight matrices side by side, the ``n`` ``labels`` on both axes."""
    if len(weights) != len(titles):
        raise ValueError(f"got {len(weights)} matrices and {len(titles)} titles; pass one each.")
    size = len(labels)
    fig, axes = plt.subplots(1, len(weights), figsize=(3.4 * len(weights), 3.2), squeeze=False)
    for ax, matrix, title in zip(axes.flat, weights, titles, strict=True):
        matrix = np.asarray(matrix)
        if matrix.shape != (size, size):
            raise ValueError(f"a weight matrix has shape {matrix.shape}, not ({size}, {size}).")
        image = ax.imshow(matrix, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.grid(False)
        ax.set_xticks(range(size), labels, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(size), labels, fontsize=8)
        if ax is not axes.flat[0]:
            ax.tick_params(labelleft=False)  # same queries as the first panel; no overlap
        ax.set_xlabel("key (attended to)")
        ax.set_title(title, fontsize=9)
        for (row, column), value in np.ndenumerate(matrix):
            color = "black" if value > 0.5 else "white"
            ax.text(column, row, f"{value:.2f}", ha="center", va="center", fontsize=6, color=color)
    axes.flat[0].set_ylabel("query")
    fig.colorbar(image, ax=list(axes.flat), shrink=0.8, label="weight")
    return fig


def densities_and_discriminators(
    x: np.ndarray,
    p_data: np.ndarray,
    p_generator: np.ndarray,
    discriminators: Mapping[str, np.ndarray],
) -> plt.Figure:
    """Plot two densities on the grid ``x``, and discriminators ``{label: D(x)}`` on a twin axis."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.fill_between(x, p_data, alpha=0.3, label="p_data (real)")
    ax.fill_between(x, p_generator, alpha=0.3, label="p_g (generator)")
    ax.set(xlabel="x", ylabel="density")
    twin = ax.twinx()
    for (label, values), style in zip(discriminators.items(), ("-", "--", ":", "-."), strict=False):
        twin.plot(x, values, style, color="black", label=label)
    twin.set(ylim=(-0.02, 1.02), ylabel="D(x)")
    twin.grid(False)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def roc_pr_curves(
    curves: Mapping[str, Mapping[str, np.ndarray | float]], positive_rate: float | None = None
) -> plt.Figure:
    """ROC and precision-recall curves side by side, one line per model or data set (notebook 08).

    ``curves`` maps a name to the points (``fpr``, ``tpr``, ``precision``, ``recall``) and areas
    (``roc_auc``, ``average_precision``); ``positive_rate`` draws a random ranking's precision.
    """
    needed = {"fpr", "tpr", "roc_auc", "precision", "recall", "average_precision"}
    if not curves:
        raise ValueError("curves is empty; pass {name: {'fpr': ..., 'tpr': ..., ...}}.")
    for name, curve in curves.items():
        if missing := needed - set(curve):
            raise ValueError(f"curve {name!r} lacks {sorted(missing)}; it needs {sorted(needed)}.")
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(9, 3.6))
    for (name, curve), dash in zip(curves.items(), itertools.cycle(LINE_STYLES)):
        label = f"{name} (AUC {curve['roc_auc']:.3f})"
        roc_ax.plot(curve["fpr"], curve["tpr"], linestyle=dash, label=label)
        label = f"{name} (AP {curve['average_precision']:.3f})"
        pr_ax.step(curve["recall"], curve["precision"], where="post", linestyle=dash, label=label)
    roc_ax.plot([0, 1], [0, 1], ":", color="grey")
    roc_ax.set(xlabel="false-positive rate", ylabel="true-positive rate", title="ROC")
    if positive_rate is not None:
        pr_ax.axhline(positive_rate, ls=":", color="grey", label=f"random ({positive_rate:.3f})")
    pr_ax.set(xlabel="recall", ylabel="precision", title="precision-recall", ylim=(0, 1.02))
    roc_ax.legend(fontsize=8, loc="lower right")
    pr_ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def reliability_diagram(models: Mapping[str, Mapping[str, object]]) -> plt.Figure:
    """Reliability diagram and histogram of the predicted probabilities (notebook 08).

    ``models`` maps a name to ``calibration_bins``'s dict (``bins``), the ``probabilities`` and
    the expected calibration error (``ece``). A calibrated model lies on the diagonal.
    """
    if not models:
        raise ValueError("models is empty; pass {name: {'bins', 'probabilities', 'ece'}}.")
    for name, model in models.items():
        if missing := {"bins", "probabilities", "ece"} - set(model):
            raise ValueError(f"model {name!r} lacks {sorted(missing)}.")
    fig, (ax, hist_ax) = plt.subplots(1, 2, figsize=(9, 3.6))
    ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
    for i, (name, model) in enumerate(models.items()):
        bins, color = model["bins"], f"C{i}"
        dash, marker = LINE_STYLES[i % len(LINE_STYLES)], MARKERS[i % len(MARKERS)]
        full = np.asarray(bins["count"]) > 0  # empty bins have no point
        points = bins["mean_predicted"][full], bins["fraction_positive"][full]
        ax.plot(*points, marker=marker, linestyle=dash, color=color)
        label = f"{name} (ECE {model['ece']:.3f})"
        style = {"histtype": "step", "linewidth": 1.5, "color": color, "linestyle": dash}
        hist_ax.hist(model["probabilities"], bins["edges"], label=label, **style)
    ax.set(xlabel="mean predicted probability", ylabel="fraction positive")
    ax.set_title("reliability diagram")
    ax.legend(fontsize=8, loc="upper left")
    hist_ax.set(xlabel="predicted probability", ylabel="examples", yscale="log")
    hist_ax.set_title("how often each probability occurs")
    hist_ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def threshold_figure(
    report: Mapping[str, float],
    roc: tuple[np.ndarray, np.ndarray],
    costs: tuple[np.ndarray, Sequence[float]],
) -> plt.Figure:
    """One decision threshold in three panels: confusion matrix, ROC point, cost (notebook 08).

    ``report`` is ``threshold_report``'s dict at the threshold, ``roc`` the ROC curve's
    ``(fpr, tpr)`` and ``costs`` the cost curve ``(thresholds, cost per example at each)``.
    """
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.3))
    ax = axes[0]
    matrix = np.array([[report["tn"], report["fp"]], [report["fn"], report["tp"]]])
    cells = zip(("TN", "FP", "FN", "TP"), matrix.flat, strict=True)
    _annotated_matrix(ax, matrix, [f"{name}\n{value}" for name, value in cells])
    ax.set_xticks([0, 1], ["pred 0", "pred 1"])
    ax.set_yticks([0, 1], ["true 0", "true 1"])
    ax.set_title(f"P {report['precision']:.2f}  R {report['recall']:.2f}  F1 {report['f1']:.2f}")
    ax = axes[1]
    ax.plot(*roc, label="ROC curve")
    ax.plot([0, 1], [0, 1], ":", color="grey", label="random")
    threshold = report["threshold"]
    ax.plot(report["fpr"], report["recall"], "o", color="C3", label=f"threshold {threshold:.2f}")
    ax.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title="ROC point")
    ax.legend(loc="lower right", fontsize=8)
    ax = axes[2]
    ax.plot(*costs)
    chosen = f"chosen {threshold:.2f}: {report['cost_per_example']:.3f}"
    ax.axvline(threshold, color="C3", label=chosen)
    best, best_cost = report["best_threshold"], report["best_cost_per_example"]
    if np.isfinite(best):  # +inf means "flag nothing": no point on the threshold axis
        label = f"lowest at {best:.2f}: {best_cost:.3f}"
        ax.plot(best, best_cost, "*", color="C2", markersize=12, label=label)
    # Flagging everything (threshold 0) can cost far more than any sensible threshold: clip the
    # y-axis near the cost of flagging nothing and of the marked thresholds, so their gap shows.
    examples = report["tp"] + report["fp"] + report["fn"] + report["tn"]
    flag_nothing = report["cost_fn"] * (report["tp"] + report["fn"]) / examples
    top = min(1.3 * max(flag_nothing, report["cost_per_example"], best_cost), 1.05 * max(costs[1]))
    if top > 0:
        ax.set_ylim(0, top)
    ax.set(xlabel="threshold", ylabel="cost per example")
    ax.set_title(f"cost (FP {report['cost_fp']:g}, FN {report['cost_fn']:g})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def scaling_curves(
    by_size: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    by_budget: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    fit: tuple[Sequence[float], Sequence[float], str] | None = None,
) -> plt.Figure:
    """Loss against training FLOPs per model (left) and against parameters per budget (right),
    both on log x axes; ``fit`` = (FLOPs, losses, label) is drawn dashed on the left (notebook 10)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for label, (x, y) in by_size.items():
        left.semilogx(x, y, "o-", label=label)
    for label, (x, y) in by_budget.items():
        right.semilogx(x, y, "o-", label=label)
    if fit is not None:
        left.semilogx(fit[0], fit[1], "k--", label=fit[2])
    left.set(xlabel="training FLOPs", ylabel="validation loss (nats/char)", title="Loss vs compute")
    right.set(xlabel="parameters N", title="Loss vs parameters at fixed compute")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig
