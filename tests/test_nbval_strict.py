"""The strict nbval hooks of the root conftest.py: a solution that fails its check, or a
raises-exception cell that stops raising, fails the notebook run."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.checks import CORRECT, HINT, NOT_ATTEMPTED

REPO = Path(__file__).resolve().parent.parent

_spec = importlib.util.spec_from_file_location("root_conftest", REPO / "conftest.py")
strict = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(strict)


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


ERROR = {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}


@pytest.mark.parametrize(
    ("tags", "outputs", "complaint"),
    [
        ({"raises-exception"}, [], "raised nothing"),
        ({"raises-exception"}, [_stream("fine\n")], "raised nothing"),
        ({"solution"}, [], "(no output)"),
        ({"solution"}, [_stream(f"{NOT_ATTEMPTED}: replace the placeholder\n")], "not attempted"),
        ({"solution"}, [_stream(f"{HINT}: recall divides by TP + FN\n")], "recall divides"),
        ({"solution"}, [_stream(f"{CORRECT}\n"), _stream(f"{HINT}: the second check\n")], "second"),
        ({"solution"}, [_stream("precision 0.769\n")], "precision 0.769"),
    ],
)
def test_cell_problem_names_what_is_wrong(tags, outputs, complaint):
    problem = strict.cell_problem(tags, outputs)
    assert problem is not None and complaint in problem


@pytest.mark.parametrize(
    ("tags", "outputs"),
    [
        ({"raises-exception"}, [_stream("before\n"), ERROR]),
        ({"solution"}, [_stream(f"precision 0.769\n{CORRECT}\n")]),
        (set(), [_stream(f"{HINT}: a learner's stub may fail its check\n")]),
        (set(), []),
    ],
)
def test_cell_problem_accepts_good_cells(tags, outputs):
    assert strict.cell_problem(tags, outputs) is None


def _notebook(cells: list[tuple[str, list[str]]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def test_nbval_fails_a_wrong_solution_and_a_cell_that_stopped_raising(tmp_path):
    """A real nbval run (one kernel, a few seconds) with the hooks loaded from the repository."""
    setup = "from course_utils import checks"
    good = _notebook(
        [
            (setup, []),
            ("raise ValueError('the seed bug')", ["raises-exception"]),
            ("answer = None\nchecks.demo_sum(answer);", []),
            ("answer = 2 + 3\nchecks.demo_sum(answer);", ["solution"]),
        ]
    )
    bad = _notebook(
        [
            (setup, []),
            ("x = 1  # no longer raises", ["raises-exception"]),
            ("answer = 2 * 3\nchecks.demo_sum(answer);", ["solution"]),
        ]
    )
    # Inside the repository, so that pytest finds the root conftest.py with the hooks.
    folder = REPO / "tests" / f"_nbval_strict_{os.getpid()}"
    folder.mkdir()
    try:
        nbformat.write(good, folder / "good.ipynb")
        nbformat.write(bad, folder / "bad.ipynb")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "--nbval-lax", "-p", "no:randomly",
             "-p", "no:cacheprovider", str(folder)],
            cwd=REPO, capture_output=True, text=True, timeout=240,
        )  # fmt: skip
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    report = run.stdout + run.stderr
    assert "FAILED" in report and "2 failed, 5 passed" in report, report[-3000:]
    assert "bad.ipynb::Cell 1" in report and "raised nothing" in report
    assert "bad.ipynb::Cell 2" in report and "is not 2 + 3" in report
    assert "good.ipynb" not in report.split("short test summary")[-1]
