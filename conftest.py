"""nbval made strict for this course: pytest loads this file for the notebooks and the unit tests.

nbval runs every notebook cell and fails on an unexpected exception. Two mistakes slip past it:

* a cell tagged ``raises-exception`` (a seed bug the lesson shows failing) that no longer raises:
  nbval only *allows* the exception, so the lesson would explain an error the learner never sees;
* a hidden solution (a cell tagged ``solution``) that no longer passes its check: the checks print
  a hint instead of raising, so that the learner's notebook keeps running.

After each notebook cell runs, :func:`pytest_runtest_call` fails the first kind when its outputs hold
no error, and the second unless its outputs say ``✅ correct`` and no hint or "not attempted".
"""

from __future__ import annotations

import pytest

from course_utils.checks import CORRECT, HINT, NOT_ATTEMPTED


def cell_problem(tags: set[str], outputs: list[dict]) -> str | None:
    """What is wrong with a notebook cell's run, given its tags and its fresh outputs; None if fine."""
    if "raises-exception" in tags and not any(o.get("output_type") == "error" for o in outputs):
        return (
            "this cell is tagged raises-exception but raised nothing: make it show the error "
            "again, or remove the tag and the prose that explains the error"
        )
    if "solution" in tags:
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        if CORRECT not in text or HINT in text or NOT_ATTEMPTED in text:
            shown = text.strip().splitlines()[-3:] or ["(no output)"]
            return (
                f"this solution cell must end with its check printing {CORRECT!r}; it printed: "
                + " | ".join(shown)
            )
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield  # nbval runs the cell; its own failures propagate unchanged
    cell, outputs = getattr(item, "cell", None), getattr(item, "test_outputs", None)
    if type(item).__name__ == "IPyNbCell" and cell is not None and outputs is not None:
        problem = cell_problem(set(cell.get("metadata", {}).get("tags", [])), outputs)
        if problem:
            pytest.fail(f"{item.name}: {problem}", pytrace=False)
    return result
