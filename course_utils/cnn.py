"""Convolutional networks for image classification (notebook 03).

The pieces, in the order the notebook uses them:

* shape arithmetic and hand-made operations: :func:`conv_output_size`, :func:`conv_param_count`,
  :func:`conv2d_numpy`, :func:`max_pool_numpy` (checked against Keras in the tests);
* data: :func:`prepare_images` (uint8 ``(n, 28, 28)`` -> float32 ``(n, 28, 28, 1)`` in [0, 1]);
* builders (uncompiled): :func:`build_cnn` (the course CNN, batch normalisation) and
  :func:`build_keras_io_baseline` (the plain convnet of keras.io's "Simple MNIST convnet");
* training: :class:`TrainRecipe`, :func:`train_recipe` (``"course"`` or ``"keras_io"`` defaults),
  :func:`one_cycle_schedule`, :func:`compile_cnn`, :func:`fit_with_recipe`,
  :func:`time_to_accuracy` (also used by the benchmarks);
* looking inside: :func:`conv_filters`, :func:`feature_maps`, :func:`saliency_map`,
  :func:`misclassified`, and plots of them;
* the widget's logic: :func:`occlude`, :func:`predict_with_saliency`;
* exercise checks built with :func:`course_utils.checks.exercise`.

Import the module, not names::

    from course_utils import cnn
    cnn.conv_output_size(28, kernel_size=3)  # 26
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from . import checks

if TYPE_CHECKING:
    import keras
    import matplotlib.pyplot as plt

_PADDINGS = ("valid", "same")


def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}.")
    return value


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> int:
    """Return the output length along one spatial axis of a convolution or pooling layer.

    Follows Keras (``Conv2D``, ``MaxPooling2D`` ...) exactly:

    * ``"valid"`` (no padding): ``floor((size - effective_kernel) / stride) + 1`` with
      ``effective_kernel = (kernel_size - 1) * dilation + 1``.
    * ``"same"`` (zero padding so that stride 1 keeps the size): ``ceil(size / stride)``.

    For pooling pass the pool size as ``kernel_size`` *and* as ``stride`` (Keras' default
    ``strides=None`` means ``strides=pool_size``).

    Args:
        size: input length along the axis (height or width), >= 1.
        kernel_size: kernel (or pool) length along the axis, >= 1.
        stride: step between windows, >= 1.
        padding: ``"valid"`` or ``"same"`` (case-insensitive).
        dilation: dilation rate, >= 1.

    Returns:
        The output length (int, >= 1).

    Raises:
        TypeError: a size argument is not an int, or ``padding`` is not a string.
        ValueError: a size argument is < 1, ``padding`` is unknown, or with ``"valid"`` padding
            the (dilated) kernel is larger than the input.
    """
    size = _check_positive_int(size, "size")
    kernel_size = _check_positive_int(kernel_size, "kernel_size")
    stride = _check_positive_int(stride, "stride")
    dilation = _check_positive_int(dilation, "dilation")
    if not isinstance(padding, str):
        raise TypeError(f"padding must be a string, 'valid' or 'same'; got {padding!r}.")
    mode = padding.lower()
    if mode not in _PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}.")
    if mode == "same":
        return math.ceil(size / stride)
    effective = (kernel_size - 1) * dilation + 1
    if effective > size:
        raise ValueError(
            f"With padding='valid' the kernel ({kernel_size}, dilation {dilation}: {effective} "
            f"pixels wide) does not fit in an input of size {size}. Use padding='same', a smaller "
            "kernel, or fewer pooling layers before this one."
        )
    return (size - effective) // stride + 1


# --------------------------------------------------------------------------- hand-made operations
def _pad_amounts(size: int, kernel_size: int, stride: int) -> tuple[int, int]:
    """Zeros added before and after one axis for Keras/TensorFlow ``"same"`` padding."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel_size - size, 0)
    return total // 2, total - total // 2


