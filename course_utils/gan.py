"""Generative adversarial networks for notebook 05: a DCGAN, its training monitor, and a quality score.

Import the module, not names::

    from course_utils import gan
    dcgan = gan.build_compiled_dcgan()
    dcgan.fit(gan.preprocess_images(x_train), epochs=10, batch_size=64)

What is here:

* Builders (uncompiled): :func:`build_generator` and :func:`build_discriminator` (the course's
  small DCGAN for 28x28x1 images), :func:`build_tutorial_generator` and
  :func:`build_tutorial_discriminator` (the TensorFlow DCGAN tutorial's larger networks, for
  comparisons), :func:`build_feature_classifier` (a small digit classifier whose penultimate layer
  is the feature space of the Fréchet distance).
* :class:`DCGAN`: a ``keras.Model`` subclass with a custom ``train_step`` (the keras.io approach),
  so a GAN trains with ``model.fit``. :func:`build_compiled_dcgan` builds and compiles one.
* Measuring quality: :func:`frechet_distance` (FID's formula on any features),
  :class:`FrechetScorer`, :func:`class_spread`.
* Training helpers: :class:`GANMonitor` (progress line and an in-place sample grid from a fixed
  latent batch), :class:`TimeBudget`, :func:`train_and_score` (for benchmarks),
  :func:`plot_training`.
* :func:`interpolate_latents` (linear or spherical) for the latent-space widget; saving and
  loading the generator; exercise checks.

Images: the networks work on float32 ``(n, 28, 28, 1)`` arrays scaled to [-1, 1] (the range of
the generator's ``tanh`` output); :func:`preprocess_images` converts uint8 digits to that.
The training step uses ``tf.GradientTape``, so it needs the TensorFlow backend (the course's).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import layers

from . import checks, config

IMAGE_SHAPE = (28, 28, 1)
DEFAULT_LATENT_DIM = 64
PRETRAINED_FILE = "gan_generator.keras"
_METHODS = ("linear", "slerp")
_GENERATOR_LOSSES = ("non_saturating", "minimax")


# --------------------------------------------------------------------------- validation helpers
def _check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}.")
    return int(value)


def _check_fraction(value: object, name: str, *, upper_open: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}.")
    value = float(value)
    if not (0.0 <= value < 1.0 if upper_open else 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1){'' if upper_open else ' or 1'}, got {value}.")
    return value


def _check_images(images: object, name: str = "images") -> np.ndarray:
    array = np.asarray(images)
    if array.ndim == 3:
        array = array[..., np.newaxis]
    if array.ndim != 4 or array.shape[1:] != IMAGE_SHAPE or len(array) == 0:
        raise ValueError(
            f"{name} must be a non-empty (n, 28, 28) or (n, 28, 28, 1) array, got shape {array.shape}."
        )
    return array


def _require_tensorflow() -> Any:
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"course_utils.gan trains with tf.GradientTape and needs the TensorFlow backend, but "
            f"Keras uses {keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
        )
    import tensorflow as tf

    return tf


# --------------------------------------------------------------------------- data
def preprocess_images(images: np.ndarray) -> np.ndarray:
    """Scale uint8 digits to the generator's range.

    Args:
        images: uint8 array ``(n, 28, 28)`` or ``(n, 28, 28, 1)`` with values 0-255.

    Returns:
        float32 array ``(n, 28, 28, 1)`` with values in [-1, 1].

    Raises:
        TypeError: ``images`` is not uint8 (scale floats yourself, or pass the raw digits).
        ValueError: wrong shape.
    """
    array = _check_images(images)
    if array.dtype != np.uint8:
        raise TypeError(
            f"images must be uint8 (0-255) as data.load_mnist returns them, got {array.dtype}. "
            "Pass the raw digits; float images are assumed to be scaled already."
        )
    return (array.astype("float32") - 127.5) / 127.5


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """Map generator output from [-1, 1] to [0, 1] for display.

    Args:
        images: float array ``(n, 28, 28[, 1])`` in [-1, 1].

    Returns:
        float32 array ``(n, 28, 28)`` in [0, 1].
    """
    array = _check_images(images)
    return np.clip((array[..., 0].astype("float32") + 1.0) / 2.0, 0.0, 1.0)


def latent_batch(
    num_vectors: int, latent_dim: int = DEFAULT_LATENT_DIM, seed: int = 0
) -> np.ndarray:
    """Return a reproducible batch of standard-normal latent vectors.

    Args:
        num_vectors: how many vectors (rows).
        latent_dim: length of each vector.
        seed: NumPy seed; the same seed gives the same batch.

    Returns:
        float32 array ``(num_vectors, latent_dim)``.
    """
    num_vectors = _check_positive_int(num_vectors, "num_vectors")
    latent_dim = _check_positive_int(latent_dim, "latent_dim")
    return np.random.default_rng(seed).standard_normal((num_vectors, latent_dim)).astype("float32")


def generate_images(
    generator: keras.Model, latents: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Run the generator in inference mode on given latent vectors.

    Args:
        generator: a model mapping ``(n, latent_dim)`` to ``(n, 28, 28, 1)``.
        latents: float array ``(n, latent_dim)``.
        batch_size: rows per forward pass.

    Returns:
        float32 NumPy array ``(n, 28, 28, 1)`` in [-1, 1].

    Raises:
        ValueError: ``latents`` does not match the generator's input size.
    """
    latents = np.asarray(latents, dtype="float32")
    latent_dim = _latent_dim_of(generator)
    if latents.ndim != 2 or latents.shape[1] != latent_dim:
        raise ValueError(
            f"latents must be (n, {latent_dim}) for this generator, got shape {latents.shape}."
        )
    batch_size = _check_positive_int(batch_size, "batch_size")
    parts = [
        keras.ops.convert_to_numpy(generator(latents[i : i + batch_size], training=False))
        for i in range(0, len(latents), batch_size)
    ]
    return np.concatenate(parts).astype("float32")


