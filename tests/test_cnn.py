"""Tests for course_utils.cnn (tiny models and data; offline)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import cnn


# --------------------------------------------------------------------------- conv_output_size
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
        (28, 3, 2, "same", 2),
        (7, 7, 1, "valid", 1),
        (1, 1, 1, "valid", 1),
    ],
)
def test_conv_output_size_matches_keras_conv2d(size, kernel, stride, padding, dilation):
    if stride > 1 and dilation > 1:  # Keras forbids strides > 1 together with dilation > 1
        dilation = 1
    layer = layers.Conv2D(2, kernel, strides=stride, padding=padding, dilation_rate=dilation)
    out = layer(np.zeros((1, size, size + 3, 1), dtype="float32"))
    assert out.shape[1] == cnn.conv_output_size(size, kernel, stride, padding, dilation)
    assert out.shape[2] == cnn.conv_output_size(size + 3, kernel, stride, padding, dilation)


@pytest.mark.parametrize(
    ("size", "pool", "stride", "padding"),
    [
        (28, 2, 2, "valid"),
        (27, 2, 2, "valid"),
        (27, 2, 2, "same"),
        (13, 3, 2, "valid"),
        (7, 2, 1, "same"),
    ],
)
def test_conv_output_size_matches_keras_maxpooling(size, pool, stride, padding):
    out = layers.MaxPooling2D(pool, strides=stride, padding=padding)(
        np.zeros((1, size, size, 1), "float32")
    )
    assert out.shape[1] == cnn.conv_output_size(size, pool, stride, padding)


def test_conv_output_size_errors():
    with pytest.raises(ValueError, match="does not fit"):
        cnn.conv_output_size(4, 5)
    with pytest.raises(ValueError, match="does not fit"):
        cnn.conv_output_size(5, 3, dilation=3)
    with pytest.raises(ValueError, match="'valid' or 'same'"):
        cnn.conv_output_size(28, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        cnn.conv_output_size(28, 0)
    with pytest.raises(TypeError, match="stride must be a positive int"):
        cnn.conv_output_size(28, 3, stride=1.5)
    with pytest.raises(TypeError, match="padding must be a string"):
        cnn.conv_output_size(28, 3, padding=None)
    assert cnn.conv_output_size(28, 3, padding="SAME") == 28


# --------------------------------------------------------------------------- hand-made operations
@pytest.mark.parametrize(
    ("stride", "padding"), [(1, "valid"), (1, "same"), (2, "valid"), (2, "same")]
)
def test_conv2d_numpy_matches_keras_conv2d(stride, padding):
    rng = np.random.default_rng(0)
    image = rng.random((9, 8, 3)).astype("float32")
    layer = layers.Conv2D(4, (3, 2), strides=stride, padding=padding, use_bias=False)
    expected = np.asarray(layer(image[None]))[0]
    ours = cnn.conv2d_numpy(image, np.asarray(layer.kernel), stride=stride, padding=padding)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_conv2d_numpy_single_channel_kernel_and_known_values():
    image = np.arange(16, dtype=float).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])  # not flipped: out[i, j] = x[i, j] - x[i+1, j+1]
    out = cnn.conv2d_numpy(image, kernel)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out, np.full((3, 3), -5.0))


def test_conv2d_numpy_errors():
    with pytest.raises(ValueError, match="input channels"):
        cnn.conv2d_numpy(np.zeros((5, 5, 2)), np.zeros((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="kernel must be"):
        cnn.conv2d_numpy(np.zeros((5, 5)), np.zeros((3, 3, 1)))
    with pytest.raises(ValueError, match="image must be"):
        cnn.conv2d_numpy(np.zeros(5), np.zeros((3, 3)))


def test_max_pool_numpy_matches_keras():
    image = np.random.default_rng(1).random((7, 6, 2)).astype("float32")
    expected = np.asarray(layers.MaxPooling2D(2)(image[None]))[0]
    np.testing.assert_array_equal(cnn.max_pool_numpy(image, 2), expected)


def test_conv_param_count_matches_keras():
    layer = layers.Conv2D(64, 5)
    layer.build((None, 14, 14, 32))
    assert cnn.conv_param_count(5, 32, 64) == layer.count_params() == 51264
    assert cnn.conv_param_count(3, 1, 32, use_bias=False) == 288
    with pytest.raises(ValueError):
        cnn.conv_param_count(0, 1, 1)


def test_prepare_images():
    x = np.full((2, 28, 28), 255, dtype=np.uint8)
    out = cnn.prepare_images(x)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32 and out.max() == 1.0
    assert cnn.prepare_images(x[..., None]).shape == (2, 28, 28, 1)
    with pytest.raises(TypeError, match="uint8"):
        cnn.prepare_images(x.astype("float32"))
    with pytest.raises(ValueError, match="shape"):
        cnn.prepare_images(x[0])


# --------------------------------------------------------------------------- builders
def test_build_cnn_shapes_names_and_uncompiled():
    model = cnn.build_cnn()
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert getattr(model, "optimizer", None) is None
    names = [layer.name for layer in model.layers]
    for expected in (
        "conv1",
        "bn1",
        "relu1",
        "pool1",
        "conv2",
        "pool2",
        "flatten",
        "logits",
        "probabilities",
    ):
        assert expected in names
    assert model.get_layer("flatten").output.shape[-1] == 7 * 7 * 64
    out = np.asarray(model(np.zeros((3, 28, 28, 1), "float32")))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_build_cnn_block_order():
    def order(model):
        return [layer.name for layer in model.layers if layer.name[-1] == "1"]

    assert order(cnn.build_cnn()) == ["conv1", "pool1", "bn1", "relu1"]
    textbook = cnn.build_cnn(pool_first=False)
    assert order(textbook) == ["conv1", "bn1", "relu1", "pool1"]
    # Same parameters either way: only where BN and ReLU sit changes.
    assert textbook.count_params() == cnn.build_cnn().count_params()
    assert textbook.get_layer("bn1").output.shape[1:3] == (28, 28)
    assert cnn.build_cnn().get_layer("bn1").output.shape[1:3] == (14, 14)
    with pytest.raises(TypeError, match="pool_first"):
        cnn.build_cnn(pool_first="yes")


def test_build_cnn_options():
    model = cnn.build_cnn((32, 32, 3), 5, filters=(8, 8, 16), dense_units=12)
    assert model.output_shape == (None, 5)
    assert model.get_layer("flatten").output.shape[-1] == 4 * 4 * 16
    assert model.get_layer("dense").units == 12


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"input_shape": (28, 28)}, ValueError, "channel axis"),
        ({"input_shape": (28, 28, 0)}, ValueError, "positive ints"),
        ({"input_shape": (3, 3, 1)}, ValueError, "too small"),
        ({"num_classes": 1}, ValueError, "num_classes must be >= 2"),
        ({"num_classes": 2.0}, TypeError, "num_classes must be an int"),
        ({"filters": ()}, ValueError, "non-empty"),
        ({"filters": (32, 0)}, ValueError, "positive int"),
        ({"dropout_rate": 1.0}, ValueError, "dropout_rate"),
        ({"dense_units": -1}, ValueError, "dense_units"),
    ],
)
def test_build_cnn_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        cnn.build_cnn(**kwargs)


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
    with pytest.raises(ValueError, match="num_classes"):
        cnn.build_keras_io_baseline(num_classes=1)
    with pytest.raises(ValueError, match="too small"):
        cnn.build_keras_io_baseline((8, 8, 1))


# --------------------------------------------------------------------------- training
def test_recipes_and_schedule():
    course = cnn.train_recipe()
    assert course.one_cycle and course.batch_size == 128
    io = cnn.train_recipe("keras_io")
    assert (io.batch_size, io.epochs, io.learning_rate, io.one_cycle) == (128, 15, 1e-3, False)
    assert cnn.train_recipe(epochs=2).epochs == 2
    with pytest.raises(ValueError, match="kind"):
        cnn.train_recipe("fast")
    with pytest.raises(ValueError, match="unknown recipe fields"):
        cnn.train_recipe(lr=1)
    with pytest.raises(ValueError, match="epochs"):
        cnn.train_recipe(epochs=0)
    schedule = cnn.one_cycle_schedule(100, 1e-2, 0.2)
    rates = np.array([float(schedule(step)) for step in (0, 10, 20, 60, 100)])
    np.testing.assert_allclose(rates[[0, 2, 4]], [1e-3, 1e-2, 0.0], atol=1e-6)
    assert rates[0] < rates[1] < rates[2] > rates[3] > rates[4]
    with pytest.raises(ValueError):
        cnn.one_cycle_schedule(0)


def test_compile_and_fit_with_recipe_learns_a_toy_problem():
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
    epoch, seconds = cnn.time_to_accuracy(history, 0.9)
    assert 1 <= epoch <= 4 and seconds > 0
    assert cnn.time_to_accuracy(history, 1.01) is None
    with pytest.raises(ValueError, match="time"):
        cnn.time_to_accuracy({"val_accuracy": [0.5]}, 0.4)
    with pytest.raises(TypeError, match="TrainRecipe"):
        cnn.fit_with_recipe(model, x, y, {"epochs": 1}, validation_data=(x, y))
    with pytest.raises(TypeError, match="keras.Model"):
        cnn.compile_cnn("model")


# --------------------------------------------------------------------------- looking inside
@pytest.fixture(scope="module")
def small_model():
    keras.utils.set_random_seed(1)
    return cnn.build_cnn((12, 12, 1), 3, filters=(4, 6))


def test_conv_filters_and_feature_maps(small_model):
    assert cnn.conv_filters(small_model).shape == (3, 3, 1, 4)
    assert cnn.conv_filters(small_model, "conv2").shape == (3, 3, 4, 6)
    with pytest.raises(ValueError, match="not a Conv2D"):
        cnn.conv_filters(small_model, "bn1")
    image = np.random.default_rng(0).integers(0, 256, (12, 12), dtype=np.uint8)
    maps = cnn.feature_maps(small_model, image)
    assert list(maps) == ["relu1", "relu2"]
    assert maps["relu1"].shape == (6, 6, 4) and maps["relu2"].shape == (3, 3, 6)  # after pooling
    assert min(m.min() for m in maps.values()) >= 0  # after ReLU
    conv = cnn.feature_maps(small_model, image, ["conv1"])["conv1"]
    expected = cnn.conv2d_numpy(image / 255.0, cnn.conv_filters(small_model), padding="same")
    np.testing.assert_allclose(conv, expected, atol=1e-5)
    with pytest.raises(ValueError, match="not in the model"):
        cnn.feature_maps(small_model, image, ["nope"])
    with pytest.raises(ValueError, match="do not fit"):
        cnn.feature_maps(small_model, np.zeros((10, 10), np.uint8))
    baseline_maps = cnn.feature_maps(cnn.build_keras_io_baseline(), np.zeros((28, 28), np.uint8))
    assert [m.shape for m in baseline_maps.values()] == [(26, 26, 32), (11, 11, 64)]


def test_saliency_map_matches_finite_differences(small_model):
    image = np.random.default_rng(2).random((12, 12, 1)).astype("float32")
    sal = cnn.saliency_map(small_model, image, class_index=1, normalize=False)
    assert sal.shape == (1, 12, 12) and sal.dtype == np.float32 and sal.min() >= 0
    logits = keras.Model(small_model.inputs, small_model.get_layer("logits").output)
    eps = 1e-2
    for r, c in [(3, 4), (6, 6), (10, 1)]:
        up, down = image.copy(), image.copy()
        up[r, c] += eps
        down[r, c] -= eps
        numeric = (np.asarray(logits(up[None]))[0, 1] - np.asarray(logits(down[None]))[0, 1]) / (
            2 * eps
        )
        np.testing.assert_allclose(sal[0, r, c], abs(numeric), rtol=0.05, atol=1e-4)
    normalised = cnn.saliency_map(small_model, np.stack([image, image]), class_index=[0, 2])
    assert normalised.shape == (2, 12, 12) and np.isclose(normalised.max(axis=(1, 2)), 1).all()
    with pytest.raises(ValueError, match="class_index"):
        cnn.saliency_map(small_model, image, class_index=3)
    with pytest.raises(ValueError, match="one entry per image"):
        cnn.saliency_map(small_model, np.stack([image, image]), class_index=[0])


def test_misclassified_orders_by_confidence():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.05, 0.95]])
    assert cnn.misclassified(np.array([0, 0, 0, 0]), probabilities).tolist() == [3, 1, 2]
    assert cnn.misclassified(np.array([0, 1, 1, 1]), probabilities).tolist() == []
    with pytest.raises(ValueError):
        cnn.misclassified(np.array([0]), probabilities)


def test_widget_logic(small_model):
    image = np.random.default_rng(3).integers(0, 256, (12, 12), dtype=np.uint8)
    result = cnn.predict_with_saliency(small_model, image)
    assert result["probabilities"].shape == (3,)
    assert np.isclose(result["probabilities"].sum(), 1, atol=1e-5)
    assert result["predicted"] == int(np.argmax(result["probabilities"]))
    assert result["confidence"] == pytest.approx(float(result["probabilities"].max()))
    assert result["saliency"].shape == (12, 12) and result["saliency"].max() == pytest.approx(1)
    hidden = cnn.occlude(image, 2, 3, 4)
    assert (
        (hidden[2:6, 3:7] == 0).all() and (hidden[:2] == image[:2]).all() and image[2:6, 3:7].any()
    )
    assert (cnn.occlude(image, 10, 10, 5)[10:, 10:] == 0).all()  # clipped at the border
    np.testing.assert_array_equal(cnn.occlude(image, 0, 0, 0), image)
    with pytest.raises(ValueError, match="size"):
        cnn.occlude(image, 0, 0, -1)
    with pytest.raises(ValueError, match="one image"):
        cnn.predict_with_saliency(small_model, np.zeros((2, 12, 12), np.uint8))


def test_plots_return_figures(small_model):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    image = np.zeros((12, 12), np.uint8)
    figures = [
        cnn.plot_filters(cnn.conv_filters(small_model)),
        cnn.plot_feature_maps(cnn.feature_maps(small_model, image), per_layer=4),
        cnn.plot_saliency(np.zeros((2, 12, 12)), np.zeros((2, 12, 12)), ["a", "b"]),
        cnn.plot_prediction(image, cnn.predict_with_saliency(small_model, image), ["x", "y", "z"]),
    ]
    assert all(isinstance(f, plt.Figure) for f in figures)
    plt.close("all")


# --------------------------------------------------------------------------- exercise checks
def test_check_flatten_size(capsys):
    assert cnn.check_flatten_size(None) is False
    assert "not attempted" in capsys.readouterr().out
    assert cnn.check_flatten_size(2304) is False
    assert "seed" in capsys.readouterr().out
    assert cnn.check_flatten_size(3136) is True


def _seed_like(output_activation, from_logits):
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(2, 3),
            layers.Flatten(),
            layers.Dense(10, activation=output_activation),
        ]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
    return model


def test_check_fixed_seed_model(capsys):
    assert cnn.check_fixed_seed_model(_seed_like("softmax", False)) is True
    assert cnn.check_fixed_seed_model(_seed_like(None, True)) is True
    assert cnn.check_fixed_seed_model(_seed_like("softmax", True)) is False
    assert "from_logits=False" in capsys.readouterr().out
    assert cnn.check_fixed_seed_model(_seed_like(None, False)) is False
    assert "from_logits=True" in capsys.readouterr().out
    uncompiled = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(10)]
    )
    assert cnn.check_fixed_seed_model(uncompiled) is False
    no_channel = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(10)])
    assert cnn.check_fixed_seed_model(no_channel) is False
    assert "28, 28, 1" in capsys.readouterr().out


def test_check_bn_dropout_model(capsys):
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((20, 28, 28, 1)).astype("float32")
    y = np.zeros(20, int)
    model = cnn.build_cnn()
    forced = np.mean(np.asarray(model(x)).argmax(1) == y)
    assert cnn.check_bn_dropout_model(model, x, y, 0.0) is True
    assert cnn.check_bn_dropout_model(model, x, y, forced + 0.01) is False
    assert "below" in capsys.readouterr().out
    assert cnn.check_bn_dropout_model(cnn.build_keras_io_baseline(), x, y, 0.0) is False
    assert "BatchNormalization" in capsys.readouterr().out