def conv2d_numpy(
    image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: str = "valid"
) -> np.ndarray:
    """Convolve one image with a kernel using plain NumPy loops, exactly as ``Conv2D`` does.

    Like every deep-learning library this computes a *cross-correlation* (the kernel is not
    flipped) and adds no bias. It is written for reading, not speed.

    Args:
        image: ``(height, width)`` or ``(height, width, in_channels)`` array.
        kernel: ``(kernel_h, kernel_w)`` (one input and one output channel) or
            ``(kernel_h, kernel_w, in_channels, filters)``, the layout of ``Conv2D.kernel``.
        stride: step between windows (same along both axes), >= 1.
        padding: ``"valid"`` or ``"same"`` (Keras' zero padding; extra zero goes after).

    Returns:
        float64 array ``(out_h, out_w)`` for a 2-D kernel, else ``(out_h, out_w, filters)``,
        with ``out_h = conv_output_size(height, kernel_h, stride, padding)``.

    Raises:
        ValueError: wrong ranks, channel counts that do not match, or a bad stride/padding.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim not in (2, 3):
        raise ValueError(
            f"image must be (height, width) or (height, width, channels), got shape {image.shape}."
        )
    if kernel.ndim not in (2, 4):
        raise ValueError(
            "kernel must be (kernel_h, kernel_w) or (kernel_h, kernel_w, in_channels, filters) "
            f"like Conv2D.kernel, got shape {kernel.shape}."
        )
    squeeze = kernel.ndim == 2
    if image.ndim == 2:
        image = image[..., None]
    if kernel.ndim == 2:
        kernel = kernel[:, :, None, None]
    if kernel.shape[2] != image.shape[2]:
        raise ValueError(
            f"kernel expects {kernel.shape[2]} input channels but the image has {image.shape[2]}."
        )
    kh, kw = kernel.shape[:2]
    out_h = conv_output_size(image.shape[0], kh, stride, padding)
    out_w = conv_output_size(image.shape[1], kw, stride, padding)
    if padding.lower() == "same":
        top, bottom = _pad_amounts(image.shape[0], kh, stride)
        left, right = _pad_amounts(image.shape[1], kw, stride)
        image = np.pad(image, ((top, bottom), (left, right), (0, 0)))
    out = np.zeros((out_h, out_w, kernel.shape[3]))
    for row in range(out_h):
        for col in range(out_w):
            window = image[row * stride : row * stride + kh, col * stride : col * stride + kw, :]
            # sum over kernel_h, kernel_w and in_channels, one value per filter
            out[row, col, :] = np.tensordot(window, kernel, axes=([0, 1, 2], [0, 1, 2]))
    return out[..., 0] if squeeze else out


def max_pool_numpy(image: np.ndarray, pool_size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max-pool one image with ``"valid"`` padding, as ``MaxPooling2D(pool_size)`` does.

    Args:
        image: ``(height, width)`` or ``(height, width, channels)`` array.
        pool_size: window size along both axes, >= 1.
        stride: step between windows; ``None`` means ``pool_size`` (Keras' default).

    Returns:
        Array of the input's dtype, ``(out_h, out_w[, channels])``.

    Raises:
        ValueError: wrong rank or a window larger than the image.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(
            f"image must be (height, width) or (height, width, channels), got shape {image.shape}."
        )
    stride = pool_size if stride is None else stride
    out_h = conv_output_size(image.shape[0], pool_size, stride)
    out_w = conv_output_size(image.shape[1], pool_size, stride)
    out = np.empty((out_h, out_w) + image.shape[2:], dtype=image.dtype)
    for row in range(out_h):
        for col in range(out_w):
            window = image[
                row * stride : row * stride + pool_size, col * stride : col * stride + pool_size
            ]
            out[row, col] = window.max(axis=(0, 1))
    return out


def conv_param_count(
    kernel_size: int, in_channels: int, filters: int, use_bias: bool = True
) -> int:
    """Number of trainable weights of a 2-D convolution layer.

    Each of the ``filters`` kernels has ``kernel_size * kernel_size * in_channels`` weights, plus
    one bias each when ``use_bias``. The image size does not matter: the weights are shared
    across positions.

    Raises:
        TypeError, ValueError: a size is not a positive int.
    """
    kernel_size = _check_positive_int(kernel_size, "kernel_size")
    in_channels = _check_positive_int(in_channels, "in_channels")
    filters = _check_positive_int(filters, "filters")
    return filters * (kernel_size * kernel_size * in_channels + int(bool(use_bias)))


# --------------------------------------------------------------------------- data
def prepare_images(images: np.ndarray) -> np.ndarray:
    """Scale grey-scale images to [0, 1] and add the channel axis that ``Conv2D`` expects.

    Args:
        images: ``(n, height, width)`` uint8 images with values 0-255 (as the course loaders
            and ``keras.datasets`` return them), or already ``(n, height, width, 1)``.

    Returns:
        float32 array ``(n, height, width, 1)`` with values in [0, 1].

    Raises:
        TypeError: ``images`` is not a uint8 array (scale other dtypes yourself).
        ValueError: ``images`` is not ``(n, height, width)`` or ``(n, height, width, 1)``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(
            f"prepare_images expects uint8 pixels 0-255, got dtype {images.dtype}. If your images "
            "are already floats in [0, 1], only add the channel axis: images[..., None]."
        )
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(
            f"images must be (n, height, width) or (n, height, width, 1), got shape {images.shape}."
        )
    return (images.astype(np.float32) / 255.0)[..., None]


# --------------------------------------------------------------------------- builders
def _check_input_shape(input_shape: Any, min_size: int) -> tuple[int, int, int]:
    if not isinstance(input_shape, tuple | list) or len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be (height, width, channels), e.g. (28, 28, 1) for MNIST, got "
            f"{input_shape!r}. Grey-scale images need the channel axis: x[..., None]."
        )
    for value in input_shape:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"input_shape must hold three positive ints, got {input_shape!r}.")
    height, width, channels = (int(v) for v in input_shape)
    if min(height, width) < min_size:
        raise ValueError(
            f"input_shape {input_shape!r} is too small for this network: height and width must "
            f"be >= {min_size} to survive its pooling layers. Use fewer blocks or larger images."
        )
    return height, width, channels


def _check_num_classes(num_classes: Any) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer):
        raise TypeError(f"num_classes must be an int, got {num_classes!r}.")
    if num_classes < 2:
        raise ValueError(
            f"num_classes must be >= 2 (got {num_classes}); for a yes/no problem use 2 classes "
            "(or one sigmoid unit with binary cross-entropy)."
        )
    return int(num_classes)


