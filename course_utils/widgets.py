"""Widget plumbing: the logic lives in pure functions, widgets only wire them up.

Headless runs (``COURSE_STATIC_WIDGETS=1`` in CI and ``make execute``, or no Jupyter front end)
show a static rendering of the widget's default view instead of the widget (:func:`show`), so a
stored notebook shows a picture, not a widget's raw repr. Every control has a description (its
accessible name) and a label wide enough for it (``_LABEL``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w
import numpy as np
from IPython import get_ipython
from IPython.display import display


def static_rendering_wanted() -> bool:
    """True when widgets cannot be seen live: headless runs (COURSE_STATIC_WIDGETS=1) or no kernel."""
    if os.environ.get("COURSE_STATIC_WIDGETS", "").strip() == "1":
        return True
    shell = get_ipython()
    return shell is None or type(shell).__name__ != "ZMQInteractiveShell"


_LABEL = {"description_width": "initial"}  # the whole label shows, never cut off


def show(widget: Any, static: Callable[[], Any] | None = None) -> None:
    """Display ``widget``; headless, a note and what ``static()`` displays or returns instead."""
    if static is not None and not callable(static):
        raise TypeError("static must be a no-argument callable (or None).")
    if not static_rendering_wanted():
        display(widget)
        return
    print("Static picture of the widget's default view: run this cell in Jupyter to use it.")
    result = static() if static is not None else None
    if result is not None:
        display(result)


def _display(result: Any) -> None:
    """Display what a draw function returned; close a matplotlib figure so it shows only once."""
    display(result)
    if type(result).__name__ == "Figure":
        import matplotlib.pyplot as plt

        plt.close(result)


def _live_output(render: Callable[[], Any], controls: Iterable[Any]) -> Any:
    """An ``ipywidgets.Output`` showing ``render()`` now and again whenever a control changes."""
    output = w.Output()

    def redraw(change: Any = None) -> None:
        with output:
            output.clear_output(wait=True)
            render()

    for control in controls:
        control.observe(redraw, names="value")
    if not static_rendering_wanted():  # headless runs draw the static view only
        redraw()
    return output


def digit_card(images: Any, labels: Any, index: int) -> dict[str, Any]:
    """``{"image", "label", "ink", "title"}`` of image ``index`` for notebook 00's digit browser.

    ``ink`` is the share of pixels brighter than 127.
    """
    if len(images) != len(labels):
        raise ValueError(f"images and labels differ in length ({len(images)} vs {len(labels)}).")
    integer = isinstance(index, int | np.integer) and not isinstance(index, bool)
    if not integer or not 0 <= index < len(images):
        raise ValueError(f"index must be an integer from 0 to {len(images) - 1}, got {index!r}.")
    image, label = images[index], int(labels[index])
    ink = float((image > 127).mean())
    title = f"#{index}: label {label}, ink {ink:.0%}"
    return {"image": image, "label": label, "ink": ink, "title": title}


def compute_calculator(estimate: Callable[..., Any], describe: Callable[[Any], str]) -> None:
    """Sliders for a training run's inputs that print ``describe(estimate(...))`` (notebook 01).

    ``estimate`` is notebook 01's ``estimate_training``, ``describe`` its ``format_estimate``.
    """
    sizes = [(f"{n:g}{unit}", n * scale) for scale, unit in ((1e6, "M"), (1e9, "B"), (1e12, "T"))
             for n in (1, 1.3, 3, 7, 13, 30, 70, 175, 405)][3:-6]  # fmt: skip
    controls = {  # the model sizes include 7B, the lesson's example
        "num_parameters": w.SelectionSlider(options=sizes, value=7e9, description="parameters"),
        "num_tokens": w.FloatLogSlider(value=1e12, min=6, max=13, description="tokens"),
        "peak_tflops": w.BoundedFloatText(value=400, min=1, max=1e5, description="peak TFLOP/s"),
        "utilization": w.FloatSlider(
            value=0.4, min=0.05, max=1.0, step=0.05, description="utilisation"
        ),
        "price_per_gpu_hour": w.BoundedFloatText(value=2.5, max=1e4, description="price per hour"),
        "num_gpus": w.IntSlider(value=64, min=1, max=1024, description="accelerators"),
        "dtype": w.Dropdown(options=["bfloat16", "float32"], value="bfloat16", description="dtype"),
    }
    for control in controls.values():
        control.style = _LABEL

    def text(num_parameters: float, num_tokens: float, peak_tflops: float, **inputs: Any) -> str:
        flops = peak_tflops * 1e12  # the box is in TFLOP/s
        return describe(estimate(num_parameters, num_tokens, peak_flops_per_second=flops, **inputs))

    calculator = w.interactive(lambda **inputs: print(text(**inputs)), **controls)
    defaults = {name: control.value for name, control in controls.items()}
    show(calculator, static=lambda: print(text(**defaults)))


def occlusion_explorer(
    draw: Callable[..., Any], *, num_images: int, image_size: int = 28, index: int = 0
) -> Any:
    """Sliders that pick an image and a black square hiding part of it, wired to ``draw`` (notebook 05).

    ``draw(index=..., row=..., col=..., size=...)`` hides the ``size`` x ``size`` square at
    ``(row, col)`` of image ``index`` and returns a figure. The square starts over the middle of
    the image, a quarter of its side wide. Returns the displayed ``VBox``.
    """
    if not callable(draw):
        raise TypeError("draw must be a function draw(index, row, col, size) returning a figure.")
    if not 0 <= index < num_images:
        raise ValueError(f"index must be in [0, {num_images}), got {index}.")
    last_pixel, size = image_size - 1, image_size // 4
    middle = (image_size - size) // 2
    sliders = {
        "index": w.IntSlider(value=index, min=0, max=num_images - 1, description="image"),
        "row": w.IntSlider(value=middle, max=last_pixel, description="square row"),
        "col": w.IntSlider(value=middle, max=last_pixel, description="square col"),
        "size": w.IntSlider(value=size, min=0, max=image_size // 2, description="square size"),
    }
    for slider in sliders.values():
        slider.style = _LABEL

    def render() -> None:
        _display(draw(**{name: slider.value for name, slider in sliders.items()}))

    rows = [w.HBox([sliders["index"], sliders["row"]]), w.HBox([sliders["col"], sliders["size"]])]
    panel = w.VBox([*rows, _live_output(render, sliders.values())])
    show(panel, static=render)
    return panel


def text_explorer(
    render: Callable[[str], Any], value: str, *, height: str = "70px", description: str = "message"
) -> Any:
    """A text box starting at ``value`` showing ``render(text)`` below, now and after each edit.

    ``render`` returns something displayable (a figure is closed after drawing); headless runs
    show ``render(value)`` (notebook 06). Returns the ``VBox`` holding the box and its output.
    """
    layout = w.Layout(width="95%", height=height)
    box = w.Textarea(value=value, continuous_update=False, layout=layout, description=description)
    explorer = w.VBox([box, _live_output(lambda: _display(render(box.value)), [box])])
    show(explorer, static=lambda: _display(render(value)))
    return explorer


def latent_walk(
    draw: Callable[[float, str], Any],
    *,
    paths: tuple[str, ...] = ("linear", "slerp"),
    static: Callable[[], Any] | None = None,
) -> Any:
    """A slider t from 0 to 1 and a choice of path; shows ``draw(t, path)`` below (notebook 07).

    ``static()`` is what headless runs show (default: ``draw(0.5, paths[0])``). Returns the
    ``VBox`` holding the controls and the output.
    """
    slider = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1, description="t")
    choice = w.ToggleButtons(options=list(paths), description="path", style=_LABEL)
    output = _live_output(lambda: _display(draw(slider.value, choice.value)), [slider, choice])
    walk = w.VBox([slider, choice, output])
    show(walk, static=lambda: _display(static() if static else draw(slider.value, choice.value)))
    return walk


def threshold_widget(
    draw: Callable[[float, float, float], Any],
    *,
    threshold: float = 0.5,
    cost_fp: float = 1.0,
    cost_fn: float = 1.0,
) -> Any:
    """A threshold slider and two cost boxes; shows ``draw(threshold, cost_fp, cost_fn)`` (notebook 08).

    ``draw`` returns a figure; a ``ValueError`` it raises (e.g. both costs 0) is shown as text
    instead of a traceback. The keywords are the controls' starting values. Returns the ``VBox``.
    """
    if not callable(draw):
        raise TypeError("draw must be a function draw(threshold, cost_fp, cost_fn) -> figure.")
    slider = w.FloatSlider(value=threshold, max=1.0, step=0.01, description="threshold")
    slider.continuous_update = False  # redraw when the slider is released, not while dragging
    fp_box = w.BoundedFloatText(value=cost_fp, min=0.0, max=1e6, description="cost FP")
    fn_box = w.BoundedFloatText(value=cost_fn, min=0.0, max=1e6, description="cost FN")
    slider.style = fp_box.style = fn_box.style = _LABEL

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


def decoding_explorer(generate: Callable[..., str]) -> Any:
    """A decoding rule, its settings and a seed; prints ``generate(rule, temperature, k, p, seed)``
    (notebook 09). Headless runs print every rule's text at the default settings."""
    if not callable(generate):
        raise TypeError("generate must be a function (rule, temperature, k, p, seed) -> str.")
    rules, f = ("greedy", "temperature", "top_k", "top_p"), {"style": _LABEL}
    controls = [w.ToggleButtons(options=rules, value="top_p", description="rule", **f),
                w.FloatSlider(value=0.8, min=0.1, max=2, step=0.1, description="temperature", **f),
                w.IntSlider(value=10, min=1, max=100, description="top-k k", **f),
                w.FloatSlider(value=0.9, min=0.05, max=1, step=0.05, description="top-p p", **f),
                w.IntText(value=0, description="seed", **f)]  # fmt: skip
    uses = {"greedy": (), "temperature": (1, 4), "top_k": (1, 2, 4), "top_p": (1, 3, 4)}

    def hide_unused(change: Any = None) -> None:  # only the settings the rule reads are shown
        for i, control in enumerate(controls[1:], 1):
            control.layout.display = None if i in uses[controls[0].value] else "none"

    controls[0].observe(hide_unused, names="value")
    hide_unused()

    def every_rule() -> None:
        for rule in rules:
            print(f"{rule:12s}", generate(rule, *[c.value for c in controls[1:]]))

    render = lambda: print(generate(*[c.value for c in controls]))  # noqa: E731
    show(panel := w.VBox([*controls, _live_output(render, controls)]), static=every_rule)
    return panel