def _latent_dim_of(generator: keras.Model) -> int:
    if not isinstance(generator, keras.Model):
        raise TypeError(f"generator must be a keras.Model, got {type(generator).__name__}.")
    shape = generator.input_shape
    if not isinstance(shape, tuple) or len(shape) != 2:
        raise ValueError(
            f"generator must take (batch, latent_dim) input, its input shape is {shape}."
        )
    return int(shape[1])


# --------------------------------------------------------------------------- builders
def build_generator(
    latent_dim: int = DEFAULT_LATENT_DIM, base_filters: int = 64, name: str = "generator"
) -> keras.Model:
    """Build the course's small DCGAN generator (uncompiled).

    ``Dense -> 7x7xF -> ConvTranspose(stride 2) -> 14x14xF/2 -> ConvTranspose(stride 2) -> 28x28x1``
    with batch normalisation and LeakyReLU in between and ``tanh`` at the end.

    Args:
        latent_dim: length of the input noise vector.
        base_filters: channels F of the 7x7 feature map (even, >= 2).
        name: model name.

    Returns:
        Uncompiled ``keras.Model``: float32 ``(batch, latent_dim)`` -> ``(batch, 28, 28, 1)`` in [-1, 1].

    Raises:
        TypeError/ValueError: non-positive or odd sizes.
    """
    latent_dim = _check_positive_int(latent_dim, "latent_dim")
    base_filters = _check_positive_int(base_filters, "base_filters")
    if base_filters < 2 or base_filters % 2:
        raise ValueError(f"base_filters must be an even number >= 2, got {base_filters}.")
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * base_filters, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, base_filters)),
            layers.Conv2DTranspose(base_filters // 2, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ],
        name=name,
    )


def build_discriminator(
    base_filters: int = 32, dropout_rate: float = 0.3, name: str = "discriminator"
) -> keras.Model:
    """Build the course's small DCGAN discriminator (uncompiled), returning logits.

    ``Conv(stride 2) -> 14x14xF -> Conv(stride 2) -> 7x7x2F -> Dropout -> Dense(1)`` with LeakyReLU.
    The last layer has no activation: it outputs a logit, so pair it with
    ``BinaryCrossentropy(from_logits=True)``.

    Args:
        base_filters: channels F of the first convolution.
        dropout_rate: dropout before the final layer, in [0, 1).
        name: model name.

    Returns:
        Uncompiled ``keras.Model``: float32 ``(batch, 28, 28, 1)`` -> logits ``(batch, 1)``.

    Raises:
        TypeError/ValueError: bad sizes or rate.
    """
    base_filters = _check_positive_int(base_filters, "base_filters")
    dropout_rate = _check_fraction(dropout_rate, "dropout_rate")
    return keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Conv2D(base_filters, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(2 * base_filters, 4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(dropout_rate),
            layers.Dense(1),
        ],
        name=name,
    )


def build_tutorial_generator(latent_dim: int = 100) -> keras.Model:
    """Build the generator of the TensorFlow DCGAN tutorial (uncompiled; about 2.3 million weights).

    ``Dense(7*7*256) -> ConvTranspose 128 (stride 1) -> 64 (stride 2) -> 1 (stride 2)``, 5x5 kernels,
    batch normalisation and LeakyReLU; the corrected form of the seed article's generator.

    Args:
        latent_dim: length of the noise vector (the tutorial uses 100).

    Returns:
        Uncompiled ``keras.Model``: ``(batch, latent_dim)`` -> ``(batch, 28, 28, 1)`` in [-1, 1].
    """
    latent_dim = _check_positive_int(latent_dim, "latent_dim")
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(
                1, 5, strides=2, padding="same", use_bias=False, activation="tanh"
            ),
        ],
        name="tutorial_generator",
    )


def build_tutorial_discriminator() -> keras.Model:
    """Build the discriminator of the TensorFlow DCGAN tutorial (uncompiled, logits out).

    Returns:
        Uncompiled ``keras.Model``: ``(batch, 28, 28, 1)`` -> logits ``(batch, 1)``.
    """
    return keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="tutorial_discriminator",
    )