def _check_rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}.")
    return float(value)


def build_cnn(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    filters: Sequence[int] = (32, 64),
    dense_units: int = 0,
    dropout_rate: float = 0.1,
    batchnorm_momentum: float = 0.8,
    pool_first: bool = True,
    name: str = "course_cnn",
) -> keras.Model:
    """Build the course CNN: blocks of Conv-MaxPool-BatchNorm-ReLU, then a linear classifier.

    Block ``k`` (1-based) is ``conv{k}`` (3x3, ``"same"`` padding, no bias: batch normalisation
    has its own shift), ``pool{k}`` (2x2), ``bn{k}``, ``relu{k}``, so each block halves the height
    and width. The head is ``flatten``, ``dropout``, an optional ``dense`` layer, ``logits`` (a
    linear ``Dense``) and ``probabilities`` (softmax). Keeping the logits as their own layer lets
    :func:`saliency_map` differentiate the class score before the softmax.

    Pooling comes straight after the convolution, as in the fast CIFAR-10 training scripts
    hlb-CIFAR10 and airbench, so batch normalisation and ReLU work on a quarter of the values.
    That makes an epoch cheaper than the textbook order Conv-BN-ReLU-Pool (``pool_first=False``)
    with the same parameters; ``make bench`` measures both. Max pooling commutes with ReLU, and
    with batch normalisation wherever its learned scale is positive, so the order changes the
    function only where that scale is negative, and batch statistics are taken after pooling.

    ``batchnorm_momentum=0.8`` (Keras' default is 0.99) makes the moving averages that batch
    normalisation uses at inference time catch up within a few dozen steps. They start at
    variance 1 while the first layer's real variance is about 0.01, so with 0.99 and a training
    run of a few hundred steps, evaluation can collapse to chance.

    Args:
        input_shape: ``(height, width, channels)`` of one image, e.g. ``(28, 28, 1)``.
        num_classes: number of classes, >= 2.
        filters: number of filters of each block (one block per entry), e.g. ``(32, 64)``.
        dense_units: units of a hidden ``Dense`` + ReLU layer before the logits; 0 for none.
        dropout_rate: dropout before the classifier, in [0, 1).
        batchnorm_momentum: momentum of the batch-normalisation moving averages, in [0, 1).
        pool_first: True for Conv-MaxPool-BN-ReLU blocks, False for Conv-BN-ReLU-MaxPool.
        name: model name.

    Returns:
        An uncompiled functional ``keras.Model`` mapping float32 ``(batch, height, width,
        channels)`` images in [0, 1] to float32 ``(batch, num_classes)`` probabilities.

    Raises:
        ValueError: bad ``input_shape`` (not three positive ints, or too small for the pooling),
            ``num_classes < 2``, empty or non-positive ``filters``, rates outside [0, 1).
        TypeError: ``num_classes`` is not an int, or ``pool_first`` is not a bool.
    """
    import keras
    from keras import layers

    num_classes = _check_num_classes(num_classes)
    if isinstance(filters, int) or not isinstance(filters, Sequence) or len(filters) == 0:
        raise ValueError(
            f"filters must be a non-empty sequence of ints such as (32, 64), got {filters!r}."
        )
    for value in filters:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"every entry of filters must be a positive int, got {filters!r}.")
    input_shape = _check_input_shape(input_shape, min_size=2 ** len(filters))
    dropout_rate = _check_rate(dropout_rate, "dropout_rate")
    batchnorm_momentum = _check_rate(batchnorm_momentum, "batchnorm_momentum")
    if not isinstance(pool_first, bool):
        raise TypeError(f"pool_first must be True or False, got {pool_first!r}.")
    if isinstance(dense_units, bool) or not isinstance(dense_units, int) or dense_units < 0:
        raise ValueError(
            f"dense_units must be an int >= 0 (0: no hidden layer), got {dense_units!r}."
        )

    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for k, width in enumerate(filters, start=1):
        x = layers.Conv2D(int(width), 3, padding="same", use_bias=False, name=f"conv{k}")(x)
        if pool_first:
            x = layers.MaxPooling2D(2, name=f"pool{k}")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn{k}")(x)
        x = layers.ReLU(name=f"relu{k}")(x)
        if not pool_first:
            x = layers.MaxPooling2D(2, name=f"pool{k}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout_rate, name="dropout")(x)
    if dense_units:
        x = layers.Dense(dense_units, activation="relu", name="dense")(x)
    logits = layers.Dense(num_classes, name="logits")(x)
    outputs = layers.Softmax(name="probabilities")(logits)
    return keras.Model(inputs, outputs, name=name)


def build_keras_io_baseline(
    input_shape: tuple[int, int, int] = (28, 28, 1), num_classes: int = 10
) -> keras.Model:
    """Build the plain convnet of the keras.io example "Simple MNIST convnet" (F. Chollet).

    ``Conv2D(32, 3x3, relu)`` - ``MaxPooling2D(2)`` - ``Conv2D(64, 3x3, relu)`` -
    ``MaxPooling2D(2)`` - ``Flatten`` - ``Dropout(0.5)`` - ``Dense(num_classes, softmax)``,
    ``"valid"`` padding, no batch normalisation: 34,826 parameters for MNIST. keras.io trains it
    with Adam (learning rate 0.001), batch size 128, 15 epochs, ``validation_split=0.1``; see
    ``train_recipe("keras_io")``.

    Args:
        input_shape: ``(height, width, channels)``; height and width >= 10.
        num_classes: number of classes, >= 2.

    Returns:
        An uncompiled ``keras.Sequential`` mapping float32 ``(batch, height, width, channels)``
        images to ``(batch, num_classes)`` probabilities.

    Raises:
        ValueError: bad ``input_shape`` or ``num_classes < 2``.
        TypeError: ``num_classes`` is not an int.
    """
    import keras
    from keras import layers

    num_classes = _check_num_classes(num_classes)
    input_shape = _check_input_shape(input_shape, min_size=10)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="keras_io_baseline",
    )


