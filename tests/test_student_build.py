"""`make student`: the course without solutions, checks intact (scripts/student_build.py).

Running the student build's notebooks is `make test-student` (nbval, quick mode, twice: every check
"not attempted yet", then "✅ correct" with the answers typed into the stubs); these tests check the
build itself and the nbval plugin's verdicts.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from course_utils.checks import CORRECT, HINT, NOT_ATTEMPTED
from course_utils.config import REPO_ROOT
from tests import nbval_student

spec = importlib.util.spec_from_file_location(
    "student_build", REPO_ROOT / "scripts" / "student_build.py"
)
student_build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_build)

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _is_solution(cell):
    return "solution" in cell["metadata"].get("tags", [])


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    student = tmp_path_factory.mktemp("student")
    restored = tmp_path_factory.mktemp("restored")
    student_build.build(student)
    student_build.build(restored, restore=True)
    return student, restored


def test_no_solution_is_left_and_every_other_cell_is_unchanged(builds):
    student, _ = builds
    assert sum(any(_is_solution(c) for c in _cells(nb)) for nb in NOTEBOOKS) >= 8
    for original in NOTEBOOKS:
        built = student / "notebooks" / original.name
        text = built.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        cells = _cells(built)
        assert not any(_is_solution(c) for c in cells)
        kept = [c for c in _cells(original) if not _is_solution(c)]
        assert cells[0] == kept[0] and cells[1]["id"] == "workshop-copy-note"
        assert len(cells) == len(kept) + 1, "the build removes the solution cells and adds one note"
        for before, after in zip(kept[1:], cells[2:], strict=True):  # sources, outputs, metadata
            assert before == after, f"{original.name}: cell {before.get('id')} changed"


def test_every_exercise_keeps_its_stub_and_check(builds):
    student, _ = builds
    for original in NOTEBOOKS:
        solutions = [c for c in _cells(original) if _is_solution(c)]
        cells = _cells(student / "notebooks" / original.name)
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        for solution in solutions:
            call = next(
                line.split("(")[0]
                for line in reversed("".join(solution["source"]).splitlines())
                if "checks.check_" in line
            )
            assert call.strip() in source, f"{original.name}: the check {call} is gone"
        stubs = [c for c in cells if student_build.STUB_MARK in "".join(c["source"])]
        assert len(stubs) >= len(solutions), f"{original.name}: a stub cell is missing"


def test_restore_types_each_solution_into_its_stub(builds):
    _, restored = builds
    for original in NOTEBOOKS:
        solutions = ["".join(c["source"]) for c in _cells(original) if _is_solution(c)]
        cells = _cells(restored / "notebooks" / original.name)
        assert not any(_is_solution(c) for c in cells)
        filled = [
            "".join(c["source"]) for c in cells if "### BEGIN SOLUTION" in "".join(c["source"])
        ]
        assert len(filled) == len(solutions), (
            f"{original.name}: not every solution went into a stub"
        )
        for solution, cell in zip(solutions, filled, strict=True):
            assert solution in cell and "None  # YOUR CODE HERE" not in cell


def test_the_rest_of_the_course_is_copied_unchanged(builds):
    student, _ = builds
    for name in ["course_utils/checks.py", "data/manifest.json", "Makefile", "environment.yml"]:
        assert (student / name).read_bytes() == (REPO_ROOT / name).read_bytes()
    assert not (student / ".venv").exists() and not (student / "build").exists()


def test_the_build_refuses_to_overwrite_the_course(tmp_path):
    for target in [REPO_ROOT, REPO_ROOT / "notebooks"]:
        with pytest.raises(ValueError, match="under build/"):
            student_build.build(target)


def _stream(text):
    return [{"output_type": "stream", "name": "stdout", "text": text}]


@pytest.mark.parametrize(
    ("expect", "printed", "ok"),
    [
        ("not_attempted", NOT_ATTEMPTED + ": replace the placeholder", True),
        ("not_attempted", CORRECT, False),
        ("not_attempted", HINT + ": use true division", False),
        ("correct", CORRECT, True),
        ("correct", NOT_ATTEMPTED + ": replace the placeholder", False),
        ("correct", HINT + ": use true division", False),
        ("correct", CORRECT + "\n" + HINT + ": second check", False),
        ("correct", "", False),
    ],
)
def test_the_nbval_plugin_judges_check_cells(expect, printed, ok):
    problem = nbval_student.check_problem(expect, "checks.check_scale_pixels(f)", _stream(printed))
    assert (problem is None) is ok


def test_the_nbval_plugin_ignores_other_cells_and_refuses_a_bad_mode():
    assert nbval_student.check_problem("correct", "print(1)", _stream("1")) is None
    with pytest.raises(ValueError, match="COURSE_STUDENT_EXPECT"):
        nbval_student.check_problem("solved", "checks.check_x(f)", [])