# --------------------------------------------------------------------------- the GAN model
class DCGAN(keras.Model):
    """A generator and a discriminator trained against each other with ``model.fit``.

    ``train_step`` does one discriminator update (real digits labelled 1, generated ones 0) and
    one generator update (generated digits labelled 1, the non-saturating generator loss), each
    with its own optimizer. ``test_step`` computes the same losses without updates, so
    ``validation_data`` reports them on held-out real digits. Calling the model generates
    images: ``dcgan(latents)`` is ``dcgan.generator(latents)``.

    Metrics (averaged over the epoch): ``d_loss`` (mean of the real and fake halves; about
    ln 2 = 0.69 when the discriminator cannot tell), ``g_loss``, ``real_score`` and
    ``fake_score`` (the discriminator's mean probability "real" on real and on generated images).

    Args:
        generator: ``(batch, latent_dim)`` -> ``(batch, 28, 28, 1)``.
        discriminator: ``(batch, 28, 28, 1)`` -> logits ``(batch, 1)``.
        label_smoothing: one-sided label smoothing: real digits get target ``1 - label_smoothing``
            in the discriminator's loss (0 switches it off; 0.1 is common).
        generator_loss: ``"non_saturating"`` (default: maximise log D(G(z)), i.e. the loss with
            target "real") or ``"minimax"`` (the original game: minimise log(1 - D(G(z))), whose
            gradient vanishes when the discriminator rejects the fakes confidently; here for
            demonstrating that failure; its ``g_loss`` is reported as ``-BCE(0, logits)``).
        seed: seed of the latent noise drawn in each step.

    Raises:
        TypeError: the networks are not Keras models.
        ValueError: the generator's output shape is not the discriminator's input shape, the
            discriminator does not output one value per image, ``label_smoothing`` is outside
            [0, 1), or ``generator_loss`` is unknown.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        label_smoothing: float = 0.0,
        generator_loss: str = "non_saturating",
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for network, what in ((generator, "generator"), (discriminator, "discriminator")):
            if not isinstance(network, keras.Model):
                raise TypeError(f"{what} must be a keras.Model, got {type(network).__name__}.")
        latent_dim = _latent_dim_of(generator)
        produced, expected = tuple(generator.output_shape[1:]), tuple(discriminator.input_shape[1:])
        if produced != expected:
            raise ValueError(
                f"The generator makes images of shape {produced} but the discriminator expects {expected}. "
                "Make them match: e.g. from a 7x7 map, two stride-2 transposed convolutions give 28x28 "
                "(a third would give 56x56)."
            )
        if tuple(discriminator.output_shape[1:]) != (1,):
            raise ValueError(
                f"The discriminator must output one logit per image, shape (batch, 1); "
                f"it outputs {discriminator.output_shape}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.label_smoothing = _check_fraction(label_smoothing, "label_smoothing")
        if generator_loss not in _GENERATOR_LOSSES:
            raise ValueError(
                f"generator_loss must be one of {_GENERATOR_LOSSES}, got {generator_loss!r}."
            )
        self.generator_loss = generator_loss
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_score_tracker = keras.metrics.Mean(name="real_score")
        self.fake_score_tracker = keras.metrics.Mean(name="fake_score")

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer,
        g_optimizer: keras.optimizers.Optimizer,
        loss_fn: Callable[..., Any],
        **kwargs: Any,
    ) -> None:
        """Set one optimizer per network and the loss (on logits).

        Args:
            d_optimizer: optimizer of the discriminator.
            g_optimizer: optimizer of the generator (a different object).
            loss_fn: ``loss_fn(targets, logits)``, e.g. ``keras.losses.BinaryCrossentropy(from_logits=True)``.

        Raises:
            TypeError: an optimizer is not a Keras optimizer, or ``loss_fn`` is not callable.
            ValueError: both networks were given the same optimizer object, or the loss expects
                probabilities (``from_logits=False``) while the discriminator outputs logits.
        """
        for optimizer, what in ((d_optimizer, "d_optimizer"), (g_optimizer, "g_optimizer")):
            if not isinstance(optimizer, keras.optimizers.Optimizer):
                raise TypeError(
                    f"{what} must be a keras optimizer such as keras.optimizers.Adam(2e-4, beta_1=0.5)."
                )
        if d_optimizer is g_optimizer:
            raise ValueError(
                "Give each network its own optimizer object: d_optimizer is g_optimizer."
            )
        if not callable(loss_fn):
            raise TypeError(
                "loss_fn must be callable, e.g. keras.losses.BinaryCrossentropy(from_logits=True)."
            )
        if getattr(loss_fn, "from_logits", True) is False:
            raise ValueError(
                "The discriminator outputs logits (no sigmoid), so the loss needs from_logits=True: "
                "keras.losses.BinaryCrossentropy(from_logits=True)."
            )
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_score_tracker,
            self.fake_score_tracker,
        ]

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.generator(inputs, training=training)

    def _compute_losses(self, real_images: Any, training: bool) -> tuple[Any, Any, Any, Any]:
        ops = keras.ops
        batch_size = ops.shape(real_images)[0]
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        fake_images = self.generator(noise, training=training)
        real_logits = self.discriminator(real_images, training=training)
        fake_logits = self.discriminator(fake_images, training=training)
        real_targets = ops.ones((batch_size, 1)) * (1.0 - self.label_smoothing)
        d_loss = 0.5 * (
            self.loss_fn(real_targets, real_logits)
            + self.loss_fn(ops.zeros((batch_size, 1)), fake_logits)
        )
        return d_loss, real_logits, fake_logits, batch_size

    def train_step(self, data: Any) -> dict[str, Any]:
        tf = _require_tensorflow()
        real_images = data[0] if isinstance(data, (tuple, list)) else data
        # 1) Discriminator: real digits -> 1 (or 1 - smoothing), generated digits -> 0.
        with tf.GradientTape() as tape:
            d_loss, real_logits, fake_logits, batch_size = self._compute_losses(
                real_images, training=True
            )
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights, strict=True))
        # 2) Generator: make the discriminator say "real" (1) on fresh fakes. Only the
        #    generator's weights are updated, so the discriminator needs no freezing.
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            logits = self.discriminator(self.generator(noise, training=True), training=True)
            if self.generator_loss == "minimax":
                g_loss = -self.loss_fn(keras.ops.zeros((batch_size, 1)), logits)
            else:
                g_loss = self.loss_fn(keras.ops.ones((batch_size, 1)), logits)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights, strict=True))
        return self._update_metrics(d_loss, g_loss, real_logits, fake_logits)

    def test_step(self, data: Any) -> dict[str, Any]:
        real_images = data[0] if isinstance(data, (tuple, list)) else data
        d_loss, real_logits, fake_logits, batch_size = self._compute_losses(
            real_images, training=False
        )
        g_loss = self.loss_fn(keras.ops.ones((batch_size, 1)), fake_logits)
        return self._update_metrics(d_loss, g_loss, real_logits, fake_logits)

    def _update_metrics(
        self, d_loss: Any, g_loss: Any, real_logits: Any, fake_logits: Any
    ) -> dict[str, Any]:
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_score_tracker.update_state(keras.ops.mean(keras.ops.sigmoid(real_logits)))
        self.fake_score_tracker.update_state(keras.ops.mean(keras.ops.sigmoid(fake_logits)))
        return {m.name: m.result() for m in self.metrics}


def build_compiled_dcgan(
    latent_dim: int = DEFAULT_LATENT_DIM,
    *,
    generator: keras.Model | None = None,
    discriminator: keras.Model | None = None,
    d_learning_rate: float = 2e-4,
    g_learning_rate: float = 2e-4,
    beta_1: float = 0.5,
    label_smoothing: float = 0.1,
    generator_loss: str = "non_saturating",
    seed: int | None = 0,
) -> DCGAN:
    """Build a :class:`DCGAN` and compile it with the DCGAN paper's Adam settings.

    Args:
        latent_dim: noise length for the default generator (ignored if ``generator`` is given).
        generator: generator to use (default: :func:`build_generator`).
        discriminator: discriminator to use (default: :func:`build_discriminator`).
        d_learning_rate: Adam learning rate of the discriminator.
        g_learning_rate: Adam learning rate of the generator.
        beta_1: Adam's first-moment decay for both (the DCGAN paper uses 0.5).
        label_smoothing: one-sided label smoothing of the real targets.
        generator_loss: ``"non_saturating"`` or ``"minimax"`` (see :class:`DCGAN`).
        seed: seed of the training noise.

    Returns:
        A compiled :class:`DCGAN` with ``BinaryCrossentropy(from_logits=True)``.
    """
    for rate, what in ((d_learning_rate, "d_learning_rate"), (g_learning_rate, "g_learning_rate")):
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < 1:
            raise ValueError(f"{what} must be a number in (0, 1), e.g. 2e-4; got {rate!r}.")
    _check_fraction(beta_1, "beta_1")
    model = DCGAN(
        generator if generator is not None else build_generator(latent_dim),
        discriminator if discriminator is not None else build_discriminator(),
        label_smoothing=label_smoothing,
        generator_loss=generator_loss,
        seed=seed,
    )
    model.compile(
        d_optimizer=keras.optimizers.Adam(d_learning_rate, beta_1=beta_1),
        g_optimizer=keras.optimizers.Adam(g_learning_rate, beta_1=beta_1),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return model


# --------------------------------------------------------------------------- measuring quality
def build_feature_classifier(num_features: int = 64) -> keras.Model:
    """Build a small digit classifier whose ``"features"`` layer defines the Fréchet feature space.

    FID uses the 2,048-dimensional pool layer of an ImageNet Inception-v3. For 28x28 digits a
    classifier trained on real digits plays the same role: its penultimate layer summarises
    what makes a digit look like a digit, so comparing feature statistics compares digits.

    Args:
        num_features: width of the penultimate ``Dense`` layer named ``"features"``.

    Returns:
        Uncompiled ``keras.Model``: float32 ``(batch, 28, 28, 1)`` in [-1, 1] -> 10 softmax
        probabilities ``(batch, 10)``.
    """
    num_features = _check_positive_int(num_features, "num_features")
    return keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(num_features, activation="relu", name="features"),
            layers.Dense(10, activation="softmax", name="probabilities"),
        ],
        name="feature_classifier",
    )


def train_feature_classifier(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    epochs: int = 3,
    batch_size: int = 128,
    num_features: int = 64,
    verbose: int | str = 0,
) -> tuple[keras.Model, keras.callbacks.History]:
    """Build, compile and train :func:`build_feature_classifier` on real digits.

    Args:
        x_train, x_val: float32 ``(n, 28, 28, 1)`` in [-1, 1] (see :func:`preprocess_images`).
        y_train, y_val: integer labels ``(n,)`` in 0-9.
        epochs, batch_size: training length and batch size.
        num_features: width of the feature layer.
        verbose: passed to ``fit``.

    Returns:
        ``(classifier, history)``.
    """
    for images, name in ((x_train, "x_train"), (x_val, "x_val")):
        if np.asarray(images).dtype == np.uint8:
            raise TypeError(f"{name} is uint8: scale it with gan.preprocess_images first.")
    x_train, x_val = _check_images(x_train, "x_train"), _check_images(x_val, "x_val")
    model = build_feature_classifier(num_features)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x_train,
        np.asarray(y_train),
        validation_data=(x_val, np.asarray(y_val)),
        epochs=_check_positive_int(epochs, "epochs"),
        batch_size=_check_positive_int(batch_size, "batch_size"),
        verbose=verbose,
    )
    return model, history


def feature_extractor(classifier: keras.Model, layer_name: str = "features") -> keras.Model:
    """Return a model mapping images to the classifier's ``layer_name`` activations.

    Raises:
        ValueError: the classifier has no such layer.
    """
    names = [layer.name for layer in classifier.layers]
    if layer_name not in names:
        raise ValueError(f"classifier has no layer {layer_name!r}; its layers are {names}.")
    return keras.Model(classifier.inputs, classifier.get_layer(layer_name).output, name="features")


def _check_features(features: object, name: str) -> np.ndarray:
    array = np.asarray(features, dtype="float64")
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D (num_samples, num_features) array, got shape {array.shape}."
        )
    if array.shape[0] < 2:
        raise ValueError(
            f"{name} needs at least 2 samples to estimate a covariance, got {array.shape[0]}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors (FID's formula).

    ``d^2 = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` with means ``mu`` and
    covariances ``S`` (``np.cov``, ``ddof=1``). The trace of the matrix square root is computed
    as the sum of the square roots of the eigenvalues of ``S_a^(1/2) S_b S_a^(1/2)`` (a symmetric
    matrix with the same eigenvalues as ``S_a S_b``), which avoids complex round-off.

    Args:
        features_a: float array ``(n_a, k)``, one feature vector per row, ``n_a >= 2``.
        features_b: float array ``(n_b, k)``.

    Returns:
        The squared distance ``d^2`` as a float >= 0 (0 for identical sets). Like FID, it is
        biased upward for small samples: compare values computed with the same sample sizes.

    Raises:
        ValueError: not 2-D, fewer than 2 rows, different feature counts, or non-finite values.
    """
    a = _check_features(features_a, "features_a")
    b = _check_features(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"Both sets need the same number of features: features_a has {a.shape[1]}, features_b {b.shape[1]}."
        )
    return _frechet_from_statistics(
        a.mean(axis=0), np.cov(a, rowvar=False), b.mean(axis=0), np.cov(b, rowvar=False)
    )