# --------------------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainRecipe:
    """How to train a model: optimiser settings, batch size, epochs.

    Attributes:
        name: short label used in tables.
        batch_size: examples per gradient step.
        epochs: passes over the training set.
        learning_rate: the peak learning rate when ``one_cycle`` is set, else the constant one.
        one_cycle: warm up linearly from ``learning_rate / 10`` to ``learning_rate`` during
            ``warmup_fraction`` of the steps, then follow a cosine down to zero.
        warmup_fraction: share of the steps spent warming up, in [0, 1).
    """

    name: str
    batch_size: int
    epochs: int
    learning_rate: float
    one_cycle: bool = False
    warmup_fraction: float = 0.2


_RECIPES = {
    "course": TrainRecipe(
        "course CNN", batch_size=128, epochs=4, learning_rate=5e-3, one_cycle=True
    ),
    "keras_io": TrainRecipe(
        "keras.io plain convnet", batch_size=128, epochs=15, learning_rate=1e-3
    ),
}


# Epochs of the course recipe per dataset in notebook 03's full mode. Four epochs reach 98.1% to
# 98.45% on the MNIST sample (three seeds); clothes are harder, and eight epochs reach 92.4% on the
# full Fashion-MNIST (target 91.5%). Figures: benchmarks/results/latest.md.
COURSE_EPOCHS = {"mnist": 4, "fashion_mnist": 8}


def train_recipe(kind: str = "course", **overrides: Any) -> TrainRecipe:
    """Return a training recipe: ``"course"`` (one-cycle Adam) or ``"keras_io"`` (the example's).

    * ``"course"``: batch 128, 4 epochs, Adam with a one-cycle schedule peaking at 5e-3
      (warm-up over 20% of the steps, cosine decay to zero).
    * ``"keras_io"``: batch 128, 15 epochs, Adam at its constant default 1e-3.

    Args:
        kind: ``"course"`` or ``"keras_io"``.
        **overrides: fields of :class:`TrainRecipe` to change, e.g. ``epochs=2``.

    Raises:
        ValueError: unknown ``kind`` or field, or a non-positive batch size/epoch count/rate.
    """
    if kind not in _RECIPES:
        raise ValueError(f"kind must be one of {', '.join(_RECIPES)}, got {kind!r}.")
    unknown = set(overrides) - set(TrainRecipe.__dataclass_fields__)
    if unknown:
        raise ValueError(
            f"unknown recipe fields {sorted(unknown)}; valid: {sorted(TrainRecipe.__dataclass_fields__)}."
        )
    recipe = replace(_RECIPES[kind], **overrides)
    _check_positive_int(recipe.batch_size, "batch_size")
    _check_positive_int(recipe.epochs, "epochs")
    if not recipe.learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {recipe.learning_rate!r}.")
    _check_rate(recipe.warmup_fraction, "warmup_fraction")
    return recipe


def one_cycle_schedule(
    total_steps: int, peak_learning_rate: float = 5e-3, warmup_fraction: float = 0.2
) -> keras.optimizers.schedules.LearningRateSchedule:
    """A one-cycle learning-rate schedule: linear warm-up, then cosine decay to zero.

    The rate starts at ``peak_learning_rate / 10``, rises linearly to the peak over the first
    ``warmup_fraction`` of the steps (large steps are unsafe while the weights are random), then
    falls along a cosine to zero at ``total_steps`` (small steps at the end settle the weights).

    Args:
        total_steps: number of optimiser steps of the whole run (``steps_per_epoch * epochs``).
        peak_learning_rate: highest learning rate, > 0.
        warmup_fraction: share of the steps used to warm up, in [0, 1).

    Returns:
        A ``keras.optimizers.schedules.CosineDecay`` (callable on the step number).

    Raises:
        ValueError: non-positive ``total_steps`` or ``peak_learning_rate``, bad fraction.
    """
    import keras

    total_steps = _check_positive_int(total_steps, "total_steps")
    if not peak_learning_rate > 0:
        raise ValueError(f"peak_learning_rate must be > 0, got {peak_learning_rate!r}.")
    warmup_steps = int(_check_rate(warmup_fraction, "warmup_fraction") * total_steps)
    if warmup_steps == 0:
        return keras.optimizers.schedules.CosineDecay(peak_learning_rate, total_steps, alpha=0.0)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_learning_rate / 10,
        decay_steps=max(total_steps - warmup_steps, 1),
        warmup_target=peak_learning_rate,
        warmup_steps=warmup_steps,
        alpha=0.0,
    )


