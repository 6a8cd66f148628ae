"""Tests of the widget plumbing (static rendering for headless runs)."""

from __future__ import annotations

import pytest

from course_utils import widgets


def test_static_rendering_when_headless(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    calls = []
    widgets.show("a widget", static=lambda: calls.append("drawn") or "state text")
    assert calls == ["drawn"]
    out = capsys.readouterr().out  # the picture, not the widget (whose repr a notebook would store)
    assert "a widget" not in out and "state text" in out and "Static picture" in out


def test_plain_python_process_counts_as_headless(monkeypatch):
    monkeypatch.delenv("COURSE_STATIC_WIDGETS", raising=False)
    assert widgets.static_rendering_wanted()  # pytest runs no Jupyter kernel


def test_static_must_be_callable():
    with pytest.raises(TypeError, match="no-argument callable"):
        widgets.show("w", static="not callable")


# --------------------------------------------------------------------------- notebook 01
def test_compute_calculator_wires_the_inputs_to_the_functions(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    calls = []

    def estimate(num_parameters, num_tokens, **inputs):
        calls.append((num_parameters, num_tokens, inputs))
        return num_parameters * num_tokens

    widgets.compute_calculator(estimate, lambda result: f"result {result:.3g}")
    assert "result 7e+21" in capsys.readouterr().out
    assert calls[-1][2]["peak_flops_per_second"] == 400e12  # TFLOP/s slider -> FLOP/s
    assert calls[-1][2]["num_gpus"] == 64


def test_occlusion_explorer_wires_four_sliders_and_draws_the_start(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    calls = []

    def draw(index, row, col, size):
        calls.append((index, row, col, size))
        return plt.figure()

    panel = widgets.occlusion_explorer(draw, num_images=5, image_size=12, index=3)
    sliders = [child for box in panel.children[:2] for child in box.children]
    assert [s.description for s in sliders] == ["image", "square row", "square col", "square size"]
    assert [s.max for s in sliders] == [4, 11, 11, 6]
    assert calls == [(3, 4, 4, 3)]  # only the static view: a square over the middle, drawn once
    sliders[3].value = 4  # moving a slider redraws
    assert calls[-1] == (3, 4, 4, 4)
    with pytest.raises(ValueError, match="index"):
        widgets.occlusion_explorer(draw, num_images=5, index=5)
    with pytest.raises(TypeError, match="draw"):
        widgets.occlusion_explorer("draw", num_images=5)


# --------------------------------------------------------------------------- notebook 06
def test_text_explorer_renders_the_start_text_and_every_change(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    seen = []
    explorer = widgets.text_explorer(lambda text: seen.append(text) or text.upper(), "hello")
    assert seen == ["hello"] and "HELLO" in capsys.readouterr().out  # the static rendering
    box = explorer.children[0]
    box.value = "free money"
    assert seen == ["hello", "free money"] and box.value == "free money"


# --------------------------------------------------------------------------- notebook 07
def test_latent_walk_redraws_for_the_slider_and_the_path(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    open_before = set(plt.get_fignums())
    calls = []

    def draw(t, path):
        calls.append((t, path))
        return plt.figure()

    walk = widgets.latent_walk(draw, static=lambda: plt.figure())
    slider, choice, _ = walk.children
    assert calls == []  # headless: only the static view, from static()
    slider.value = 1.0
    choice.value = "slerp"
    assert calls == [(1.0, "linear"), (1.0, "slerp")]
    assert set(plt.get_fignums()) <= open_before  # every figure is closed after drawing


# --------------------------------------------------------------------------- notebook 08
def test_threshold_widget_redraws_on_every_change_and_prints_value_errors(monkeypatch, capsys):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    calls = []

    def draw(threshold, cost_fp, cost_fn):
        calls.append((threshold, cost_fp, cost_fn))
        if cost_fp == cost_fn == 0:
            raise ValueError("costs must not both be 0")
        return plt.figure()

    panel = widgets.threshold_widget(draw, threshold=0.4, cost_fp=5.0, cost_fn=1.0)
    slider, fp_box, fn_box = panel.children[0].children
    assert [c.description for c in (slider, fp_box, fn_box)] == ["threshold", "cost FP", "cost FN"]
    assert calls == [(0.4, 5.0, 1.0)]  # headless: the static view only, drawn once
    slider.value = 0.7
    assert calls[-1] == (0.7, 5.0, 1.0)
    fp_box.value, fn_box.value = 0.0, 0.0
    assert calls[-1] == (0.7, 0.0, 0.0)
    assert "ValueError: costs must not both be 0" in capsys.readouterr().out
    with pytest.raises(TypeError, match="draw"):
        widgets.threshold_widget("draw")
    plt.close("all")


# --------------------------------------------------------------------------- notebook 00
def test_digit_card_describes_the_image():
    import numpy as np

    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[1, :14] = 255
    card = widgets.digit_card(images, np.array([4, 7, 1]), 1)
    assert card["label"] == 7 and card["ink"] == pytest.approx(0.5) and "label 7" in card["title"]


@pytest.mark.parametrize("index", [-1, 3, 1.0, True])
def test_digit_card_rejects_bad_index(index):
    import numpy as np

    with pytest.raises(ValueError, match="index must be an integer from 0 to 2"):
        widgets.digit_card(np.zeros((3, 28, 28)), np.zeros(3), index)


def test_live_widgets_draw_their_start_and_show_no_static_copy(monkeypatch, capsys):
    """In JupyterLab (not headless) the widget is shown, drawn at once (issue 17: the spam
    detector showed no chart until its text was edited), and no static copy is added."""
    monkeypatch.setattr(widgets, "static_rendering_wanted", lambda: False)
    shown = []
    monkeypatch.setattr(widgets, "display", shown.append)
    seen = []
    explorer = widgets.text_explorer(lambda text: seen.append(text), "free money")
    assert seen == ["free money"]  # drawn once, into the live output
    assert shown[-1] is explorer and "Static picture" not in capsys.readouterr().out
    explorer.children[0].value = "hello"
    assert seen == ["free money", "hello"]