def _frechet_from_statistics(
    mean_a: np.ndarray, cov_a: np.ndarray, mean_b: np.ndarray, cov_b: np.ndarray
) -> float:
    cov_a, cov_b = np.atleast_2d(cov_a), np.atleast_2d(cov_b)
    eigenvalues, eigenvectors = np.linalg.eigh(cov_a)
    sqrt_a = (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T
    middle = sqrt_a @ cov_b @ sqrt_a
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)).sum()
    value = float(
        np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_sqrt
    )
    scale = float(np.trace(cov_a) + np.trace(cov_b)) or 1.0
    return 0.0 if value < 1e-9 * scale else value


def extract_features(
    extractor: keras.Model, images: np.ndarray, batch_size: int = 500
) -> np.ndarray:
    """Feature vectors of images, as float64 ``(n, k)``."""
    images = _check_images(images)
    return np.asarray(extractor.predict(images, batch_size=batch_size, verbose=0), dtype="float64")


class FrechetScorer:
    """Fréchet distance of a generator's digits to a fixed set of real digits.

    The real features are computed once; each call draws the same latent vectors (a fixed
    seed), so scores at different epochs are comparable.

    Args:
        extractor: model mapping ``(n, 28, 28, 1)`` images in [-1, 1] to ``(n, k)`` features.
        real_images: float32 ``(n, 28, 28, 1)`` in [-1, 1]; ``num_samples`` of them are used.
        num_samples: images per side (use the same number for every comparison).
        seed: seed of the latent vectors and of the choice of real images.
    """

    def __init__(
        self,
        extractor: keras.Model,
        real_images: np.ndarray,
        num_samples: int = 1000,
        seed: int = 0,
    ):
        real_images = _check_images(real_images, "real_images")
        self.num_samples = _check_positive_int(num_samples, "num_samples")
        if len(real_images) < self.num_samples:
            raise ValueError(
                f"need at least num_samples={self.num_samples} real images, got {len(real_images)}."
            )
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(real_images), self.num_samples, replace=False)
        self.extractor = extractor
        self.seed = seed
        self.real_features = extract_features(extractor, real_images[chosen])

    def score_images(self, images: np.ndarray) -> float:
        """Fréchet distance between ``images`` (first ``num_samples``) and the real set."""
        images = _check_images(images)[: self.num_samples]
        return frechet_distance(self.real_features, extract_features(self.extractor, images))

    def __call__(self, generator: keras.Model) -> float:
        """Fréchet distance of ``num_samples`` generated digits (fixed latents) to the real set."""
        latents = latent_batch(self.num_samples, _latent_dim_of(generator), seed=self.seed + 1)
        return self.score_images(generate_images(generator, latents))


