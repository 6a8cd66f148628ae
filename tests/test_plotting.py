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


def test_image_grid_symmetric_centres_a_diverging_map_on_zero():
    images = np.stack([np.full((4, 4), -1.0), np.full((4, 4), 3.0)])
    fig = plotting.image_grid(images, columns=2, cmap="RdBu_r", symmetric=True)
    assert [ax.images[0].get_clim() for ax in fig.axes] == [(-3.0, 3.0), (-3.0, 3.0)]
    plain = plotting.image_grid(images, columns=2)
    assert plain.axes[0].images[0].get_clim() == (-1.0, -1.0)  # each image scaled on its own


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


# --------------------------------------------------------------------------- notebook 02
def test_privacy_utility_draws_measured_points_and_the_formula():
    fig = plotting.privacy_utility([0.1, 1.0], [0.02, 0.002], [0.021, 0.0021], draws=100)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and ax.get_xscale() == "log"
    assert np.allclose(ax.lines[0].get_ydata(), [2.0, 0.2])  # drawn in percentage points
    with pytest.raises(ValueError, match="one value per"):
        plotting.privacy_utility([0.1], [0.02, 0.01], [0.02], draws=10)


def test_importance_bars_keeps_the_top_features_largest_on_top():
    fig = plotting.importance_bars(
        ["a", "b", "c"], [0.1, 0.3, 0.2], [0, 0, 0], xlabel="drop", top=2
    )
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert labels == ["c", "b"]  # barh draws bottom-up: the largest ends on top
    with pytest.raises(ValueError, match="one value per"):
        plotting.importance_bars(["a"], [0.1, 0.2], [0, 0], xlabel="drop")


# --------------------------------------------------------------------------- notebook 01
def test_data_size_curve_is_log_scaled_and_checks_lengths():
    spread = ([0.7, 0.9], [0.9, 0.9])
    fig = plotting.data_size_curve([100, 1000], [0.8, 0.9], ylabel="F1", spread=spread)
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_ylabel() == "F1"
    with pytest.raises(ValueError, match="one per size"):
        plotting.data_size_curve([100], [0.8, 0.9])


# --------------------------------------------------------------------------- notebooks 04, 05 (CNN)
def test_conv_filters_one_panel_per_filter_and_rejects_other_ranks():
    fig = plotting.conv_filters(np.random.default_rng(0).normal(size=(3, 3, 2, 5)), columns=4)
    assert len(fig.axes) == 8 and len(fig.axes[4].images) == 1 and not fig.axes[5].images
    with pytest.raises(ValueError, match="kernel_height"):
        plotting.conv_filters(np.zeros((3, 3, 5)))


def test_feature_maps_one_row_per_layer():
    maps = {"conv1": np.zeros((28, 28, 4)), "relu2": np.zeros((7, 7, 2))}
    fig = plotting.feature_maps(maps, per_layer=3)
    assert len(fig.axes) == 6 and fig.axes[3].get_title(loc="left") == "relu2 7x7"
    assert not fig.axes[5].images  # relu2 has only 2 channels
    with pytest.raises(ValueError, match="empty"):
        plotting.feature_maps({})


def test_heatmaps_overlay_each_map_and_check_shapes():
    fig = plotting.heatmaps(np.zeros((2, 8, 8, 1)), np.ones((2, 8, 8)), ["a", "b"])
    assert len(fig.axes) == 4 and len(fig.axes[2].images) == 2  # row 2: image + map
    with pytest.raises(ValueError, match="same shape"):
        plotting.heatmaps(np.zeros((2, 8, 8)), np.zeros((2, 7, 7)))


def test_prediction_with_saliency_highlights_the_predicted_class():
    probabilities = np.array([0.1, 0.7, 0.2])
    fig = plotting.prediction_with_saliency(
        np.zeros((8, 8, 1)), probabilities, np.zeros((8, 8)), ["x", "y", "z"]
    )
    assert fig.axes[2].get_title() == "predicted y (70%)"
    with pytest.raises(ValueError, match="class names"):
        plotting.prediction_with_saliency(np.zeros((8, 8)), probabilities, np.zeros((8, 8)), ["x"])


# --------------------------------------------------------------------------- notebook 06
def test_length_histogram_marks_the_chosen_length_with_its_coverage():
    fig = plotting.length_histogram(np.array([10, 20, 30, 40]), chosen=25)
    assert "covers 50%" in " ".join(t.get_text() for t in fig.axes[0].texts)
    with pytest.raises(ValueError, match="non-empty"):
        plotting.length_histogram([])


def test_gradient_norms_draws_zeros_on_the_log_scale():
    fig = plotting.gradient_norms(
        {"a": [1.0, 0.0, 1e-3], "b": [1.0, 1.0, 1.0]}, title="t", xlabel="step", ylim=(1e-30, 1)
    )
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert ax.lines[0].get_ydata()[1] == 1e-30


def test_word_importance_bars_keep_the_largest_changes_largest_on_top():
    importances = [("FREE", 0.4), ("offer", 0.0), ("meeting", -0.05)]
    fig = plotting.word_importance_bars(0.45, importances, top=2, scale="probability")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["meeting", "FREE"]
    assert "ham" in fig.axes[0].get_title()


