"""Widget plumbing: the logic lives in pure functions, widgets only wire them up.

A live widget needs a Jupyter front end. Where there is none (nbval in CI, ``make execute``,
the benchmarks, or a plain Python process), :func:`show` also displays a static rendering of the
widget's current state, so the stored notebook on GitHub/nbviewer and a CI run show a sensible
result. Those headless runners set ``COURSE_STATIC_WIDGETS=1``; in JupyterLab you see only the
live widget.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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


# --------------------------------------------------------------------------- notebook 01
def compute_calculator(estimate: Callable[..., Any], describe: Callable[[Any], str]) -> None:
    """Sliders for a training run's inputs that print ``describe(estimate(...))`` (notebook 01).

    Args:
        estimate: ``estimate(num_parameters, num_tokens, *, peak_flops_per_second, utilization,
            price_per_gpu_hour, num_gpus, dtype)``, such as notebook 01's ``estimate_training``.
        describe: turns its result into text, such as ``format_estimate``.
    """
    import ipywidgets

    def text(num_parameters, num_tokens, peak_tflops, utilization, price, num_gpus, dtype):
        result = estimate(
            num_parameters,
            num_tokens,
            peak_flops_per_second=peak_tflops * 1e12,
            utilization=utilization,
            price_per_gpu_hour=price,
            num_gpus=num_gpus,
            dtype=dtype,
        )
        return describe(result)

    defaults = dict(
        num_parameters=7e9,
        num_tokens=1e12,
        peak_tflops=400.0,
        utilization=0.4,
        price=2.5,
        num_gpus=64,
        dtype="bfloat16",
    )
    calculator = ipywidgets.interactive(
        lambda **inputs: print(text(**inputs)),
        num_parameters=ipywidgets.FloatLogSlider(
            value=7e9, base=10, min=6, max=12, description="parameters"
        ),
        num_tokens=ipywidgets.FloatLogSlider(
            value=1e12, base=10, min=6, max=13, description="tokens"
        ),
        peak_tflops=ipywidgets.FloatText(value=400, description="peak TFLOP/s"),
        utilization=ipywidgets.FloatSlider(
            value=0.4, min=0.05, max=1.0, step=0.05, description="utilisation"
        ),
        price=ipywidgets.FloatText(value=2.5, description="price/hour"),
        num_gpus=ipywidgets.IntSlider(value=64, min=1, max=1024, description="accelerators"),
        dtype=ipywidgets.Dropdown(
            options=["bfloat16", "float32"], value="bfloat16", description="dtype"
        ),
    )
    show(calculator, static=lambda: print("Static view (default inputs):\n" + text(**defaults)))


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
    import ipywidgets
    from IPython.display import display

    def shown(text: str) -> Any:
        result = render(text)
        if type(result).__name__ == "Figure":
            import matplotlib.pyplot as plt

            plt.close(result)
        return result

    box = ipywidgets.Textarea(
        value=value,
        continuous_update=False,
        layout=ipywidgets.Layout(width="95%", height=height),
    )
    output = ipywidgets.Output()

    def on_change(change: dict) -> None:
        with output:
            output.clear_output(wait=True)
            display(shown(change["new"]))

    box.observe(on_change, names="value")
    explorer = ipywidgets.VBox([box, output])
    show(explorer, static=lambda: shown(value))
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
    import ipywidgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    def closed(figure: Any) -> Any:
        plt.close(figure)
        return figure

    slider = ipywidgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1, description="t")
    choice = ipywidgets.ToggleButtons(options=list(paths), description="path")
    output = ipywidgets.Output()

    def redraw(change: dict | None = None) -> None:
        with output:
            output.clear_output(wait=True)
            display(closed(draw(slider.value, choice.value)))

    slider.observe(redraw, names="value")
    choice.observe(redraw, names="value")
    redraw()
    walk = ipywidgets.VBox([slider, choice, output])
    show(walk, static=lambda: closed(static() if static else draw(slider.value, choice.value)))
    return walk


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
    if (
        isinstance(index, bool)
        or not isinstance(index, int | np.integer)
        or not 0 <= index < len(images)
    ):
        raise ValueError(f"index must be an integer from 0 to {len(images) - 1}, got {index!r}.")
    image, label = images[index], int(labels[index])
    ink = float((image > 127).mean())
    return {
        "image": image,
        "label": label,
        "ink": ink,
        "title": f"#{index}: label {label}, ink {ink:.0%}",
    }


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

    Args:
        draw: the function drawing one setting.
        threshold: the slider's start, in [0, 1].
        cost_fp: the starting cost of a false positive.
        cost_fn: the starting cost of a false negative.

    Returns:
        The displayed ``ipywidgets.VBox`` (shown with a static rendering when headless).

    Raises:
        TypeError: ``draw`` is not callable.
    """
    import ipywidgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not callable(draw):
        raise TypeError(
            "draw must be a function draw(threshold, cost_fp, cost_fn) returning a figure."
        )
    slider = ipywidgets.FloatSlider(
        value=threshold,
        min=0.0,
        max=1.0,
        step=0.01,
        description="threshold",
        continuous_update=False,
        readout_format=".2f",
    )
    fp_box = ipywidgets.BoundedFloatText(value=cost_fp, min=0.0, max=1e6, description="cost FP")
    fn_box = ipywidgets.BoundedFloatText(value=cost_fn, min=0.0, max=1e6, description="cost FN")
    output = ipywidgets.Output()

    def render() -> None:
        try:
            figure = draw(slider.value, fp_box.value, fn_box.value)
        except ValueError as error:
            print(f"ValueError: {error}")
            return
        display(figure)
        plt.close(figure)

    def redraw(change: dict | None = None) -> None:
        with output:
            output.clear_output(wait=True)
            render()

    for control in (slider, fp_box, fn_box):
        control.observe(redraw, names="value")
    redraw()
    panel = ipywidgets.VBox([ipywidgets.HBox([slider, fp_box, fn_box]), output])
    show(panel, static=render)
    return panel