def class_spread(classifier: keras.Model, images: np.ndarray) -> dict[str, Any]:
    """How confidently, and how evenly over the 10 classes, a digit classifier reads some images.

    Args:
        classifier: model returning ``(n, 10)`` class probabilities.
        images: float32 ``(n, 28, 28, 1)`` in [-1, 1].

    Returns:
        dict with ``"confidence"`` (mean top probability, 0.1-1; real digits score about 0.95+),
        ``"counts"`` (int array ``(10,)``: images per predicted class) and ``"spread"``
        (entropy of the predicted-class shares divided by ln 10: 1 = all classes equally often,
        0 = one class only, a sign of mode collapse).
    """
    probabilities = np.asarray(classifier.predict(_check_images(images), batch_size=500, verbose=0))
    if probabilities.ndim != 2 or probabilities.shape[1] != 10:
        raise ValueError(
            f"classifier must return (n, 10) probabilities, got {probabilities.shape}."
        )
    counts = np.bincount(probabilities.argmax(axis=1), minlength=10)
    shares = counts / counts.sum()
    nonzero = shares[shares > 0]
    return {
        "confidence": float(probabilities.max(axis=1).mean()),
        "counts": counts,
        "spread": float(-(nonzero * np.log(nonzero)).sum() / math.log(10)),
    }


