"""docs/instructor.md: its notebook table agrees with the Overviews and the benchmark results."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest

from course_utils.config import REPO_ROOT

GUIDE = REPO_ROOT / "docs" / "instructor.md"
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
spec = importlib.util.spec_from_file_location(
    "quote", REPO_ROOT / "scripts" / "quote_measurements.py"
)
quote = importlib.util.module_from_spec(spec)
spec.loader.exec_module(quote)


def _rows() -> dict[str, list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    table = text.split("<!-- objectives:start -->")[1].split("<!-- objectives:end -->")[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[2:]]
    return {cells[0].strip(): [c.strip() for c in cells] for cells in rows}


def _overview_minutes(path) -> tuple[int, int]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    overview = next(
        "".join(c["source"]) for c in cells if "".join(c["source"]).startswith("## Overview")
    )
    time_line = overview[overview.index("**Time") :]
    teaching, exercises = re.findall(r"(\d+) min", time_line)[:2]
    return int(teaching), int(exercises)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_notebook_has_a_row_with_its_overview_minutes_and_measurements(path):
    rows = _rows()
    number = path.name[:2]
    assert number in rows, f"docs/instructor.md has no row for {path.name}: add its objectives"
    row = rows[number]
    assert row[3] == "{} + {}".format(*_overview_minutes(path)), (
        f"{path.name}: minutes differ from the Overview"
    )
    measured = json.loads((REPO_ROOT / "benchmarks" / "results" / "latest.json").read_text())[
        "notebooks"
    ]
    if path.stem not in measured:  # a new notebook make bench has not measured yet
        assert row[4] == row[5] == "—", f"{path.name} is not in latest.json: write — for now"
        return
    entry = measured[path.stem]
    assert row[4] == quote.table_time(entry["wall_s"]), (
        f"{path.name}: full run differs from latest.json"
    )
    assert row[5] == f"{entry['peak_rss_bytes'] / 1e9:.1f} GB", f"{path.name}: peak memory differs"


def test_the_schedules_fit_the_overview_minutes():
    text = GUIDE.read_text(encoding="utf-8")
    minutes = {p.name[:2]: sum(_overview_minutes(p)) for p in NOTEBOOKS}
    pattern = r"\| (\d\d):(\d\d)-(\d\d):(\d\d) \| \*\*(\d\d) [^|]*\((\d+) min"
    blocks = list(re.finditer(pattern, text))
    assert len(blocks) >= 14, "the one-day and two-day schedules list their notebooks with minutes"
    for match in blocks:
        start_h, start_m, end_h, end_m, number, stated = match.groups()
        block = (int(end_h) * 60 + int(end_m)) - (int(start_h) * 60 + int(start_m))
        assert int(stated) == minutes[number], f"{number}: the schedule says {stated} min"
        assert block >= minutes[number], (
            f"{number}: a {block}-minute block for {minutes[number]} minutes"
        )
