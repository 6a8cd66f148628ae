"""Tests of the lesson code notebook 04 exports to course_utils.cnn (tiny models; offline).

The hand-written operations and formulas are compared with Keras on more cases than the notebook
shows; the builders, the recipe and saliency are checked on small inputs.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import cnn


# --------------------------------------------------------------------------- shapes and parameters
@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation"),
    [
        (28, 3, 1, "valid", 1),
        (28, 5, 1, "same", 1),
        (28, 5, 2, "valid", 1),
        (28, 5, 2, "same", 1),
        (27, 3, 2, "same", 1),
        (13, 3, 3, "valid", 1),
        (28, 3, 1, "valid", 2),
        (28, 3, 1, "same", 2),
        (7, 7, 1, "valid", 1),
        (1, 1, 1, "valid", 1),
    ],
)
def test_conv_output_size_matches_keras_conv2d(size, kernel, stride, padding, dilation):
    layer = layers.Conv2D(2, kernel, strides=stride, padding=padding, dilation_rate=dilation)
    out = layer(np.zeros((1, size, size + 3, 1), dtype="float32"))
    assert out.shape[1] == cnn.conv_output_size(size, kernel, stride, padding, dilation)
    assert out.shape[2] == cnn.conv_output_size(size + 3, kernel, stride, padding, dilation)


@pytest.mark.parametrize(
    ("size", "pool", "stride", "padding"),
    [(28, 2, 2, "valid"), (27, 2, 2, "valid"), (27, 2, 2, "same"), (13, 3, 2, "valid")],
)
def test_conv_output_size_matches_keras_maxpooling(size, pool, stride, padding):
    out = layers.MaxPooling2D(pool, strides=stride, padding=padding)(
        np.zeros((1, size, size, 1), "float32")
    )
    assert out.shape[1] == cnn.conv_output_size(size, pool, stride, padding)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ((4, 5), "does not fit"),
        ((5, 3, 1, "valid", 3), "does not fit"),
        ((28, 3, 1, "full"), "'valid' or 'same'"),
        ((28, 3, 1, None), "'valid' or 'same'"),
        ((28, 0), "kernel_size must be a positive int"),
        ((28, 3, 1.5), "stride must be a positive int"),
        ((True, 3), "size must be a positive int"),
    ],
)
def test_conv_output_size_rejects_bad_input(arguments, match):
    with pytest.raises(ValueError, match=match):
        cnn.conv_output_size(*arguments)


def test_conv_output_size_accepts_numpy_ints_and_any_case():
    assert cnn.conv_output_size(np.int64(28), 3, padding="SAME") == 28


def test_conv_param_count_matches_keras():
    layer = layers.Conv2D(64, 5)
    layer.build((None, 14, 14, 32))
    assert cnn.conv_param_count(5, 32, 64) == layer.count_params() == 51264
    assert cnn.conv_param_count(3, 1, 32, use_bias=False) == 288


# --------------------------------------------------------------------------- hand-made operations
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv2d_numpy_matches_keras_conv2d(stride):
    image = np.random.default_rng(0).random((9, 8, 3)).astype("float32")
    layer = layers.Conv2D(4, (3, 2), strides=stride, use_bias=False)
    expected = np.asarray(layer(image[None]))[0]
    ours = cnn.conv2d_numpy(image, np.asarray(layer.kernel), stride=stride)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_conv2d_numpy_does_not_flip_the_kernel():
    image = np.arange(16, dtype=float).reshape(4, 4, 1)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)  # x[i, j] - x[i+1, j+1]
    np.testing.assert_allclose(cnn.conv2d_numpy(image, kernel), np.full((3, 3, 1), -5.0))


def test_conv2d_numpy_wants_the_channel_axis():
    with pytest.raises(ValueError, match="image\\[:, :, None\\]"):
        cnn.conv2d_numpy(np.zeros((5, 5)), np.zeros((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="match the kernel"):
        cnn.conv2d_numpy(np.zeros((5, 5, 2)), np.zeros((3, 3, 1, 4)))


@pytest.mark.parametrize("pool_size", [2, 3])
def test_max_pool_numpy_matches_keras(pool_size):
    image = np.random.default_rng(1).random((7, 6, 2)).astype("float32")
    expected = np.asarray(layers.MaxPooling2D(pool_size)(image[None]))[0]
    np.testing.assert_array_equal(cnn.max_pool_numpy(image, pool_size), expected)


def test_prepare_images():
    x = np.full((2, 28, 28), 255, dtype=np.uint8)
    out = cnn.prepare_images(x)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32 and out.max() == 1.0
    with pytest.raises(TypeError, match="uint8"):
        cnn.prepare_images(x.astype("float32"))
    with pytest.raises(ValueError, match="shape"):
        cnn.prepare_images(x[0])


# --------------------------------------------------------------------------- builders
def test_build_cnn_is_the_course_architecture():
    model = cnn.build_cnn()
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    assert getattr(model, "optimizer", None) is None  # uncompiled
    assert [layer.name for layer in model.layers] == [
        "image",
        "conv1",
        "pool1",
        "bn1",
        "relu1",
        "conv2",
        "pool2",
        "bn2",
        "relu2",
        "flatten",
        "dropout",
        "logits",
        "probabilities",
    ]
    assert model.count_params() == 50474  # the number the notebook prints
    assert model.get_layer("flatten").output.shape[-1] == 7 * 7 * 64
    assert model.get_layer("bn1").momentum == 0.8 and model.get_layer("dropout").rate == 0.1
    assert not model.get_layer("conv1").use_bias
    out = np.asarray(model(np.zeros((3, 28, 28, 1), "float32")))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_build_cnn_textbook_order_has_the_same_parameters():
    textbook = cnn.build_cnn(pool_first=False)
    block = [layer.name for layer in textbook.layers if layer.name[-1] == "1"]
    assert block == ["conv1", "bn1", "relu1", "pool1"]
    assert textbook.count_params() == cnn.build_cnn().count_params()
    assert textbook.get_layer("bn1").output.shape[1:3] == (28, 28)


def test_build_cnn_options():
    model = cnn.build_cnn((32, 32, 3), 5, filters=(8, 8, 16), dropout_rate=0.3)
    assert model.output_shape == (None, 5)
    assert model.get_layer("flatten").output.shape[-1] == 4 * 4 * 16
    assert model.get_layer("dropout").rate == 0.3


def test_keras_io_baseline_architecture():
    model = cnn.build_keras_io_baseline()
    assert model.count_params() == 34826  # the number printed on keras.io
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dropout",
        "Dense",
    ]
    assert getattr(model, "optimizer", None) is None


# --------------------------------------------------------------------------- training
def test_recipes():
    course = cnn.train_recipe()
    assert (course.batch_size, course.epochs, course.learning_rate, course.one_cycle) == (
        128,
        cnn.COURSE_EPOCHS["mnist"],
        5e-3,
        True,
    )
    keras_io = cnn.train_recipe("keras_io")
    assert (keras_io.batch_size, keras_io.epochs, keras_io.learning_rate) == (128, 15, 1e-3)
    assert not keras_io.one_cycle
    assert cnn.train_recipe(epochs=2).epochs == 2 and cnn.RECIPES["course"].epochs == 4
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