# --------------------------------------------------------------------------- callbacks and training
def _grid_figure(images: np.ndarray, columns: int, title: str) -> Any:
    import matplotlib.pyplot as plt

    pictures = to_unit_range(images)
    rows = math.ceil(len(pictures) / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(columns * 0.55, rows * 0.55 + 0.3), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(pictures):
            ax.imshow(pictures[index], cmap="gray", vmin=0, vmax=1)
    fig.suptitle(title, fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05, left=0.01, right=0.99, bottom=0.01, top=0.88)
    plt.close(fig)
    return fig


class GANMonitor(keras.callbacks.Callback):
    """Show training progress and the digits of a fixed latent batch, updated in place.

    In a notebook two outputs update in place (no flood of logs): a text block with one line
    per finished epoch and a progress bar for the running one, and a grid of the digits the
    generator makes from the *same* latent vectors each epoch, so you watch the same digits form.
    Outside a notebook (``show=False`` or no IPython) it prints one line per epoch.

    Args:
        latents: fixed latent vectors ``(n, latent_dim)`` for the sample grid.
        scorer: optional callable ``scorer(generator) -> float`` (e.g. a :class:`FrechetScorer`)
            evaluated after every epoch; values go to ``distances`` and to the logs as ``"frechet"``.
        show: display the progress text and sample grid.
        columns: images per row in the grid.
        grid_every: redraw the grid every this many epochs (and after the last).

    Attributes:
        distances: scorer value after each epoch.
        seconds: wall-clock seconds of each epoch (training only, without scoring).
    """

    def __init__(
        self,
        latents: np.ndarray,
        scorer: Callable[[keras.Model], float] | None = None,
        *,
        show: bool = True,
        columns: int = 10,
        grid_every: int = 1,
    ) -> None:
        super().__init__()
        latents = np.asarray(latents, dtype="float32")
        if latents.ndim != 2:
            raise ValueError(
                f"latents must be a 2-D (n, latent_dim) array, got shape {latents.shape}."
            )
        if scorer is not None and not callable(scorer):
            raise TypeError("scorer must be callable: scorer(generator) -> float, or None.")
        self.latents = latents
        self.scorer = scorer
        self.show = show
        self.columns = _check_positive_int(columns, "columns")
        self.grid_every = _check_positive_int(grid_every, "grid_every")
        self.distances: list[float] = []
        self.seconds: list[float] = []
        self.lines: list[str] = []
        self._text_handle: Any = None
        self._grid_handle: Any = None

    def _display(self, obj: Any, handle: Any) -> Any:
        if not self.show:
            return None
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # pragma: no cover
            return None
        if get_ipython() is None:
            return None
        if handle is None:
            return display(obj, display_id=True)
        handle.update(obj)
        return handle

    def _text(self, extra: str = "") -> None:
        text = "\n".join(self.lines + ([extra] if extra else []))
        from IPython.display import Pretty

        self._text_handle = self._display(Pretty(text), self._text_handle)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epochs = self.params.get("epochs", 0)
        self.steps = self.params.get("steps") or 0
        self._draw(f"before training (epoch 0 of {self.epochs})")

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if (
            not self.show
            or self.steps == 0
            or (batch + 1) % max(1, self.steps // 20)
            and batch + 1 != self.steps
        ):
            return
        done = (batch + 1) / self.steps
        bar = "#" * int(24 * done) + "." * (24 - int(24 * done))
        self._text(f"epoch {self._epoch + 1}/{self.epochs} [{bar}] {100 * done:3.0f}%")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        self.seconds.append(time.perf_counter() - self._start)
        parts = [f"epoch {epoch + 1}/{self.epochs}", f"{self.seconds[-1]:4.1f} s"]
        parts += [
            f"{key} {logs[key]:.3f}"
            for key in ("d_loss", "g_loss", "real_score", "fake_score")
            if key in logs
        ]
        if self.scorer is not None:
            self.distances.append(float(self.scorer(self.model.generator)))
            logs["frechet"] = self.distances[-1]
            parts.append(f"Fréchet {self.distances[-1]:.2f}")
        self.lines.append(" · ".join(parts))
        if self.show and self._in_notebook():
            self._text()
        else:
            print(self.lines[-1], flush=True)
        if (epoch + 1) % self.grid_every == 0 or epoch + 1 == self.epochs:
            self._draw(f"epoch {epoch + 1}: the same {len(self.latents)} latent vectors")

    def _in_notebook(self) -> bool:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            return False
        return get_ipython() is not None

    def _draw(self, title: str) -> None:
        if not (self.show and self._in_notebook()):
            return
        images = generate_images(self.model.generator, self.latents)
        self._grid_handle = self._display(
            _grid_figure(images, self.columns, title), self._grid_handle
        )


class TimeBudget(keras.callbacks.Callback):
    """Stop training after the first epoch that ends past a wall-clock budget.

    Args:
        seconds: budget in seconds (> 0).
    """

    def __init__(self, seconds: float) -> None:
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            raise ValueError(f"seconds must be a positive number, got {seconds!r}.")
        self.budget = float(seconds)

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if time.perf_counter() - self._start >= self.budget:
            self.model.stop_training = True


def train_and_score(
    images: np.ndarray,
    scorer: Callable[[keras.Model], float],
    *,
    generator: keras.Model | None = None,
    discriminator: keras.Model | None = None,
    epochs: int = 10,
    time_budget_s: float | None = None,
    batch_size: int = 64,
    d_learning_rate: float = 2e-4,
    g_learning_rate: float = 2e-4,
    beta_1: float = 0.5,
    label_smoothing: float = 0.1,
    generator_loss: str = "non_saturating",
    seed: int = 0,
) -> dict[str, Any]:
    """Train a DCGAN for some epochs (or until a time budget runs out) and score every epoch.

    Meant for benchmarks, e.g. the course DCGAN against the TensorFlow tutorial's networks
    (:func:`build_tutorial_generator`, :func:`build_tutorial_discriminator`) at equal CPU time.

    Args:
        images: float32 training digits ``(n, 28, 28, 1)`` in [-1, 1].
        scorer: ``scorer(generator) -> float``, e.g. a :class:`FrechetScorer`.
        generator, discriminator: networks (defaults: the course's small DCGAN).
        epochs: maximum number of epochs.
        time_budget_s: stop after the first epoch that ends past this many seconds (None: no limit).
        batch_size, d_learning_rate, g_learning_rate, beta_1, label_smoothing, generator_loss:
            training settings (see :func:`build_compiled_dcgan`).
        seed: seed for Keras (weights, noise, shuffling).

    Returns:
        dict with ``"frechet"`` (list, one per finished epoch), ``"seconds"`` (training seconds
        per epoch, scoring excluded), ``"epochs"`` (finished), ``"history"`` (Keras logs) and
        ``"generator"`` (the trained generator).
    """
    images = _check_images(images)
    if images.dtype == np.uint8:
        raise TypeError("images are uint8: scale them with gan.preprocess_images first.")
    keras.utils.set_random_seed(seed)
    model = build_compiled_dcgan(
        generator=generator if generator is not None else build_generator(),
        discriminator=discriminator,
        d_learning_rate=d_learning_rate,
        g_learning_rate=g_learning_rate,
        beta_1=beta_1,
        label_smoothing=label_smoothing,
        generator_loss=generator_loss,
        seed=seed,
    )
    monitor = GANMonitor(latent_batch(1, model.latent_dim), scorer, show=False)
    callbacks: list[keras.callbacks.Callback] = [monitor]
    if time_budget_s is not None:
        callbacks.append(TimeBudget(time_budget_s))
    history = model.fit(
        images,
        epochs=_check_positive_int(epochs, "epochs"),
        batch_size=batch_size,
        verbose=0,
        callbacks=callbacks,
    )
    return {
        "frechet": monitor.distances,
        "seconds": monitor.seconds,
        "epochs": len(monitor.seconds),
        "history": history.history,
        "generator": model.generator,
    }


def plot_training(
    history: Any,
    distances: Sequence[float] | None = None,
    baseline: float | None = None,
    title: str = "",
) -> Any:
    """Plot the two losses per epoch and, if given, the Fréchet distance per epoch.

    Args:
        history: ``fit``'s History (or its ``.history`` dict) with ``d_loss`` and ``g_loss``.
        distances: Fréchet distance after each epoch.
        baseline: real-vs-real distance, drawn as a dashed line.
        title: figure title.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or "d_loss" not in logs or "g_loss" not in logs:
        raise ValueError(
            "history must hold 'd_loss' and 'g_loss' (a DCGAN fit History or its .history)."
        )
    panels = 2 if distances else 1
    fig, axes = plt.subplots(1, panels, figsize=(4.4 * panels, 3.0), squeeze=False)
    epochs = np.arange(1, len(logs["d_loss"]) + 1)
    ax = axes[0, 0]
    ax.plot(epochs, logs["d_loss"], "o-", label="discriminator")
    ax.plot(epochs, logs["g_loss"], "s-", label="generator")
    ax.axhline(math.log(2), color="gray", linestyle=":", label="ln 2 (coin flip)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_title("losses (training)")
    ax.legend(fontsize=8)
    if distances:
        ax = axes[0, 1]
        ax.plot(
            np.arange(1, len(distances) + 1),
            distances,
            "o-",
            color="tab:green",
            label="generated vs real",
        )
        if baseline is not None:
            ax.axhline(baseline, color="gray", linestyle="--", label="real vs real")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_title("Fréchet distance (lower is better)")
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- latent space
def interpolate_latents(
    z0: np.ndarray, z1: np.ndarray, steps: int, method: str = "linear"
) -> np.ndarray:
    """Points on a path from ``z0`` to ``z1`` in latent space (both ends included).

    * ``"linear"``: ``(1 - t) z0 + t z1``. Midpoints of two Gaussian vectors are shorter than
      typical vectors (norm shrinks by up to ``1/sqrt(2)``), so they can look washed out.
    * ``"slerp"`` (spherical linear interpolation): follows the great circle between the
      directions while the norm changes linearly from ``|z0|`` to ``|z1|``; falls back to linear
      when the vectors are (anti)parallel.

    Args:
        z0, z1: 1-D float arrays of the same length (the latent dimension).
        steps: number of points, >= 2.
        method: ``"linear"`` or ``"slerp"``.

    Returns:
        float32 array ``(steps, latent_dim)``; row 0 is ``z0``, the last row ``z1``.

    Raises:
        TypeError: ``steps`` not an int or ``method`` not a string.
        ValueError: shapes differ or are not 1-D, ``steps < 2``, unknown method, non-finite values.
    """
    start = np.asarray(z0, dtype="float64")
    end = np.asarray(z1, dtype="float64")
    if start.ndim != 1 or start.shape != end.shape or start.size == 0:
        raise ValueError(
            f"z0 and z1 must be 1-D vectors of the same length, got shapes {start.shape} and {end.shape}."
        )
    if not (np.all(np.isfinite(start)) and np.all(np.isfinite(end))):
        raise ValueError("z0 and z1 must contain finite numbers only.")
    steps = _check_positive_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be >= 2 (both ends are included), got {steps}.")
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, 'linear' or 'slerp'; got {method!r}.")
    if method not in _METHODS:
        raise ValueError(f"Unknown method {method!r}; use 'linear' or 'slerp'.")
    t = np.linspace(0.0, 1.0, steps)[:, np.newaxis]
    linear = (1 - t) * start + t * end
    norm_start, norm_end = np.linalg.norm(start), np.linalg.norm(end)
    if method == "linear" or norm_start == 0 or norm_end == 0:
        return linear.astype("float32")
    cosine = np.clip(np.dot(start / norm_start, end / norm_end), -1.0, 1.0)
    omega = np.arccos(cosine)
    if np.sin(omega) < 1e-6:
        return linear.astype("float32")
    unit = (
        np.sin((1 - t) * omega) * start / norm_start + np.sin(t * omega) * end / norm_end
    ) / np.sin(omega)
    path = unit * ((1 - t) * norm_start + t * norm_end)
    path[0], path[-1] = start, end
    return path.astype("float32")


def interpolation_figure(
    generator: keras.Model, z0: np.ndarray, z1: np.ndarray, steps: int = 9
) -> Any:
    """Two rows of digits along the linear and the spherical path from ``z0`` to ``z1``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, steps, figsize=(steps * 0.7, 1.9), squeeze=False)
    for row, method in enumerate(_METHODS):
        images = to_unit_range(
            generate_images(generator, interpolate_latents(z0, z1, steps, method))
        )
        for column, ax in enumerate(axes[row]):
            ax.imshow(images[column], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        axes[row, 0].set_ylabel(method, fontsize=8)
    fig.suptitle(f"from z0 (left) to z1 (right) in {steps} steps", fontsize=9)
    fig.tight_layout()
    plt.close(fig)
    return fig


# --------------------------------------------------------------------------- saving
def save_generator(generator: keras.Model, path: str | Path) -> Path:
    """Save a generator in the Keras format (``.keras``) and return the path.

    Raises:
        ValueError: the file name does not end in ``.keras``.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"save to a .keras file (the Keras 3 format), got {path.name!r}.")
    _latent_dim_of(generator)
    generator.save(path)
    return path


def load_generator(path: str | Path) -> keras.Model:
    """Load a generator saved by :func:`save_generator` and check its input and output shapes.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the model does not map ``(batch, latent_dim)`` to ``(batch, 28, 28, 1)``.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist; train and save a generator, or run `make pretrained-gan`."
        )
    model = keras.models.load_model(path)
    _latent_dim_of(model)
    if tuple(model.output_shape[1:]) != IMAGE_SHAPE:
        raise ValueError(
            f"{path.name} makes images of shape {model.output_shape[1:]}, expected {IMAGE_SHAPE}."
        )
    return model


def pretrained_generator_path() -> Path:
    """Path of the small pretrained generator shipped in ``data/`` (see data/README.md)."""
    return config.data_dir() / PRETRAINED_FILE


def load_pretrained_generator() -> keras.Model:
    """Load the pretrained generator shipped in ``data/`` (made by ``make pretrained-gan``)."""
    return load_generator(pretrained_generator_path())


# --------------------------------------------------------------------------- exercise checks
@checks.exercise
def check_generator_28(model: Any) -> str | None:
    """Exercise 5.1: a generator from 100-d noise to 28x28x1 images built from the seed's layers."""
    if not isinstance(model, keras.Model):
        return f"build a keras.Model (e.g. keras.Sequential), got {type(model).__name__}"
    if tuple(model.input_shape) != (None, 100):
        return f"the input must be 100-d noise: start with keras.Input(shape=(100,)); it is {model.input_shape}"
    if tuple(model.output_shape) != (None, 28, 28, 1):
        return (
            f"the output is {model.output_shape[1:]}, not (28, 28, 1): from 7x7, only two transposed "
            "convolutions may have strides=2 (7 -> 14 -> 28); give the first one strides=1"
        )
    if not any(isinstance(layer, layers.Conv2DTranspose) for layer in model.layers):
        return "keep the seed's Conv2DTranspose layers: they learn the upsampling"
    last = model.layers[-1]
    if getattr(getattr(last, "activation", None), "__name__", "") != "tanh":
        return "the last layer needs activation='tanh' so pixels land in [-1, 1] like the scaled real digits"
    dense = next((layer for layer in model.layers if isinstance(layer, layers.Dense)), None)
    if dense is not None and getattr(dense.activation, "__name__", "") == "relu":
        return "drop activation='relu' from the Dense layer: BatchNormalization then LeakyReLU follow it"
    return None


@checks.exercise
def check_frechet_by_hand(
    answer: Any, features_a: np.ndarray, features_b: np.ndarray
) -> str | None:
    """Exercise 5.2: the Fréchet distance of two tiny feature sets, computed by hand."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return f"answer with a number, got {answer!r}"
    expected = frechet_distance(features_a, features_b)
    if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9):
        return None
    a, b = np.asarray(features_a, float), np.asarray(features_b, float)
    mean_term = float(np.sum((a.mean(0) - b.mean(0)) ** 2))
    if math.isclose(value, mean_term, rel_tol=1e-6):
        return "that is only the mean term ||mu_a - mu_b||^2: add the covariance term Tr(S_a + S_b - 2 (S_a S_b)^(1/2))"
    if math.isclose(value, math.sqrt(expected), rel_tol=1e-6):
        return "FID reports the squared distance d^2: do not take the square root at the end"
    biased = _frechet_from_statistics(
        a.mean(0), np.cov(a, rowvar=False, ddof=0), b.mean(0), np.cov(b, rowvar=False, ddof=0)
    )
    if math.isclose(value, biased, rel_tol=1e-6):
        return "use the sample covariance with ddof=1 (np.cov's default), not ddof=0"
    return f"{value:.4g} is not it; recompute the mean term and the covariance term separately and add them"


@checks.exercise
def check_balanced_gan(model: Any) -> str | None:
    """Exercise 5.3: a DCGAN compiled with label smoothing 0.1 and the DCGAN paper's Adam settings."""
    if not isinstance(model, DCGAN):
        return f"build a gan.DCGAN (for example with gan.build_compiled_dcgan), got {type(model).__name__}"
    if not getattr(model, "compiled", False) or not hasattr(model, "d_optimizer"):
        return "compile the model (build_compiled_dcgan does it for you)"
    if not math.isclose(model.label_smoothing, 0.1, rel_tol=1e-6):
        return f"set label_smoothing=0.1 (real targets 0.9); it is {model.label_smoothing}"
    for optimizer, who in ((model.d_optimizer, "discriminator"), (model.g_optimizer, "generator")):
        rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        if not math.isclose(rate, 2e-4, rel_tol=1e-3):
            return f"the {who}'s learning rate is {rate:g}; use 2e-4 for both networks"
        if not math.isclose(float(optimizer.beta_1), 0.5, rel_tol=1e-6):
            return f"the {who}'s beta_1 is {optimizer.beta_1}; the DCGAN paper uses 0.5"
    return None