def compile_cnn(
    model: keras.Model,
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = 1e-3,
) -> keras.Model:
    """Compile a classifier that outputs probabilities: Adam, sparse cross-entropy, accuracy.

    The loss matches the output: softmax probabilities, so ``from_logits=False``; integer labels,
    so the *sparse* categorical cross-entropy.

    Args:
        model: a ``keras.Model`` whose output is ``(batch, num_classes)`` probabilities.
        learning_rate: a constant or a schedule (see :func:`one_cycle_schedule`).

    Returns:
        The same model, compiled.

    Raises:
        TypeError: ``model`` is not a ``keras.Model``.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        metrics=["accuracy"],
    )
    return model


def _epoch_timer() -> Any:
    """A Keras callback that adds ``time`` (seconds since training started) to the logs."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["time"] = time.perf_counter() - self._start

    return EpochTimer()


def fit_with_recipe(
    model: keras.Model,
    x_train: np.ndarray,
    y_train: np.ndarray,
    recipe: TrainRecipe,
    *,
    validation_data: tuple[np.ndarray, np.ndarray],
    verbose: int = 2,
    callbacks: Sequence[Any] = (),
) -> keras.callbacks.History:
    """Compile ``model`` for ``recipe`` (see :func:`compile_cnn`) and train it.

    Args:
        model: an uncompiled (or to-be-recompiled) classifier outputting probabilities.
        x_train: float32 images ``(n, height, width, channels)``.
        y_train: integer labels ``(n,)``.
        recipe: from :func:`train_recipe`.
        validation_data: ``(x_val, y_val)`` evaluated after every epoch.
        verbose: Keras verbosity; 2 prints one line per epoch, 0 nothing.
        callbacks: extra Keras callbacks.

    Returns:
        The Keras ``History``; ``history.history["time"]`` holds the seconds elapsed at the end
        of each epoch (training and validation), for :func:`time_to_accuracy`.

    Raises:
        TypeError: ``recipe`` is not a :class:`TrainRecipe`.
        ValueError: ``x_train`` and ``y_train`` differ in length.
    """
    if not isinstance(recipe, TrainRecipe):
        raise TypeError(f"recipe must be a TrainRecipe (use cnn.train_recipe()), got {recipe!r}.")
    if len(x_train) != len(y_train):
        raise ValueError(f"x_train and y_train differ in length: {len(x_train)} vs {len(y_train)}.")
    steps = math.ceil(len(x_train) / recipe.batch_size) * recipe.epochs
    learning_rate = (
        one_cycle_schedule(steps, recipe.learning_rate, recipe.warmup_fraction)
        if recipe.one_cycle
        else recipe.learning_rate
    )
    compile_cnn(model, learning_rate)
    return model.fit(
        x_train,
        y_train,
        batch_size=recipe.batch_size,
        epochs=recipe.epochs,
        validation_data=validation_data,
        verbose=verbose,
        callbacks=[*callbacks, _epoch_timer()],
    )


def time_to_accuracy(
    history: keras.callbacks.History | dict, target: float, metric: str = "val_accuracy"
) -> tuple[int, float] | None:
    """First epoch (1-based) and elapsed seconds at which ``metric`` reached ``target``.

    Args:
        history: from :func:`fit_with_recipe` (needs the ``time`` entry), or its ``.history``.
        target: accuracy to reach, e.g. 0.98.
        metric: which logged metric to watch.

    Returns:
        ``(epoch, seconds)``, or None if the target was never reached.

    Raises:
        ValueError: the history lacks ``metric`` or ``time``.
    """
    logs = getattr(history, "history", history)
    for key in (metric, "time"):
        if key not in logs:
            raise ValueError(
                f"history has no {key!r} (it has {sorted(logs)}); train with cnn.fit_with_recipe."
            )
    for epoch, (value, seconds) in enumerate(zip(logs[metric], logs["time"], strict=True), start=1):
        if value >= target:
            return epoch, float(seconds)
    return None


# --------------------------------------------------------------------------- looking inside
def _conv_layers(model: keras.Model) -> list[Any]:
    from keras import layers

    return [layer for layer in model.layers if isinstance(layer, layers.Conv2D)]


def conv_filters(model: keras.Model, layer_name: str | None = None) -> np.ndarray:
    """Return the kernel of a convolution layer (the first one by default).

    Args:
        model: a built Keras model.
        layer_name: name of a ``Conv2D`` layer; None for the first one.

    Returns:
        float32 array ``(kernel_h, kernel_w, in_channels, filters)``.

    Raises:
        ValueError: the model has no ``Conv2D`` layer, or ``layer_name`` is not one.
    """
    convs = {layer.name: layer for layer in _conv_layers(model)}
    if not convs:
        raise ValueError("the model has no Conv2D layer.")
    if layer_name is None:
        layer_name = next(iter(convs))
    if layer_name not in convs:
        raise ValueError(
            f"{layer_name!r} is not a Conv2D layer of the model; choose from {list(convs)}."
        )
    return np.asarray(convs[layer_name].kernel)


