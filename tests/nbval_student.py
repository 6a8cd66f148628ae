"""nbval plugin for ``make test-student``: every exercise check prints what the student build promises.

``COURSE_STUDENT_EXPECT=not_attempted``: the student build as learners get it; every check cell
must print "⏳ not attempted yet". ``COURSE_STUDENT_EXPECT=correct``: the build made with
``--restore`` (each solution typed into its stub); every check must print "✅ correct" and no
hint. A run that meets no check cell at all fails too. Load it with ``-p tests.nbval_student``.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from course_utils.checks import CORRECT, HINT, NOT_ATTEMPTED

CHECK_CALL = "checks.check_"
EXPECTED = {"not_attempted": NOT_ATTEMPTED, "correct": CORRECT}
checked: Counter[str] = Counter()


def check_problem(expect: str, source: str, outputs: list[dict]) -> str | None:
    """What is wrong with an exercise check cell's printed verdict; None if it says ``expect``."""
    if expect not in EXPECTED:
        raise ValueError(f"COURSE_STUDENT_EXPECT must be one of {sorted(EXPECTED)}; got {expect!r}")
    if CHECK_CALL not in source:
        return None
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    wrong = {NOT_ATTEMPTED, CORRECT, HINT} - {EXPECTED[expect]}
    if EXPECTED[expect] not in text or any(marker in text for marker in wrong):
        shown = " | ".join(text.strip().splitlines()[-3:]) or "(no output)"
        return f"this check should print {EXPECTED[expect]!r}; it printed: {shown}"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield
    cell, outputs = getattr(item, "cell", None), getattr(item, "test_outputs", None)
    if type(item).__name__ == "IPyNbCell" and cell is not None and outputs is not None:
        expect = os.environ.get("COURSE_STUDENT_EXPECT", "not_attempted")
        problem = check_problem(expect, cell.get("source", ""), outputs)
        if problem:
            pytest.fail(f"{item.name}: {problem}", pytrace=False)
        if CHECK_CALL in cell.get("source", ""):
            checked[str(item.path.name)] += 1
    return result


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if session.testscollected and not checked:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    expect = os.environ.get("COURSE_STUDENT_EXPECT", "not_attempted")
    summary = ", ".join(f"{name}: {count}" for name, count in sorted(checked.items()))
    terminalreporter.write_line(
        f"exercise checks that printed {EXPECTED.get(expect, expect)!r}: "
        f"{sum(checked.values())} ({summary or 'none: no check cell ran, which fails the run'})"
    )
