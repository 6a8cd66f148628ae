"""Tests of the lesson code notebook 05 exports to course_utils.cnn (tiny models; offline).

The course CNN, the training recipe, the one-cycle schedule, time to accuracy and saliency are
checked on small inputs.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest

from course_utils import cnn


# --------------------------------------------------------------------------- builders
def test_build_cnn_is_the_course_architecture():
    model = cnn.build_cnn()
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    assert getattr(model, "optimizer", None) is None  # uncompiled
    assert [layer.name for layer in model.layers] == [
        "image",
        "conv1",
        "bn1",
        "relu1",
        "pool1",
        "conv2",
        "bn2",
        "relu2",
        "pool2",
        "flatten",
        "dropout1",
        "dense",
        "bn_dense",
        "relu_dense",
        "dropout2",
        "logits",
        "probabilities",
    ]
    assert model.count_params() == 409946  # the number the notebook prints
    assert model.get_layer("dense").count_params() == 7 * 7 * 32 * 256  # no bias
    assert model.get_layer("relu1").output.shape[1:] == (28, 28, 16)  # BN and ReLU before pooling
    assert model.get_layer("flatten").output.shape[-1] == 7 * 7 * 32
    for name in ("bn1", "bn2", "bn_dense"):
        assert model.get_layer(name).momentum == 0.9
    assert model.get_layer("dropout1").rate == model.get_layer("dropout2").rate == 0.1
    assert not model.get_layer("conv1").use_bias and not model.get_layer("dense").use_bias
    out = np.asarray(model(np.zeros((3, 28, 28, 1), "float32")))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_build_cnn_options():
    model = cnn.build_cnn(
        (32, 32, 3), 5, filters=(8, 8, 16), dense_units=64, dropout_rate=0.3, batchnorm_momentum=0.8
    )
    assert model.output_shape == (None, 5)
    assert model.get_layer("flatten").output.shape[-1] == 4 * 4 * 16
    assert model.get_layer("dense").output.shape[-1] == 64
    assert model.get_layer("dropout2").rate == 0.3 and model.get_layer("bn3").momentum == 0.8


# --------------------------------------------------------------------------- training
def test_recipes():
    course = cnn.train_recipe()
    assert (course.batch_size, course.epochs, course.learning_rate, course.one_cycle) == (
        128,
        cnn.COURSE_EPOCHS["mnist"],
        0.02,
        True,
    )
    assert course.warmup_fraction == 0.2 and cnn.COURSE_EPOCHS == {"mnist": 2, "fashion_mnist": 10}
    keras_io = cnn.train_recipe("keras_io")
    assert (keras_io.batch_size, keras_io.epochs, keras_io.learning_rate) == (128, 15, 1e-3)
    assert not keras_io.one_cycle
    assert cnn.train_recipe(epochs=3).epochs == 3 and cnn.RECIPES["course"].epochs == 2
    with pytest.raises(ValueError, match="kind"):
        cnn.train_recipe("fast")
    with pytest.raises(TypeError, match="lr"):
        cnn.train_recipe(lr=1)


def test_one_cycle_schedule_warms_up_then_decays_to_zero():
    schedule = cnn.one_cycle_schedule(100, 1e-2, 0.2)
    rates = np.array([float(schedule(step)) for step in (0, 10, 20, 60, 100)])
    np.testing.assert_allclose(rates[[0, 2, 4]], [1e-3, 1e-2, 0.0], atol=1e-6)
    assert rates[0] < rates[1] < rates[2] > rates[3] > rates[4]
    no_warmup = cnn.one_cycle_schedule(10, 1e-2, 0.0)
    assert float(no_warmup(0)) == pytest.approx(1e-2)
    assert float(cnn.one_cycle_schedule(10)(2)) == pytest.approx(0.02)  # the course's peak


def test_fit_with_recipe_learns_a_toy_problem_and_times_it():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = np.zeros((256, 8, 8, 1), "float32")
    y = rng.integers(0, 2, 256)
    x[y == 1, :4] = 1.0  # class 1: bright top half
    x += rng.normal(0, 0.1, x.shape).astype("float32")
    model = cnn.build_cnn((8, 8, 1), 2, filters=(4,))
    recipe = cnn.train_recipe(epochs=4, batch_size=32, learning_rate=1e-2)
    history = cnn.fit_with_recipe(
        model, x[:200], y[:200], recipe, validation_data=(x[200:], y[200:]), verbose=0
    )
    assert history.history["val_accuracy"][-1] >= 0.9
    assert len(history.history["time"]) == 4 and np.all(np.diff(history.history["time"]) > 0)
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)
    epoch, seconds = cnn.time_to_accuracy(history, 0.9)
    assert 1 <= epoch <= 4 and seconds == history.history["time"][epoch - 1]
    assert cnn.time_to_accuracy(history, 1.01) is None


def test_time_to_accuracy_reads_a_plain_dict():
    logs = {"val_accuracy": [0.5, 0.8, 0.9], "time": [1.0, 2.0, 3.0], "accuracy": [0.6, 0.9, 1]}
    assert cnn.time_to_accuracy(logs, 0.8) == (2, 2.0)
    assert cnn.time_to_accuracy(logs, 0.9, metric="accuracy") == (2, 2.0)


# --------------------------------------------------------------------------- saliency
@pytest.fixture(scope="module")
def small_model():
    keras.utils.set_random_seed(1)
    return cnn.build_cnn((12, 12, 1), 3, filters=(4, 6))


def test_saliency_map_matches_finite_differences(small_model):
    image = np.random.default_rng(2).random((1, 12, 12, 1)).astype("float32")
    saliency = cnn.saliency_map(small_model, image, class_index=1, normalize=False)
    assert saliency.shape == (1, 12, 12) and saliency.dtype == np.float32 and saliency.min() >= 0
    logits = keras.Model(small_model.input, small_model.get_layer("logits").output)
    eps = 1e-2
    for row, col in [(3, 4), (6, 6), (10, 1)]:
        up, down = image.copy(), image.copy()
        up[0, row, col] += eps
        down[0, row, col] -= eps
        numeric = (np.asarray(logits(up))[0, 1] - np.asarray(logits(down))[0, 1]) / (2 * eps)
        np.testing.assert_allclose(saliency[0, row, col], abs(numeric), rtol=0.05, atol=1e-4)


def test_saliency_map_classes_and_normalisation(small_model):
    images = np.random.default_rng(3).random((2, 12, 12, 1)).astype("float32")
    per_image = cnn.saliency_map(small_model, images, class_index=[0, 2])
    assert per_image.shape == (2, 12, 12) and np.allclose(per_image.max(axis=(1, 2)), 1)
    predicted = np.argmax(small_model(images), axis=1)
    np.testing.assert_allclose(
        cnn.saliency_map(small_model, images), cnn.saliency_map(small_model, images, predicted)
    )
