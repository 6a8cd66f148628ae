"""Widget plumbing: the logic lives in pure functions, widgets only wire them up.

Under nbval or any run without a front end, widgets cannot be seen. :func:`show` therefore
displays the widget *and* a static rendering of its current state, so a stored notebook and a
CI run show a sensible result too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def front_end_present() -> bool:
    """Best guess whether a live Jupyter front end can render widgets (False under nbval/nbclient)."""
    import os

    if os.environ.get("COURSE_STATIC_WIDGETS", "").strip() == "1":
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return False
    # nbclient/nbval run kernels too; they set no comm target for widgets, but there is no
    # reliable test for that, so we always add the static rendering as well (see show()).
    return True


def show(widget: Any, static: Callable[[], Any] | None = None) -> None:
    """Display ``widget`` and, below it, a static rendering from ``static()`` (if given).

    The static part is what nbval, nbviewer and GitHub show; in JupyterLab the live widget
    sits above it.

    Args:
        widget: any ipywidgets widget.
        static: a no-argument callable that displays or returns the current state
            (e.g. draws the figure for the widget's default values).
    """
    from IPython.display import display

    if static is not None and not callable(static):
        raise TypeError("static must be a no-argument callable (or None).")
    display(widget)
    if static is not None:
        result = static()
        if result is not None:
            display(result)
