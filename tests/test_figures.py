"""Each measured figure the learner reads has one source: benchmarks/results/latest.json.

`make bench --store` measures every notebook's full run and stores its outputs; the Overview of
each notebook and the README's notebook table quote those measurements. These tests fail when
the text and the results file disagree, so re-running the benchmark and forgetting the text (or
the other way round) cannot go unnoticed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "latest.json"
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
OVERVIEW_RUN = re.compile(
    r"Full run: about (?P<about>[^()]+?) on a 2-core CPU \((?P<seconds>[\d.]+) s, "
    r"peak memory (?P<gb>[\d.]+) GB"
)
WORDS = {"half a minute": 30.0, "a minute": 60.0, "a few seconds": 5.0}


def _results() -> dict:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def _measured(stem: str) -> dict:
    entry = _results()["notebooks"].get(stem)
    assert entry, f"{stem} has no measurement: run make bench ARGS='--only {stem[:2]} --store'"
    assert entry["mode"] == "full" and entry["status"] == "ok", entry.get("errors")
    return entry


def _gb(entry: dict) -> str:
    return f"{entry['peak_rss_bytes'] / 1e9:.1f}"


def about_seconds(text: str) -> float:
    """Seconds of an approximate duration: "10 seconds", "1.5 minutes", "half a minute"."""
    text = text.strip().lower()
    if text in WORDS:
        return WORDS[text]
    match = re.fullmatch(r"([\d.]+) (seconds?|s|minutes?|min)", text)
    if not match:
        raise ValueError(f"cannot read the duration {text!r}: write e.g. '20 seconds', '3 minutes'")
    value = float(match.group(1))
    return value * 60 if match.group(2).startswith("min") else value


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_overview_quotes_the_measured_full_run(path):
    overview = next(
        c.source for c in nbformat.read(path, as_version=4).cells if "## Overview" in c.source
    )
    match = OVERVIEW_RUN.search(overview)
    assert match, (
        "the Overview must state 'Full run: about <t> on a 2-core CPU (<s> s, peak memory <m> GB'"
    )
    entry = _measured(path.stem)
    assert abs(float(match["seconds"]) - entry["wall_s"]) <= 0.5, (
        f"Overview says {match['seconds']} s; benchmarks/results/latest.json: {entry['wall_s']} s"
    )
    assert match["gb"] == _gb(entry), f"Overview says {match['gb']} GB; measured {_gb(entry)} GB"
    ratio = about_seconds(match["about"]) / entry["wall_s"]
    assert 0.6 <= ratio <= 1.6, f"'about {match['about']}' is far from {entry['wall_s']} s"


def _readme_rows() -> dict[str, tuple[str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- notebook-table:start -->")[1].split("<!-- notebook-table:end -->")[0]
    rows = {}
    for line in table.splitlines():
        link = re.search(r"\(notebooks/(\d\d_\w+)\.ipynb\)", line)
        if link:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[link.group(1)] = (cells[-2], cells[-1])
    return rows


def test_readme_table_lists_every_notebook_once_in_order():
    assert list(_readme_rows()) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_readme_table_quotes_the_measured_full_run(path):
    duration, memory = _readme_rows()[path.stem]
    entry = _measured(path.stem)
    value, unit = duration.split()
    seconds = float(value) * (60 if unit == "min" else 1)
    slack = 3.0 if unit == "min" else 0.5  # what the rounding to 0.1 min or 1 s allows
    assert abs(seconds - entry["wall_s"]) <= slack, (
        f"README says {duration} for {path.stem}; measured {entry['wall_s']} s"
    )
    assert memory == f"{_gb(entry)} GB"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("10 seconds", 10), ("1.5 minutes", 90), ("half a minute", 30), ("4 min", 240)],
)
def test_about_seconds_reads_the_course_phrasings(text, seconds):
    assert about_seconds(text) == seconds


def test_about_seconds_refuses_what_it_cannot_read():
    with pytest.raises(ValueError, match="cannot read"):
        about_seconds("a while")


def test_readme_quotes_the_benchmarked_cnn_speedup():
    """The CNN's time-to-accuracy speed-up in the README is the benchmark's median."""
    speedup = _results()["quality"]["cnn"]["time_to_accuracy"]["speedup"]
    stem = next(p.stem for p in NOTEBOOKS if "cnn_training" in p.stem)
    row = next(
        line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
        if f"(notebooks/{stem}.ipynb)" in line
    )  # fmt: skip
    quoted = re.findall(r"([\d.]+)× sooner", row)
    assert quoted == [f"{speedup:.1f}"], f"README says {quoted}; the benchmark {speedup:.2f}"


def test_cnn_lesson_quotes_the_benchmark():
    """Notebook 05's benchmark figures are those of benchmarks/results/latest.json."""
    quality = _results()["quality"]
    timing = quality["cnn"]["time_to_accuracy"]
    repeats = timing["repeats"]
    finals = sorted(r["course"]["final_accuracy"] for r in repeats)
    targets = sorted(r["target_accuracy"] for r in repeats)
    seeds = [f"{r['speedup']:.1f}×" for r in repeats]
    fashion = quality["cnn_fashion"]["metrics"][0]["value"]
    expected = [
        f"a median **{timing['speedup']:.1f}× sooner**",
        f"({seeds[0]}, {seeds[1]} and {seeds[2]} over the three seeds; "
        f"{timing['speedup_cpu']:.1f}× in CPU time)",
        f"ended at {finals[0]:.2%} to {finals[-1]:.2%}",
        f"ended at {targets[0]:.2%} to {targets[-1]:.2%} test accuracy",
        f"reached {fashion:.2%} test accuracy",
    ]
    path = next(p for p in NOTEBOOKS if "cnn_training" in p.stem)
    prose = "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
    )
    missing = [text for text in expected if text not in prose]
    assert not missing, f"{path.name} should quote the benchmark as: {missing}"
