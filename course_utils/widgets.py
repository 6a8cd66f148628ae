"""Widget plumbing: the logic lives in pure functions, widgets only wire them up.

A live widget needs a Jupyter front end. Where there is none (nbval in CI, ``make execute``,
the benchmarks, or a plain Python process), :func:`show` also displays a static rendering of the
widget's current state, so the stored notebook on GitHub/nbviewer and a CI run show a sensible
result. Those headless runners set ``COURSE_STATIC_WIDGETS=1``; in JupyterLab you see only the
live widget.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any


def static_rendering_wanted() -> bool:
    """True when widgets cannot be seen live: headless runs (COURSE_STATIC_WIDGETS=1) or no kernel."""
    if os.environ.get("COURSE_STATIC_WIDGETS", "").strip() == "1":
        return True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the course
        return True
    shell = get_ipython()
    return shell is None or type(shell).__name__ != "ZMQInteractiveShell"


def show(widget: Any, static: Callable[[], Any] | None = None) -> None:
    """Display ``widget``, plus a static rendering from ``static()`` when running headless.

    Args:
        widget: any ipywidgets widget.
        static: a no-argument callable that displays (or returns something displayable for)
            the widget's current state, e.g. draws the figure for its default values.

    Raises:
        TypeError: ``static`` is given but not callable.
    """
    from IPython.display import display

    if static is not None and not callable(static):
        raise TypeError("static must be a no-argument callable (or None).")
    display(widget)
    if static is not None and static_rendering_wanted():
        result = static()
        if result is not None:
            display(result)


def _display(result: Any) -> None:
    """Display what a draw function returned; close a matplotlib figure so it shows only once."""
    from IPython.display import display

    display(result)
    if type(result).__name__ == "Figure":
        import matplotlib.pyplot as plt

        plt.close(result)


def _live_output(render: Callable[[], Any], controls: Iterable[Any]) -> Any:
    """An ``ipywidgets.Output`` showing ``render()`` now and again whenever a control changes."""
    import ipywidgets

    output = ipywidgets.Output()

    def redraw(change: Any = None) -> None:
        with output:
            output.clear_output(wait=True)
            render()

    for control in controls:
        control.observe(redraw, names="value")
    redraw()
    return output


# --------------------------------------------------------------------------- notebook 00
def digit_card(images: Any, labels: Any, index: int) -> dict[str, Any]:
    """Describe image ``index`` for the digit-browser slider of notebook 00.

    Returns:
        ``{"image", "label", "ink", "title"}``; ``ink`` is the share of pixels brighter than 127.

    Raises:
        ValueError: ``index`` is not an integer in range, or images and labels differ in length.
    """
    import numpy as np

    if len(images) != len(labels):
        raise ValueError(f"images and labels differ in length ({len(images)} vs {len(labels)}).")
    integer = isinstance(index, int | np.integer) and not isinstance(index, bool)
    if not integer or not 0 <= index < len(images):
        raise ValueError(f"index must be an integer from 0 to {len(images) - 1}, got {index!r}.")
    image, label = images[index], int(labels[index])
    ink = float((image > 127).mean())
    title = f"#{index}: label {label}, ink {ink:.0%}"
    return {"image": image, "label": label, "ink": ink, "title": title}


# --------------------------------------------------------------------------- notebook 01
def compute_calculator(estimate: Callable[..., Any], describe: Callable[[Any], str]) -> None:
    """Sliders for a training run's inputs that print ``describe(estimate(...))`` (notebook 01).

    Args:
        estimate: ``estimate(num_parameters, num_tokens, *, peak_flops_per_second, utilization,
            price_per_gpu_hour, num_gpus, dtype)``, such as notebook 01's ``estimate_training``.
        describe: turns its result into text, such as ``format_estimate``.
    """
    import ipywidgets as w

    controls = {
        "num_parameters": w.FloatLogSlider(
            value=7e9, base=10, min=6, max=12, description="parameters"
        ),
        "num_tokens": w.FloatLogSlider(value=1e12, base=10, min=6, max=13, description="tokens"),
        "peak_tflops": w.FloatText(value=400, description="peak TFLOP/s"),
        "utilization": w.FloatSlider(
            value=0.4, min=0.05, max=1.0, step=0.05, description="utilisation"
        ),
        "price_per_gpu_hour": w.FloatText(value=2.5, description="price/hour"),
        "num_gpus": w.IntSlider(value=64, min=1, max=1024, description="accelerators"),
        "dtype": w.Dropdown(options=["bfloat16", "float32"], value="bfloat16", description="dtype"),
    }

    def text(num_parameters: float, num_tokens: float, peak_tflops: float, **inputs: Any) -> str:
        flops = peak_tflops * 1e12  # the box is in TFLOP/s
        return describe(estimate(num_parameters, num_tokens, peak_flops_per_second=flops, **inputs))

    calculator = w.interactive(lambda **inputs: print(text(**inputs)), **controls)
    defaults = {name: control.value for name, control in controls.items()}
    show(calculator, static=lambda: print("Static view (default inputs):\n" + text(**defaults)))


# --------------------------------------------------------------------------- notebook 03
def occlusion_explorer(
    draw: Callable[..., Any], *, num_images: int, image_size: int = 28, index: int = 0
) -> Any:
    """Sliders that pick an image and a black square hiding part of it, wired to ``draw`` (notebook 03).

    The lesson logic stays in the notebook: ``draw(index=..., row=..., col=..., size=...)``
    hides the ``size`` x ``size`` square whose top-left corner is ``(row, col)`` in image
    ``index`` (of ``num_images`` square images of ``image_size`` pixels; ``index`` is the one
    shown first) and returns a matplotlib figure of the prediction.

    Returns:
        The displayed ``ipywidgets.VBox`` (shown with a static rendering when headless).

    Raises:
        TypeError: ``draw`` is not callable.
        ValueError: ``index`` is not in ``[0, num_images)``.
    """
    import ipywidgets as w

    if not callable(draw):
        raise TypeError("draw must be a function draw(index, row, col, size) returning a figure.")
    if not 0 <= index < num_images:
        raise ValueError(f"index must be in [0, {num_images}), got {index}.")
    last_pixel = image_size - 1
    sliders = {
        "index": w.IntSlider(value=index, min=0, max=num_images - 1, description="image"),
        "row": w.IntSlider(value=0, min=0, max=last_pixel, description="square row"),
        "col": w.IntSlider(value=0, min=0, max=last_pixel, description="square col"),
        "size": w.IntSlider(value=0, min=0, max=image_size // 2, description="square size"),
    }

    def render() -> None:
        _display(draw(**{name: slider.value for name, slider in sliders.items()}))

    rows = [w.HBox([sliders["index"], sliders["row"]]), w.HBox([sliders["col"], sliders["size"]])]
    panel = w.VBox([*rows, _live_output(render, sliders.values())])
    show(panel, static=render)
    return panel


# --------------------------------------------------------------------------- notebook 04
def text_explorer(render: Callable[[str], Any], value: str, *, height: str = "70px") -> Any:
    """A text box; whenever its text changes, ``render(text)`` is shown below it (notebook 04).

    Args:
        render: text -> something displayable, e.g. a matplotlib figure (closed after drawing,
            so it is not shown twice).
        value: the text the box starts with; headless runs show ``render(value)``.
        height: CSS height of the box.

    Returns:
        The ``ipywidgets.VBox`` holding the box and its output.
    """
    import ipywidgets as w

    layout = w.Layout(width="95%", height=height)
    box = w.Textarea(value=value, continuous_update=False, layout=layout)
    output = w.Output()

    def on_change(change: dict) -> None:
        with output:
            output.clear_output(wait=True)
            _display(render(change["new"]))

    box.observe(on_change, names="value")
    explorer = w.VBox([box, output])
    show(explorer, static=lambda: _display(render(value)))
    return explorer


# --------------------------------------------------------------------------- notebook 05
def latent_walk(
    draw: Callable[[float, str], Any],
    *,
    paths: tuple[str, ...] = ("linear", "slerp"),
    static: Callable[[], Any] | None = None,
) -> Any:
    """A slider t from 0 to 1 and a choice of path; shows ``draw(t, path)`` below (notebook 05).

    Args:
        draw: ``(t, path) -> figure``, e.g. the digit at position t of a path in latent space
            (closed after drawing, so it is not shown twice).
        paths: the path names to choose from.
        static: what headless runs show (default: ``draw(0.5, paths[0])``), e.g. all steps at once.

    Returns:
        The ``ipywidgets.VBox`` holding the controls and the output.
    """
    import ipywidgets as w

    slider = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1, description="t")
    choice = w.ToggleButtons(options=list(paths), description="path")
    output = _live_output(lambda: _display(draw(slider.value, choice.value)), [slider, choice])
    walk = w.VBox([slider, choice, output])
    show(walk, static=lambda: _display(static() if static else draw(slider.value, choice.value)))
    return walk


# --------------------------------------------------------------------------- notebook 06
def threshold_widget(
    draw: Callable[[float, float, float], Any],
    *,
    threshold: float = 0.5,
    cost_fp: float = 1.0,
    cost_fn: float = 1.0,
) -> Any:
    """A threshold slider and two cost boxes; shows ``draw(threshold, cost_fp, cost_fn)`` (notebook 06).

    The lesson logic stays in the notebook: ``draw`` computes the report at one threshold, may
    print it, and returns a matplotlib figure (closed after drawing, so it is not shown twice).
    A ``ValueError`` it raises (e.g. both costs 0) is shown as text instead of a traceback.
    ``threshold``, ``cost_fp`` and ``cost_fn`` are the controls' starting values.

    Returns:
        The displayed ``ipywidgets.VBox`` (shown with a static rendering when headless).

    Raises:
        TypeError: ``draw`` is not callable.
    """
    import ipywidgets as w

    if not callable(draw):
        raise TypeError(
            "draw must be a function draw(threshold, cost_fp, cost_fn) returning a figure."
        )
    slider = w.FloatSlider(
        value=threshold, min=0.0, max=1.0, step=0.01, description="threshold", readout_format=".2f"
    )
    slider.continuous_update = False  # redraw when the slider is released, not while dragging
    fp_box = w.BoundedFloatText(value=cost_fp, min=0.0, max=1e6, description="cost FP")
    fn_box = w.BoundedFloatText(value=cost_fn, min=0.0, max=1e6, description="cost FN")

    def render() -> None:
        try:
            figure = draw(slider.value, fp_box.value, fn_box.value)
        except ValueError as error:
            print(f"ValueError: {error}")
            return
        _display(figure)

    controls = [slider, fp_box, fn_box]
    panel = w.VBox([w.HBox(controls), _live_output(render, controls)])
    show(panel, static=render)
    return panel
