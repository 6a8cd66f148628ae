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
