"""Tests of the welcome notebook's logic."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import environment_report, welcome


def test_environment_rows_cover_versions_hardware_and_data():
    rows = welcome.environment_rows(environment_report(), widgets_ok=True)
    items = [r[0] for r in rows]
    assert {"Python", "TensorFlow", "Keras", "ipywidgets", "CPU cores", "RAM"} <= set(items)
    assert "Data: mnist" in items and "Data: imdb" in items
    assert dict((r[0], r[2]) for r in rows)["Keras"] == "ok"
    assert "widgets will not display" in [
        r[2] for r in welcome.environment_rows(environment_report(), False)
    ]


def test_digit_card_describes_the_image():
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[1, :14] = 255
    card = welcome.digit_card(images, np.array([4, 7, 1]), 1)
    assert card["label"] == 7 and card["ink"] == pytest.approx(0.5) and "label 7" in card["title"]


@pytest.mark.parametrize("index", [-1, 3, 1.0, True])
def test_digit_card_rejects_bad_index(index):
    with pytest.raises(ValueError, match="index must be an integer from 0 to 2"):
        welcome.digit_card(np.zeros((3, 28, 28)), np.zeros(3), index)


def test_first_model_shapes_and_validation():
    model = welcome.build_first_model(hidden_units=8)
    assert model.output_shape == (None, 10)
    assert model.count_params() == 28 * 28 * 8 + 8 + 8 * 10 + 10
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        welcome.build_first_model(num_classes=1)
    with pytest.raises(ValueError, match="hidden_units"):
        welcome.build_first_model(hidden_units=0)