def occlusion_explorer(
    draw: Callable[..., Any], *, num_images: int, image_size: int = 28, index: int = 0
) -> Any:
    """Sliders that pick an image and a black square hiding part of it, wired to ``draw``.

    The lesson logic stays in the notebook: ``draw(index=..., row=..., col=..., size=...)``
    hides the ``size`` x ``size`` square whose top-left corner is ``(row, col)`` in image
    ``index`` and returns a matplotlib figure of the prediction. This function only builds
    the sliders and redraws on every change (notebook 03).

    Args:
        draw: the function drawing one setting.
        num_images: number of images to choose from (the image slider goes to ``num_images - 1``).
        image_size: side of the square images in pixels.
        index: the image shown first.

    Returns:
        The displayed ``ipywidgets.VBox`` (shown with a static rendering when headless).

    Raises:
        TypeError: ``draw`` is not callable.
        ValueError: ``index`` is not in ``[0, num_images)``.
    """
    import ipywidgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    if not callable(draw):
        raise TypeError("draw must be a function draw(index, row, col, size) returning a figure.")
    if not 0 <= index < num_images:
        raise ValueError(f"index must be in [0, {num_images}), got {index}.")
    last_pixel, largest_square = image_size - 1, image_size // 2
    sliders = {
        "index": ipywidgets.IntSlider(value=index, min=0, max=num_images - 1, description="image"),
        "row": ipywidgets.IntSlider(value=0, min=0, max=last_pixel, description="square row"),
        "col": ipywidgets.IntSlider(value=0, min=0, max=last_pixel, description="square col"),
        "size": ipywidgets.IntSlider(value=0, min=0, max=largest_square, description="square size"),
    }

    def render(**settings: int) -> None:
        figure = draw(**settings)
        display(figure)
        plt.close(figure)

    output = ipywidgets.interactive_output(render, sliders)
    panel = ipywidgets.VBox(
        [
            ipywidgets.HBox([sliders["index"], sliders["row"]]),
            ipywidgets.HBox([sliders["col"], sliders["size"]]),
            output,
        ]
    )
    show(panel, static=lambda: render(**{name: s.value for name, s in sliders.items()}))
    return panel
