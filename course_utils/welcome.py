"""Logic behind the welcome notebook: environment table, digit browser, a tiny first model."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import data
from .setup import Environment


def environment_rows(env: Environment, widgets_ok: bool) -> list[tuple[str, str, str]]:
    """Rows of (item, value, verdict) a learner can read at a glance.

    Args:
        env: from ``course_utils.environment_report()``.
        widgets_ok: whether ipywidgets imported and a widget could be created.
    """
    rows = [
        (
            "Python",
            env.python,
            "ok" if tuple(map(int, env.python.split(".")[:2])) >= (3, 10) else "need 3.10+",
        ),
        ("TensorFlow", env.tensorflow, "ok"),
        ("Keras", env.keras, "ok" if env.keras.startswith("3.") else "need Keras 3"),
        ("ipywidgets", env.ipywidgets, "ok" if widgets_ok else "widgets will not display"),
        (
            "CPU cores",
            str(env.cpu_cores),
            "ok" if env.cpu_cores >= 2 else "slow: full mode takes longer",
        ),
        ("RAM", f"{env.ram_gb:g} GB", "ok" if env.ram_gb >= 2 else "tight: use COURSE_QUICK=1"),
        ("Mode", env.mode, "ok"),
    ]
    for name, info in data.describe_sources().items():
        state = (
            "full set here"
            if info.full_local
            else ("bundled sample" if info.bundled else "needs network")
        )
        rows.append(
            (f"Data: {name}", state, "ok" if info.bundled or info.full_local else "optional")
        )
    return rows


def digit_card(images: np.ndarray, labels: np.ndarray, index: int) -> dict[str, Any]:
    """Describe one image for the digit-browser widget.

    Args:
        images: uint8 ``(n, 28, 28)``.
        labels: integer labels ``(n,)``.
        index: which image, ``0 <= index < n``.

    Returns:
        ``{"image": (28, 28) uint8, "label": int, "title": str, "ink": float}`` where ``ink`` is
        the share of pixels brighter than 127.

    Raises:
        ValueError: ``index`` out of range or images/labels of different lengths.
    """
    if len(images) != len(labels):
        raise ValueError(f"images and labels differ in length ({len(images)} vs {len(labels)}).")
    if (
        isinstance(index, bool)
        or not isinstance(index, int | np.integer)
        or not 0 <= index < len(images)
    ):
        raise ValueError(f"index must be an integer from 0 to {len(images) - 1}, got {index!r}.")
    image = images[index]
    ink = float((image > 127).mean())
    label = int(labels[index])
    return {
        "image": image,
        "label": label,
        "ink": ink,
        "title": f"#{index}: label {label}, ink {ink:.0%}",
    }


def build_first_model(hidden_units: int = 64, num_classes: int = 10):
    """A tiny dense network for 28x28 images: Rescaling, Flatten, Dense(hidden), Dense(classes).

    Args:
        hidden_units: width of the hidden layer (>= 1).
        num_classes: number of output classes (>= 2).

    Returns:
        An uncompiled ``keras.Sequential`` taking uint8-valued ``(batch, 28, 28)`` input and
        returning class probabilities ``(batch, num_classes)``.

    Raises:
        ValueError: ``hidden_units < 1`` or ``num_classes < 2``.
    """
    import keras
    from keras import layers

    for name, value, minimum in (
        ("hidden_units", hidden_units, 1),
        ("num_classes", num_classes, 2),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Rescaling(1 / 255),
            layers.Flatten(),
            layers.Dense(hidden_units, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="first_model",
    )