def _default_feature_layers(model: keras.Model) -> list[str]:
    from keras import layers

    relus = [layer.name for layer in model.layers if isinstance(layer, layers.ReLU)]
    return relus or [layer.name for layer in _conv_layers(model)]


def _as_batch(images: np.ndarray, model: keras.Model) -> np.ndarray:
    """Turn one image or a batch (uint8 or float) into the model's float32 input batch."""
    images = np.asarray(images)
    expected = tuple(model.input_shape[1:])
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255.0
    images = images.astype(np.float32)
    if images.shape == expected[:-1] and expected[-1] == 1:  # one grey image without channel
        images = images[None, ..., None]
    elif images.shape == expected:  # one image
        images = images[None]
    elif images.ndim == len(expected) and images.shape[1:] == expected[:-1] and expected[-1] == 1:
        images = images[..., None]  # a batch without the channel axis
    if images.shape[1:] != expected:
        raise ValueError(
            f"images of shape {images.shape} do not fit the model input {expected}: pass one "
            f"image {expected} or a batch (n, {', '.join(map(str, expected))})."
        )
    return images


def feature_maps(
    model: keras.Model, image: np.ndarray, layer_names: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Activations of some layers for one image.

    Args:
        model: a built functional or ``Sequential`` model (with an ``Input``).
        image: one image ``(height, width[, channels])``, uint8 0-255 or float in [0, 1].
        layer_names: layers to read; None for every ``ReLU`` layer, or every ``Conv2D`` layer if
            there is none (the keras.io baseline applies ReLU inside ``Conv2D``).

    Returns:
        ``{layer name: float32 array (height, width, channels)}`` in model order.

    Raises:
        ValueError: an unknown layer name, or an image that does not fit the model.
    """
    import keras

    names = list(layer_names) if layer_names is not None else _default_feature_layers(model)
    known = [layer.name for layer in model.layers]
    missing = [n for n in names if n not in known]
    if missing:
        raise ValueError(f"layers {missing} are not in the model; it has {known}.")
    batch = _as_batch(image, model)
    if len(batch) != 1:
        raise ValueError(f"feature_maps takes one image, got a batch of {len(batch)}.")
    probe = keras.Model(model.inputs[0], [model.get_layer(n).output for n in names])
    outputs = probe(batch, training=False)
    if len(names) == 1:
        outputs = [outputs]
    return {n: np.asarray(o)[0] for n, o in zip(names, outputs, strict=True)}


def _score_model(model: keras.Model) -> keras.Model:
    """The model up to its ``logits`` layer if it has one, else the model itself."""
    import keras

    if "logits" in [layer.name for layer in model.layers]:
        return keras.Model(model.inputs[0], model.get_layer("logits").output)
    return model


def saliency_map(
    model: keras.Model,
    images: np.ndarray,
    class_index: int | Sequence[int] | None = None,
    *,
    normalize: bool = True,
) -> np.ndarray:
    """Vanilla gradient saliency: how much each pixel moves the score of a class.

    For each image, computes ``d score[class] / d pixel`` with ``tf.GradientTape`` and keeps
    the largest absolute value over the channels (Simonyan et al., 2014). The score is the
    logit (before the softmax) when the model has a layer named ``logits`` (as
    :func:`build_cnn`'s models do); otherwise it is the model's output (a probability).

    Args:
        model: a built classifier.
        images: one image or a batch, ``(height, width[, channels])`` or ``(n, height, width[,
            channels])``, uint8 0-255 or float in [0, 1].
        class_index: the class to explain: None for each image's predicted class, an int for
            all images, or one int per image.
        normalize: scale each map to [0, 1] (its maximum becomes 1).

    Returns:
        float32 array ``(n, height, width)``, non-negative.

    Raises:
        ValueError: images that do not fit the model, or class indices out of range or of the
            wrong length.
    """
    import tensorflow as tf

    batch = _as_batch(images, model)
    num_classes = int(model.output_shape[-1])
    if class_index is None:
        classes = np.argmax(np.asarray(model(batch, training=False)), axis=-1)
    else:
        classes = (
            np.broadcast_to(np.asarray(class_index), (len(batch),))
            if np.ndim(class_index) == 0
            else np.asarray(class_index)
        )
        if classes.shape != (len(batch),):
            raise ValueError(
                f"class_index needs one entry per image ({len(batch)}), got {len(classes)}."
            )
        if (
            not np.issubdtype(classes.dtype, np.integer)
            or classes.min() < 0
            or classes.max() >= num_classes
        ):
            raise ValueError(
                f"class_index must hold ints in [0, {num_classes - 1}], got {class_index!r}."
            )
    scorer = _score_model(model)
    x = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = scorer(x, training=False)
        chosen = tf.gather(scores, tf.constant(classes, dtype=tf.int32), axis=1, batch_dims=1)
    grads = tape.gradient(chosen, x)
    maps = tf.reduce_max(tf.abs(grads), axis=-1).numpy().astype(np.float32)
    if normalize:
        maps /= np.maximum(maps.max(axis=(1, 2), keepdims=True), 1e-12)
    return maps


def misclassified(y_true: np.ndarray, probabilities: np.ndarray, n: int = 16) -> np.ndarray:
    """Indices of wrongly classified examples, most confident mistakes first.

    Args:
        y_true: integer labels ``(m,)``.
        probabilities: predicted probabilities ``(m, num_classes)``.
        n: at most this many indices.

    Returns:
        int array of up to ``n`` indices into ``y_true``.

    Raises:
        ValueError: shapes that do not match.
    """
    y_true = np.asarray(y_true).reshape(-1)
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or len(probabilities) != len(y_true):
        raise ValueError(
            f"probabilities must be (m, num_classes) with m = len(y_true) = {len(y_true)}, "
            f"got {probabilities.shape}."
        )
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:n]


# --------------------------------------------------------------------------- plots
def plot_filters(kernel: np.ndarray, *, columns: int = 8, title: str = "") -> plt.Figure:
    """Show the first input channel of each filter of a kernel ``(kh, kw, in, filters)``."""
    import matplotlib.pyplot as plt

    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(
            f"kernel must be (kernel_h, kernel_w, in_channels, filters), got {kernel.shape}."
        )
    count = kernel.shape[-1]
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.7, rows * 0.75), squeeze=False)
    limit = np.abs(kernel[:, :, 0, :]).max()
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(kernel[:, :, 0, i], cmap="RdBu_r", vmin=-limit, vmax=limit)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_feature_maps(maps: dict[str, np.ndarray], *, per_layer: int = 8) -> plt.Figure:
    """One row per layer: the first ``per_layer`` channels of each activation map."""
    import matplotlib.pyplot as plt

    if not maps:
        raise ValueError("maps is empty; get it from cnn.feature_maps(model, image).")
    fig, axes = plt.subplots(
        len(maps), per_layer, figsize=(per_layer * 0.85, len(maps) * 1.0), squeeze=False
    )
    for row, (name, activation) in enumerate(maps.items()):
        for col in range(per_layer):
            ax = axes[row, col]
            ax.axis("off")
            if col < activation.shape[-1]:
                ax.imshow(activation[:, :, col], cmap="viridis")
        axes[row, 0].set_title(
            f"{name} {activation.shape[0]}x{activation.shape[1]}", fontsize=8, loc="left"
        )
    fig.tight_layout()
    return fig


def plot_saliency(
    images: np.ndarray, maps: np.ndarray, titles: Sequence[str] | None = None
) -> plt.Figure:
    """Two rows: the images, and their saliency maps overlaid on them."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    maps = np.asarray(maps)
    if images.shape != maps.shape:
        raise ValueError(f"images {images.shape} and maps {maps.shape} must have the same shape.")
    count = len(images)
    fig, axes = plt.subplots(2, count, figsize=(count * 1.15, 2.6), squeeze=False)
    for i in range(count):
        axes[0, i].imshow(images[i], cmap="gray")
        axes[1, i].imshow(images[i], cmap="gray")
        axes[1, i].imshow(maps[i], cmap="inferno", alpha=0.6)
        for ax in axes[:, i]:
            ax.axis("off")
        if titles is not None:
            axes[0, i].set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- widget logic
def occlude(image: np.ndarray, row: int, col: int, size: int) -> np.ndarray:
    """Return a copy of ``image`` with a ``size`` x ``size`` square set to 0 (black).

    Args:
        image: one image ``(height, width[, channels])``.
        row, col: top-left corner of the square (it is clipped at the image border).
        size: side of the square in pixels; 0 leaves the image unchanged.

    Raises:
        ValueError: a negative ``row``, ``col`` or ``size``.
    """
    for value, label in ((row, "row"), (col, "col"), (size, "size")):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"{label} must be an int >= 0, got {value!r}.")
    out = np.array(image, copy=True)
    out[row : row + size, col : col + size] = 0
    return out


def predict_with_saliency(model: keras.Model, image: np.ndarray) -> dict[str, Any]:
    """Everything the widget shows for one image: probabilities, prediction and saliency.

    Args:
        model: a built classifier.
        image: one image ``(height, width[, channels])``, uint8 0-255 or float in [0, 1].

    Returns:
        ``{"probabilities": float32 (num_classes,), "predicted": int, "confidence": float,
        "saliency": float32 (height, width) in [0, 1] for the predicted class}``.

    Raises:
        ValueError: an image that does not fit the model, or a batch of several images.
    """
    batch = _as_batch(image, model)
    if len(batch) != 1:
        raise ValueError(f"predict_with_saliency takes one image, got a batch of {len(batch)}.")
    probabilities = np.asarray(model(batch, training=False))[0].astype(np.float32)
    predicted = int(probabilities.argmax())
    return {
        "probabilities": probabilities,
        "predicted": predicted,
        "confidence": float(probabilities[predicted]),
        "saliency": saliency_map(model, batch, predicted)[0],
    }


def plot_prediction(
    image: np.ndarray, result: dict[str, Any], class_names: Sequence[str] | None = None
) -> plt.Figure:
    """Draw a :func:`predict_with_saliency` result: image, saliency overlay, probability bars."""
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    if image.ndim == 3:
        image = image[..., 0]
    probabilities = result["probabilities"]
    names = (
        list(class_names)
        if class_names is not None
        else [str(i) for i in range(len(probabilities))]
    )
    fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.4), gridspec_kw={"width_ratios": [1, 1, 2]})
    axes[0].imshow(image, cmap="gray")
    axes[0].set_title("input", fontsize=9)
    axes[1].imshow(image, cmap="gray")
    axes[1].imshow(result["saliency"], cmap="inferno", alpha=0.6)
    axes[1].set_title("saliency", fontsize=9)
    for ax in axes[:2]:
        ax.axis("off")
    colours = ["tab:orange" if i == result["predicted"] else "tab:blue" for i in range(len(names))]
    axes[2].barh(range(len(names)), probabilities, color=colours)
    axes[2].set_yticks(range(len(names)), names, fontsize=8)
    axes[2].invert_yaxis()
    axes[2].set_xlim(0, 1)
    axes[2].set_title(
        f"predicted {names[result['predicted']]} ({result['confidence']:.0%})", fontsize=9
    )
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- exercise checks
@checks.exercise
def check_flatten_size(answer: Any) -> str | None:
    """Exercise: the flatten size of the seed's low-level CNN (SAME convs, 2x2 VALID pools)."""
    if isinstance(answer, bool) or not isinstance(answer, int | np.integer):
        return f"answer with an int (height * width * channels), got {answer!r}"
    if answer == 6 * 6 * 64:
        return (
            "2304 = 6*6*64 is the seed's number; follow 28 through SAME conv, pool, SAME conv, pool"
        )
    if answer == 5 * 5 * 64:
        return "1600 is right for 'valid' convolutions (keras.io), but the seed uses padding='SAME'"
    if answer == 7 * 7 * 32:
        return "the spatial size is right; how many channels does the second convolution output?"
    if answer != 7 * 7 * 64:
        return (
            "work it out layer by layer: SAME conv keeps 28, a 2x2 pool with stride 2 halves it, "
            "and the last layer has 64 channels (cnn.conv_output_size helps)"
        )
    return None


