"""Tests for course_utils.cnn (tiny models and data; offline)."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

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
