"""Tests of course_utils.gan: builders, the DCGAN train_step, the Fréchet distance, interpolation."""

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


def _frechet_direct(a: np.ndarray, b: np.ndarray) -> float:
    """FID's formula written out with scipy's matrix square root."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


# --------------------------------------------------------------------------- builders
def test_builders_produce_matching_shapes_and_are_uncompiled():
    generator = gan.build_generator(latent_dim=16, base_filters=8)
    discriminator = gan.build_discriminator(base_filters=4)
    assert generator.input_shape == (None, 16)
    assert generator.output_shape == (None, 28, 28, 1)
    assert discriminator.input_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    assert not generator.compiled and not discriminator.compiled
    images = gan.generate_images(generator, gan.latent_batch(5, 16, seed=1))
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1  # tanh output


def test_tutorial_networks_have_the_tutorial_shapes():
    generator = gan.build_tutorial_generator()
    discriminator = gan.build_tutorial_discriminator()
    assert generator.input_shape == (None, 100)
    assert generator.output_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    assert [
        layer.strides for layer in generator.layers if isinstance(layer, layers.Conv2DTranspose)
    ] == [
        (1, 1),
        (2, 2),
        (2, 2),
    ]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: gan.build_generator(latent_dim=0), ValueError),
        (lambda: gan.build_generator(latent_dim=2.5), TypeError),
        (lambda: gan.build_generator(base_filters=7), ValueError),
        (lambda: gan.build_discriminator(dropout_rate=1.0), ValueError),
        (lambda: gan.build_discriminator(base_filters="32"), TypeError),
        (lambda: gan.build_feature_classifier(num_features=0), ValueError),
        (lambda: gan.latent_batch(0), ValueError),
    ],
)
def test_builders_reject_bad_arguments(call, error):
    with pytest.raises(error):
        call()


def test_preprocess_images_scales_uint8_to_minus_one_one():
    raw = np.array([[[0] * 28] * 28, [[255] * 28] * 28], dtype=np.uint8)
    scaled = gan.preprocess_images(raw)
    assert scaled.shape == (2, 28, 28, 1) and scaled.dtype == np.float32
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    np.testing.assert_allclose(gan.to_unit_range(scaled)[:, 0, 0], [0.0, 1.0])
    with pytest.raises(TypeError, match="uint8"):
        gan.preprocess_images(scaled)
    with pytest.raises(ValueError, match="28, 28"):
        gan.preprocess_images(np.zeros((2, 32, 32), np.uint8))


# --------------------------------------------------------------------------- the DCGAN model
def test_one_train_step_changes_both_networks():
    model = _tiny_gan()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    generator_before, discriminator_before = (
        _weights(model.generator),
        _weights(model.discriminator),
    )
    logs = model.train_on_batch(images, return_dict=True)
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
    images = np.random.default_rng(1).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    history = model.fit(images, validation_data=(images[:8],), epochs=2, batch_size=8, verbose=0)
    assert {"d_loss", "g_loss", "val_d_loss", "val_g_loss"} <= set(history.history)
    assert len(history.history["d_loss"]) == 2
    assert model(gan.latent_batch(3, 8)).shape == (3, 28, 28, 1)


def test_label_smoothing_changes_the_discriminator_loss():
    images = np.zeros((4, 28, 28, 1), "float32")
    plain, smoothed = _tiny_gan(label_smoothing=0.0), _tiny_gan(label_smoothing=0.3)
    smoothed.set_weights(plain.get_weights())
    for model in (
        plain,
        smoothed,
    ):  # make the discriminator say "real" (logit about 3) to everything
        model.discriminator.layers[-1].bias.assign([3.0])
    d_plain = float(plain.test_on_batch(images, return_dict=True)["d_loss"])
    d_smooth = float(smoothed.test_on_batch(images, return_dict=True)["d_loss"])
    assert d_smooth > d_plain + 0.3  # real targets 0.7 instead of 1 punish a confident 'real'


def test_dcgan_rejects_the_seed_56x56_generator():
    with pytest.raises(ValueError, match=r"\(56, 56, 1\).*\(28, 28, 1\)"):
        gan.DCGAN(_seed_56_generator(), gan.build_discriminator())


def test_dcgan_rejects_bad_networks_and_compile_arguments():
    generator, discriminator = gan.build_generator(8, 4), gan.build_discriminator(4)
    with pytest.raises(TypeError):
        gan.DCGAN("generator", discriminator)
    wide = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(2)])
    with pytest.raises(ValueError, match="one logit"):
        gan.DCGAN(generator, wide)
    with pytest.raises(ValueError, match="label_smoothing"):
        gan.DCGAN(generator, discriminator, label_smoothing=1.0)
    model = gan.DCGAN(generator, discriminator)
    adam = keras.optimizers.Adam()
    logits_loss = keras.losses.BinaryCrossentropy(from_logits=True)
    with pytest.raises(ValueError, match="own optimizer"):
        model.compile(adam, adam, logits_loss)
    with pytest.raises(ValueError, match="from_logits=True"):
        model.compile(
            keras.optimizers.Adam(), keras.optimizers.Adam(), keras.losses.BinaryCrossentropy()
        )
    with pytest.raises(TypeError, match="optimizer"):
        model.compile("adam", keras.optimizers.Adam(), logits_loss)
    with pytest.raises(ValueError, match="d_learning_rate"):
        gan.build_compiled_dcgan(d_learning_rate=0)


# --------------------------------------------------------------------------- Fréchet distance
def test_frechet_distance_is_zero_for_identical_sets():
    features = np.random.default_rng(0).normal(size=(200, 6))
    assert gan.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-9)
    assert gan.frechet_distance(features, features.copy()) >= 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frechet_distance_matches_the_direct_formula(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(300, 5))
    b = rng.normal(loc=0.5, size=(250, 5)) @ rng.normal(size=(5, 5))
    expected = _frechet_direct(a, b)
    assert gan.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)
    assert gan.frechet_distance(b, a) == pytest.approx(expected, rel=1e-6)  # symmetric
    assert expected > 1.0


def test_frechet_distance_of_one_dimensional_gaussians_has_a_closed_form():
    a = np.array([[0.0], [2.0], [4.0]])  # mean 2, sample std 2
    b = np.array([[5.0], [6.0], [7.0]])  # mean 6, sample std 1
    assert gan.frechet_distance(a, b) == pytest.approx((2 - 6) ** 2 + (2 - 1) ** 2)


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (np.zeros(5), np.zeros((5, 1)), "2-D"),
        (np.zeros((1, 3)), np.zeros((5, 3)), "at least 2"),
        (np.zeros((5, 3)), np.zeros((5, 4)), "same number of features"),
        (np.full((5, 2), np.nan), np.zeros((5, 2)), "NaN"),
    ],
)
def test_frechet_distance_rejects_bad_features(a, b, match):
    with pytest.raises(ValueError, match=match):
        gan.frechet_distance(a, b)


def test_scorer_and_class_spread_on_a_stand_in_classifier():
    keras.utils.set_random_seed(0)
    classifier = gan.build_feature_classifier(num_features=4)
    images = np.random.default_rng(0).uniform(-1, 1, (40, 28, 28, 1)).astype("float32")
    scorer = gan.FrechetScorer(gan.feature_extractor(classifier), images, num_samples=30)
    assert (
        scorer.score_images(images[np.sort(np.random.default_rng(0).choice(40, 30, replace=False))])
        >= 0
    )
    generator = gan.build_generator(latent_dim=8, base_filters=4)
    assert scorer(generator) == pytest.approx(scorer(generator))  # fixed latents: reproducible
    with pytest.raises(ValueError, match="no layer"):
        gan.feature_extractor(classifier, "nope")
    with pytest.raises(ValueError, match="at least num_samples"):
        gan.FrechetScorer(gan.feature_extractor(classifier), images, num_samples=100)
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


def test_train_feature_classifier_rejects_unscaled_digits():
    raw = np.zeros((4, 28, 28), np.uint8)
    with pytest.raises(TypeError, match="preprocess_images"):
        gan.train_feature_classifier(raw, np.zeros(4), raw, np.zeros(4))


# --------------------------------------------------------------------------- training helpers
def test_train_and_score_scores_every_epoch_and_respects_a_time_budget():
    images = np.random.default_rng(2).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    calls = []

    def scorer(generator):
        calls.append(generator.name)
        return float(len(calls))

    result = gan.train_and_score(
        images,
        scorer,
        generator=gan.build_generator(8, 4),
        discriminator=gan.build_discriminator(4),
        epochs=3,
        time_budget_s=1e-9,
        batch_size=8,
    )
    assert result["epochs"] == 1 and result["frechet"] == [1.0]  # stopped after the first epoch
    assert len(result["seconds"]) == 1 and result["seconds"][0] > 0
    with pytest.raises(ValueError):
        gan.TimeBudget(0)
    with pytest.raises(TypeError):
        gan.GANMonitor(gan.latent_batch(2, 8), scorer="not callable")


def test_plot_training_needs_gan_losses():
    figure = gan.plot_training(
        {"d_loss": [0.6, 0.65], "g_loss": [1.0, 0.9]}, [50.0, 30.0], baseline=2.0
    )
    assert len(figure.axes) == 2
    with pytest.raises(ValueError):
        gan.plot_training({"loss": [1.0]})


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


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"z1": np.zeros(3)}, ValueError),
        ({"steps": 1}, ValueError),
        ({"steps": 2.0}, TypeError),
        ({"method": "cubic"}, ValueError),
        ({"method": 1}, TypeError),
        ({"z0": np.zeros((2, 2)), "z1": np.zeros((2, 2))}, ValueError),
        ({"z0": np.array([np.inf, 0.0])}, ValueError),
    ],
)
def test_interpolate_latents_rejects_bad_arguments(kwargs, error):
    arguments = {"z0": np.ones(2), "z1": np.zeros(2), "steps": 3, "method": "linear"} | kwargs
    with pytest.raises(error):
        gan.interpolate_latents(**arguments)


# --------------------------------------------------------------------------- saving and checks
def test_save_and_load_generator_round_trip(tmp_path):
    generator = gan.build_generator(latent_dim=8, base_filters=4)
    latents = gan.latent_batch(4, 8)
    path = gan.save_generator(generator, tmp_path / "g.keras")
    loaded = gan.load_generator(path)
    np.testing.assert_allclose(
        gan.generate_images(loaded, latents), gan.generate_images(generator, latents)
    )
    with pytest.raises(ValueError, match=".keras"):
        gan.save_generator(generator, tmp_path / "g.h5")
    with pytest.raises(FileNotFoundError):
        gan.load_generator(tmp_path / "missing.keras")


def test_pretrained_generator_ships_and_generates_digits_shape():
    generator = gan.load_pretrained_generator()
    assert generator.output_shape == (None, 28, 28, 1)
    assert gan.pretrained_generator_path().stat().st_size < 2 * 2**20


def test_exercise_checks(capsys):
    assert gan.check_generator_28(gan.build_tutorial_generator(100)) is True
    assert gan.check_generator_28(_seed_56_generator()) is False
    assert "strides=1" in capsys.readouterr().out
    assert gan.check_generator_28(None) is False  # not attempted
    a, b = np.array([[0.0], [2.0], [4.0]]), np.array([[5.0], [6.0], [7.0]])
    assert gan.check_frechet_by_hand(17.0, a, b) is True
    assert gan.check_frechet_by_hand(16.0, a, b) is False
    assert "mean term" in capsys.readouterr().out
    assert gan.check_balanced_gan(_tiny_gan(label_smoothing=0.1)) is True
    assert gan.check_balanced_gan(_tiny_gan(label_smoothing=0.0)) is False
    assert gan.check_balanced_gan(_tiny_gan(label_smoothing=0.1, d_learning_rate=1e-3)) is False