def _outputs_probabilities(model: Any) -> bool:
    batch = np.random.default_rng(0).random((4, *model.input_shape[1:]), dtype=np.float32)
    out = np.asarray(model(batch, training=False))
    return bool(np.all(out >= 0) and np.allclose(out.sum(axis=-1), 1.0, atol=1e-3))


def _loss_from_logits(model: Any) -> bool | None:
    import keras

    loss = getattr(model, "loss", None)
    if isinstance(loss, str):
        return False if "crossentropy" in loss else None
    if isinstance(loss, keras.losses.Loss):
        return bool(loss.get_config().get("from_logits", False))
    return None


@checks.exercise
def check_fixed_seed_model(model: Any) -> str | None:
    """Exercise: a corrected version of the seeds' CNN, compiled, with a consistent loss."""
    import keras

    if not isinstance(model, keras.Model):
        return f"model must be a keras.Model, got {type(model).__name__}"
    if tuple(model.input_shape) != (None, 28, 28, 1):
        return f"the input must be (None, 28, 28, 1): start with keras.Input(shape=(28, 28, 1)); got {model.input_shape}"
    if tuple(model.output_shape) != (None, 10):
        return f"the output must be (None, 10), one score per digit; got {model.output_shape}"
    if not any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers):
        return "a CNN needs at least one Conv2D layer"
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        return "compile the model (optimizer, loss, metrics) before checking it"
    from_logits = _loss_from_logits(model)
    if from_logits is None:
        return "use a (sparse) categorical cross-entropy loss for 10 classes with integer labels"
    probabilities = _outputs_probabilities(model)
    if probabilities and from_logits:
        return "the model already ends in a softmax, so the loss must use from_logits=False"
    if not probabilities and not from_logits:
        return "the model outputs raw scores (logits), so the loss needs from_logits=True"
    return None


@checks.exercise
def check_bn_dropout_model(
    model: Any, x_test: np.ndarray, y_test: np.ndarray, min_accuracy: float
) -> str | None:
    """Exercise: a trained CNN with batch normalisation and dropout above ``min_accuracy``."""
    import keras

    if not isinstance(model, keras.Model):
        return f"model must be a keras.Model, got {type(model).__name__}"
    kinds = {type(layer).__name__ for layer in model.layers}
    if "BatchNormalization" not in kinds:
        return "add layers.BatchNormalization() after a convolution (before its ReLU)"
    if "Dropout" not in kinds:
        return "add layers.Dropout(...) before the classifier"
    probabilities = np.asarray(model.predict(x_test, verbose=0, batch_size=256))
    accuracy = float((probabilities.argmax(axis=-1) == np.asarray(y_test).reshape(-1)).mean())
    if accuracy < min_accuracy:
        return (
            f"test accuracy {accuracy:.1%} is below {min_accuracy:.0%}: did you train it? Try a "
            "higher learning rate (batch normalisation tolerates it) or another epoch"
        )
    print(f"test accuracy {accuracy:.1%}")
    return None
