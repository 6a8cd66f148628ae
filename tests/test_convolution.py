"""Tests of the lesson code notebook 04 exports to course_utils.convolution (offline).

The hand-written operations and formulas are compared with Keras on more cases than the notebook
shows; the keras.io baseline and `prepare_images` are checked too.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from keras import layers

from course_utils import convolution


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
    assert out.shape[1] == convolution.conv_output_size(size, kernel, stride, padding, dilation)
    assert out.shape[2] == convolution.conv_output_size(size + 3, kernel, stride, padding, dilation)


@pytest.mark.parametrize(
    ("size", "pool", "stride", "padding"),
    [(28, 2, 2, "valid"), (27, 2, 2, "valid"), (27, 2, 2, "same"), (13, 3, 2, "valid")],
)
def test_conv_output_size_matches_keras_maxpooling(size, pool, stride, padding):
    out = layers.MaxPooling2D(pool, strides=stride, padding=padding)(
        np.zeros((1, size, size, 1), "float32")
    )
    assert out.shape[1] == convolution.conv_output_size(size, pool, stride, padding)


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
        convolution.conv_output_size(*arguments)


def test_conv_output_size_accepts_numpy_ints_and_any_case():
    assert convolution.conv_output_size(np.int64(28), 3, padding="SAME") == 28


def test_conv_param_count_matches_keras():
    layer = layers.Conv2D(64, 5)
    layer.build((None, 14, 14, 32))
    assert convolution.conv_param_count(5, 32, 64) == layer.count_params() == 51264
    assert convolution.conv_param_count(3, 1, 32, use_bias=False) == 288


# --------------------------------------------------------------------------- hand-made operations
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv2d_numpy_matches_keras_conv2d(stride):
    image = np.random.default_rng(0).random((9, 8, 3)).astype("float32")
    layer = layers.Conv2D(4, (3, 2), strides=stride, use_bias=False)
    expected = np.asarray(layer(image[None]))[0]
    ours = convolution.conv2d_numpy(image, np.asarray(layer.kernel), stride=stride)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_conv2d_numpy_does_not_flip_the_kernel():
    image = np.arange(16, dtype=float).reshape(4, 4, 1)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)  # x[i, j] - x[i+1, j+1]
    np.testing.assert_allclose(convolution.conv2d_numpy(image, kernel), np.full((3, 3, 1), -5.0))


def test_conv2d_numpy_wants_the_channel_axis():
    with pytest.raises(ValueError, match="image\\[:, :, None\\]"):
        convolution.conv2d_numpy(np.zeros((5, 5)), np.zeros((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="match the kernel"):
        convolution.conv2d_numpy(np.zeros((5, 5, 2)), np.zeros((3, 3, 1, 4)))


@pytest.mark.parametrize("pool_size", [2, 3])
def test_max_pool_numpy_matches_keras(pool_size):
    image = np.random.default_rng(1).random((7, 6, 2)).astype("float32")
    expected = np.asarray(layers.MaxPooling2D(pool_size)(image[None]))[0]
    np.testing.assert_array_equal(convolution.max_pool_numpy(image, pool_size), expected)


def test_prepare_images():
    x = np.full((2, 28, 28), 255, dtype=np.uint8)
    out = convolution.prepare_images(x)
    assert out.shape == (2, 28, 28, 1) and out.dtype == np.float32 and out.max() == 1.0
    with pytest.raises(TypeError, match="uint8"):
        convolution.prepare_images(x.astype("float32"))
    with pytest.raises(ValueError, match="shape"):
        convolution.prepare_images(x[0])


# --------------------------------------------------------------------------- the keras.io baseline
def test_keras_io_baseline_architecture():
    model = convolution.build_keras_io_baseline()
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
