"""Tests of the shared plotting helpers (shapes and errors; figures are not compared)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import plotting  # noqa: E402


def test_image_grid_lays_out_rows_and_titles():
    fig = plotting.image_grid(np.zeros((10, 28, 28, 1)), [str(i) for i in range(10)], columns=4)
    assert len(fig.axes) == 12
    assert fig.axes[9].get_title() == "9"


@pytest.mark.parametrize("images", [np.zeros((0, 28, 28)), np.zeros((28, 28))])
def test_image_grid_rejects_bad_shapes(images):
    with pytest.raises(ValueError, match="non-empty"):
        plotting.image_grid(images)


def test_image_grid_rejects_wrong_number_of_titles():
    with pytest.raises(ValueError, match="one per image"):
        plotting.image_grid(np.zeros((3, 8, 8)), ["a"])


def test_learning_curves_from_dict_and_missing_metric():
    fig = plotting.learning_curves({"loss": [1, 0.5], "val_loss": [1.1, 0.7]})
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="has \\['loss'\\]"):
        plotting.learning_curves({"loss": [1]}, metrics=("accuracy",))


def test_confusion_matrix_checks_shape_and_names():
    fig = plotting.confusion_matrix(np.eye(3) * 5, ["a", "b", "c"], normalize=True)
    assert len(fig.axes[0].texts) == 9
    with pytest.raises(ValueError, match="square"):
        plotting.confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="class names"):
        plotting.confusion_matrix(np.zeros((2, 2)), ["a"])
