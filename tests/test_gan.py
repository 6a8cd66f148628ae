"""Tests of course_utils.gan, the code notebook 07 exports: networks, DCGAN, Fréchet distance, paths."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import scipy.linalg
from keras import layers

from course_utils import gan


# --------------------------------------------------------------------------- helpers
def _tiny_gan(**kwargs) -> gan.DCGAN:
    keras.utils.set_random_seed(0)
    return gan.build_compiled_dcgan(
        generator=gan.build_generator(latent_dim=8, base_filters=4),
        discriminator=gan.build_discriminator(base_filters=4),
        **kwargs,
    )


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [np.array(w) for w in model.trainable_weights]


def _images(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def _seed_56_generator() -> keras.Model:
    """The seed article's generator: three stride-2 transposed convolutions from 7x7."""
    return keras.Sequential(
        [
            keras.Input(shape=(100,)),
            layers.Dense(7 * 7 * 8, use_bias=False),
            layers.Reshape((7, 7, 8)),
            layers.Conv2DTranspose(4, 4, strides=2, padding="same"),
            layers.Conv2DTranspose(4, 4, strides=2, padding="same"),
            layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh"),
        ]
    )


def _frechet_with_scipy(a: np.ndarray, b: np.ndarray) -> float:
    """FID's formula written out with scipy's general matrix square root."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


# --------------------------------------------------------------------------- data and networks
def test_preprocess_images_scales_uint8_to_minus_one_one():
    raw = np.array([[[0] * 28] * 28, [[255] * 28] * 28], dtype=np.uint8)
    scaled = gan.preprocess_images(raw)
    assert scaled.shape == (2, 28, 28, 1) and scaled.dtype == np.float32
    np.testing.assert_array_equal(scaled[:, 0, 0, 0], [-1.0, 1.0])
    with pytest.raises(TypeError, match="uint8"):
        gan.preprocess_images(scaled)  # scaling twice is the classic mistake


def test_latent_batch_is_reproducible_standard_normal():
    batch = gan.latent_batch(2000, 16, seed=3)
    assert batch.shape == (2000, 16) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch, gan.latent_batch(2000, 16, seed=3))
    assert abs(batch.mean()) < 0.02 and abs(batch.std() - 1) < 0.02


def test_networks_have_matching_shapes_and_are_uncompiled():
    generator = gan.build_generator(latent_dim=16, base_filters=8)
    discriminator = gan.build_discriminator(base_filters=4)
    assert generator.input_shape == (None, 16) and generator.output_shape == (None, 28, 28, 1)
    assert discriminator.input_shape == (None, 28, 28, 1) and discriminator.output_shape == (
        None,
        1,
    )
    assert not generator.compiled and not discriminator.compiled
    assert discriminator.layers[-1].activation is keras.activations.linear  # a logit
    images = gan.generate_images(generator, gan.latent_batch(300, 16, seed=1), batch_size=128)
    assert images.shape == (300, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1  # tanh output


def test_tutorial_networks_have_the_tutorial_shapes():
    generator = gan.build_tutorial_generator()
    discriminator = gan.build_tutorial_discriminator()
    assert generator.input_shape == (None, 100) and generator.output_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    strides = [layer.strides for layer in generator.layers if hasattr(layer, "strides")]
    assert strides == [(1, 1), (2, 2), (2, 2)]
    assert generator.count_params() == 2_330_944


def test_course_networks_keep_their_size():
    """The stored results (notebook 07, benchmarks, data/gan_generator.keras) are of these networks."""
    assert gan.build_generator().count_params() == 246_657
    assert gan.build_discriminator().count_params() == 36_513


def test_pretrained_generator_has_the_architecture_of_build_generator():
    from course_utils import data

    pretrained = data.load_pretrained_generator()
    built = gan.build_generator()
    assert [type(layer).__name__ for layer in pretrained.layers] == [
        type(layer).__name__ for layer in built.layers
    ]
    assert [w.shape for w in pretrained.weights] == [w.shape for w in built.weights]


# --------------------------------------------------------------------------- the DCGAN model
def test_one_train_step_changes_both_networks():
    model = _tiny_gan()
    generator_before = _weights(model.generator)
    discriminator_before = _weights(model.discriminator)
    logs = model.train_on_batch(_images(8), return_dict=True)
    assert set(logs) == {"d_loss", "g_loss", "real_score", "fake_score"}
    assert all(np.isfinite(float(v)) for v in logs.values())
    for before, after in (
        (generator_before, model.generator),
        (discriminator_before, model.discriminator),
    ):
        changed = [not np.allclose(b, a) for b, a in zip(before, _weights(after), strict=True)]
        assert all(changed), f"{after.name}: every trainable weight should move after one step"
    assert model.d_optimizer.iterations.numpy() == 1 and model.g_optimizer.iterations.numpy() == 1


def test_fit_with_validation_reports_validation_losses_and_generates():
    model = _tiny_gan()
    images = _images(16, seed=1)
    history = model.fit(images, validation_data=(images[:8],), epochs=2, batch_size=8, verbose=0)
    assert {"d_loss", "g_loss", "val_d_loss", "val_g_loss"} <= set(history.history)
    assert len(history.history["d_loss"]) == 2
    assert model(gan.latent_batch(3, 8)).shape == (3, 28, 28, 1)


def test_training_is_reproducible_with_a_seed():
    def train():
        model = _tiny_gan(seed=5)
        model.fit(_images(16, seed=2), epochs=1, batch_size=8, verbose=0, shuffle=False)
        return _weights(model.generator)

    for first, second in zip(train(), train(), strict=True):
        np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)


def test_label_smoothing_changes_the_discriminator_loss():
    images = np.zeros((4, 28, 28, 1), "float32")
    plain, smoothed = _tiny_gan(label_smoothing=0.0), _tiny_gan(label_smoothing=0.3)
    smoothed.set_weights(plain.get_weights())
    for model in (plain, smoothed):  # make the discriminator say "real" (logit 3) to everything
        model.discriminator.layers[-1].bias.assign([3.0])
    d_plain = float(plain.test_on_batch(images, return_dict=True)["d_loss"])
    d_smooth = float(smoothed.test_on_batch(images, return_dict=True)["d_loss"])
    assert d_smooth > d_plain + 0.3  # real targets 0.7 instead of 1 punish a confident 'real'


def test_dcgan_rejects_a_generator_whose_images_do_not_fit():
    with pytest.raises(ValueError, match=r"\(56, 56, 1\).*\(28, 28, 1\).*two stride-2"):
        gan.DCGAN(_seed_56_generator(), gan.build_discriminator())


def test_build_compiled_dcgan_uses_the_dcgan_paper_settings():
    model = gan.build_compiled_dcgan()
    assert model.label_smoothing == pytest.approx(0.1) and model.latent_dim == 64
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)
        assert float(optimizer.beta_1) == pytest.approx(0.5)
    assert model.d_optimizer is not model.g_optimizer and model.loss_fn.from_logits


# --------------------------------------------------------------------------- Fréchet distance
def test_symmetric_sqrt_squares_back():
    rng = np.random.default_rng(0)
    factor = rng.normal(size=(5, 5))
    matrix = factor @ factor.T
    root = gan.symmetric_sqrt(matrix)
    np.testing.assert_allclose(root @ root, matrix, atol=1e-10)
    np.testing.assert_allclose(root, scipy.linalg.sqrtm(matrix).real, atol=1e-8)


def test_frechet_distance_is_zero_for_identical_sets():
    features = np.random.default_rng(0).normal(size=(200, 6))
    assert gan.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-9)
    assert gan.frechet_distance(features, features) >= 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frechet_distance_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(300, 5))
    b = rng.normal(loc=0.5, size=(250, 5)) @ rng.normal(size=(5, 5))
    expected = _frechet_with_scipy(a, b)
    assert gan.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)
    assert gan.frechet_distance(b, a) == pytest.approx(expected, rel=1e-6)  # symmetric
    assert expected > 1.0


def test_frechet_distance_of_one_dimensional_gaussians_has_a_closed_form():
    a = np.array([[0.0], [2.0], [4.0]])  # mean 2, sample std 2
    b = np.array([[5.0], [6.0], [7.0]])  # mean 6, sample std 1
    assert gan.frechet_distance(a, b) == pytest.approx((2 - 6) ** 2 + (2 - 1) ** 2)


def test_scorer_is_reproducible_and_class_spread_flags_collapse():
    keras.utils.set_random_seed(0)
    classifier = gan.build_feature_classifier(num_features=4)
    images = _images(40)
    scorer = gan.FrechetScorer(gan.feature_extractor(classifier), images, num_samples=30)
    assert scorer.real_features.shape == (30, 4) and scorer.real_features.dtype == np.float64
    assert scorer.score_images(images) >= 0
    generator = gan.build_generator(latent_dim=8, base_filters=4)
    assert scorer(generator) == pytest.approx(scorer(generator))  # fixed latents
    # A classifier that always says "0" with probability 1: full confidence, no spread (collapse).
    constant = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Flatten(),
            layers.Dense(10, activation="softmax", kernel_initializer="zeros"),
        ]
    )
    constant.layers[-1].bias.assign(np.array([50.0] + [0.0] * 9))
    report = gan.class_spread(constant, images)
    assert report["confidence"] == pytest.approx(1.0)
    assert report["counts"].tolist() == [40] + [0] * 9
    assert report["spread"] == pytest.approx(0.0)


def test_class_spread_is_one_for_a_uniform_reading():
    probabilities = np.repeat(np.eye(10), 3, axis=0)  # three images per class

    class Fixed:
        def predict(self, images, **kwargs):
            return probabilities

    report = gan.class_spread(Fixed(), _images(30))
    assert report["spread"] == pytest.approx(1.0) and report["counts"].tolist() == [3] * 10


def test_train_feature_classifier_learns_and_reports_validation_accuracy():
    keras.utils.set_random_seed(0)
    images = np.concatenate([np.full((20, 28, 28, 1), -1.0), np.full((20, 28, 28, 1), 1.0)])
    labels = np.repeat([0, 1], 20)
    model, history = gan.train_feature_classifier(
        images.astype("float32"), labels, images.astype("float32"), labels, epochs=5, batch_size=8
    )
    assert history.history["val_accuracy"][-1] == pytest.approx(1.0)
    assert gan.feature_extractor(model).output_shape == (None, 64)


# --------------------------------------------------------------------------- training helpers
def test_train_and_score_scores_every_epoch(capsys):
    calls = []

    def scorer(generator):
        calls.append(generator.name)
        return float(len(calls))

    result = gan.train_and_score(
        _images(16, seed=2),
        scorer,
        generator=gan.build_generator(8, 4),
        discriminator=gan.build_discriminator(4),
        epochs=2,
        batch_size=8,
    )
    assert result["frechet"] == [1.0, 2.0] and len(result["seconds"]) == 2
    assert all(s > 0 for s in result["seconds"]) and len(result["history"]["d_loss"]) == 2
    assert result["generator"].output_shape == (None, 28, 28, 1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("epoch 1/2") and lines[-1].endswith("Fréchet 2.00")


def test_monitor_records_without_latents_and_redraws_with_them(monkeypatch):
    drawn = []
    monkeypatch.setattr(gan.plotting, "show_in_place", lambda figure, handle: drawn.append(figure))
    model = _tiny_gan()
    monitor = gan.GANMonitor(gan.latent_batch(4, 8), scorer=lambda generator: 3.5)
    history = model.fit(_images(8), epochs=2, batch_size=8, verbose=0, callbacks=[monitor])
    assert monitor.distances == [3.5, 3.5] and history.history["frechet"] == [3.5, 3.5]
    assert len(drawn) == 3  # before training and after each epoch


# --------------------------------------------------------------------------- interpolation
def test_linear_interpolation_includes_ends_and_midpoint():
    z0, z1 = np.array([0.0, 2.0]), np.array([2.0, 0.0])
    path = gan.interpolate_latents(z0, z1, steps=3)
    assert path.shape == (3, 2) and path.dtype == np.float32
    np.testing.assert_allclose(path, [[0, 2], [1, 1], [2, 0]])


def test_slerp_keeps_the_norm_and_follows_the_circle():
    z0, z1 = np.array([3.0, 0.0]), np.array([0.0, 3.0])
    path = gan.interpolate_latents(z0, z1, steps=5, method="slerp")
    np.testing.assert_allclose(path[0], z0, atol=1e-6)
    np.testing.assert_allclose(path[-1], z1, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 3.0, rtol=1e-6)
    np.testing.assert_allclose(path[2], [3 / np.sqrt(2), 3 / np.sqrt(2)], rtol=1e-6)
    linear = gan.interpolate_latents(z0, z1, steps=5)
    assert np.linalg.norm(linear[2]) < 3.0  # the linear midpoint is shorter


def test_slerp_falls_back_to_linear_for_parallel_vectors():
    z0, z1 = np.array([1.0, 1.0]), np.array([2.0, 2.0])
    np.testing.assert_allclose(
        gan.interpolate_latents(z0, z1, 4, "slerp"),
        gan.interpolate_latents(z0, z1, 4, "linear"),
        rtol=1e-6,
    )


def test_interpolate_latents_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="'linear' or 'slerp'"):
        gan.interpolate_latents(np.ones(2), np.zeros(2), 3, "cubic")