# --------------------------------------------------------------------------- notebook 07
def test_gan_figures_lay_out_their_panels():
    images = np.linspace(-1, 1, 30 * 28 * 28).reshape(30, 28, 28, 1)
    assert len(plotting.gan_samples(images, title="epoch 1").axes) == 30
    rows = {"linear": images[:9], "slerp": images[9:18]}
    assert len(plotting.gan_interpolation(rows).axes) == 18
    history = {"d_loss": [0.6, 0.65], "g_loss": [1.0, 0.9]}
    assert len(plotting.gan_training(history, [50.0, 30.0], baseline=2.0).axes) == 2
    assert len(plotting.gan_training(history).axes) == 1
    with pytest.raises(ValueError, match="d_loss"):
        plotting.gan_training({"loss": [1.0]})


def test_show_in_place_shows_nothing_outside_a_notebook():
    figure = plotting.gan_samples(np.zeros((2, 28, 28)))
    assert plotting.show_in_place(figure) is None


# --------------------------------------------------------------------------- notebook 08
def _curve(auc=0.9, ap=0.8):
    return {
        "fpr": np.array([0.0, 0.5, 1.0]),
        "tpr": np.array([0.0, 0.9, 1.0]),
        "roc_auc": auc,
        "precision": np.array([0.5, 0.9, 1.0]),
        "recall": np.array([1.0, 0.5, 0.0]),
        "average_precision": ap,
    }


def test_roc_pr_curves_draws_each_curve_with_its_area_in_the_legend():
    fig = plotting.roc_pr_curves({"a": _curve(), "b": _curve(0.7, 0.4)}, positive_rate=0.3)
    roc_ax, pr_ax = fig.axes
    assert len(roc_ax.lines) == 3  # two curves and the random diagonal
    labels = [text.get_text() for text in pr_ax.get_legend().get_texts()]
    assert labels == ["a (AP 0.800)", "b (AP 0.400)", "random (0.300)"]
    with pytest.raises(ValueError, match="lacks"):
        plotting.roc_pr_curves({"a": {"fpr": [0, 1]}})
    with pytest.raises(ValueError, match="empty"):
        plotting.roc_pr_curves({})
    plotting.plt.close("all")


def test_reliability_diagram_skips_empty_bins():
    bins = {
        "edges": np.linspace(0, 1, 4),
        "count": np.array([2, 0, 1]),
        "mean_predicted": np.array([0.1, np.nan, 0.9]),
        "fraction_positive": np.array([0.0, np.nan, 1.0]),
    }
    model = {"bins": bins, "probabilities": np.array([0.1, 0.1, 0.9]), "ece": 0.1}
    fig = plotting.reliability_diagram({"m": model})
    ax, hist_ax = fig.axes
    assert list(ax.lines[1].get_xdata()) == [0.1, 0.9]  # after the diagonal, two full bins
    assert "m (ECE 0.100)" in [text.get_text() for text in hist_ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="lacks"):
        plotting.reliability_diagram({"m": {"bins": bins}})
    plotting.plt.close("all")


def test_threshold_figure_marks_the_threshold_and_skips_an_infinite_best():
    report = {
        "threshold": 0.5,
        "cost_fp": 5.0,
        "cost_fn": 1.0,
        "tp": 8,
        "fp": 1,
        "fn": 2,
        "tn": 9,
        "precision": 8 / 9,
        "recall": 0.8,
        "f1": 16 / 19,
        "fpr": 0.1,
        "cost_per_example": 0.35,
        "best_threshold": 0.6,
        "best_cost_per_example": 0.3,
    }
    roc = (np.array([0.0, 0.1, 1.0]), np.array([0.0, 0.8, 1.0]))
    costs = (np.linspace(0, 1, 5), [0.5, 0.4, 0.35, 0.3, 0.5])
    fig = plotting.threshold_figure(report, roc, costs)
    matrix_ax, roc_ax, cost_ax = fig.axes
    assert [t.get_text() for t in matrix_ax.texts] == ["TN\n9", "FP\n1", "FN\n2", "TP\n8"]
    assert roc_ax.lines[-1].get_xydata().tolist() == [[0.1, 0.8]]  # the threshold's ROC point
    assert len(cost_ax.lines) == 3 and "FP 5, FN 1" in cost_ax.get_title()
    fig = plotting.threshold_figure({**report, "best_threshold": np.inf}, roc, costs)
    assert len(fig.axes[2].lines) == 2  # no star for "flag nothing"
    # A steep flag-everything end does not squash the rest: the y-axis stops near the cost of
    # flagging nothing (1 · 10 / 20 = 0.5) and of the marked thresholds.
    steep = (np.linspace(0, 1, 5), [3.6, 0.4, 0.35, 0.3, 0.5])
    fig = plotting.threshold_figure(report, roc, steep)
    assert fig.axes[2].get_ylim() == pytest.approx((0, 1.3 * 0.5))
    plotting.plt.close("all")


# --------------------------------------------------------------------------- notebook 03
def test_attention_weights_draws_one_heatmap_per_matrix_and_checks_shapes():
    weights = np.full((3, 3), 1 / 3)
    fig = plotting.attention_weights([weights, weights], ["a", "b"], ["x", "y", "z"])
    assert len(fig.axes) == 3  # two heatmaps and a colour bar
    fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["x", "y", "z"]
    assert fig.axes[1].get_yticklabels() == []  # query labels only once, left of both panels
    with pytest.raises(ValueError, match="titles"):
        plotting.attention_weights([weights], ["a", "b"], ["x", "y", "z"])
    with pytest.raises(ValueError, match="shape"):
        plotting.attention_weights([weights], ["a"], ["x", "y"])


def test_densities_and_discriminators_uses_a_twin_axis():
    x = np.linspace(-3, 3, 50)
    p = np.exp(-(x**2) / 2)
    fig = plotting.densities_and_discriminators(x, p, p, {"D*": np.full_like(x, 0.5)})
    assert len(fig.axes) == 2
