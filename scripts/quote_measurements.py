"""Copy the measured full-run time and peak memory from benchmarks/results/latest.json into the
text that quotes them: each notebook's Overview, the README's notebook table and the instructor
guide's objectives table. The results page
(latest.md) then shows the updated "Notebook says" column.

Run it after `make bench ... --store`; tests/test_figures.py fails while text and results disagree.

    python scripts/quote_measurements.py [NN ...]     # two-digit prefixes; default: every notebook
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OVERVIEW = re.compile(r"Full run: about [^()]+? on a 2-core CPU \([\d.]+ s, peak memory [\d.]+ GB")


def about(seconds: float) -> str:
    """A rounded duration for prose: "about 15 seconds", "about 3.5 minutes"."""
    if seconds < 60:
        return f"{max(5, 5 * round(seconds / 5))} seconds"
    minutes = round(seconds / 30) / 2
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"


def table_time(seconds: float) -> str:
    """The README table's duration: whole seconds below 100 s, else minutes to 0.1."""
    return f"{seconds:.0f} s" if seconds < 100 else f"{seconds / 60:.1f} min"


def quote(stem: str, entry: dict) -> None:
    gb = f"{entry['peak_rss_bytes'] / 1e9:.1f}"
    wall = entry["wall_s"]
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    new = f"Full run: about {about(wall)} on a 2-core CPU ({wall:.1f} s, peak memory {gb} GB"
    overview = next(c for c in nb.cells if "## Overview" in c.source)
    if not OVERVIEW.search(overview.source):
        raise SystemExit(f"{stem}: no 'Full run: about ... (X s, peak memory Y GB' in its Overview")
    overview.source = OVERVIEW.sub(new, overview.source)
    nbformat.write(nb, path)
    readme = ROOT / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if f"(notebooks/{stem}.ipynb)" in line and line.startswith("|"):
            cells = line.rstrip("\n").split("|")
            cells[-3], cells[-2] = f" {table_time(wall)} ", f" {gb} GB "
            lines[i] = "|".join(cells) + "\n"
    readme.write_text("".join(lines), encoding="utf-8")
    guide = ROOT / "docs" / "instructor.md"  # its objectives table ends with the same two columns
    lines = guide.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(f"| {stem[:2]} |"):
            cells = line.rstrip("\n").split("|")
            cells[-3], cells[-2] = f" {table_time(wall)} ", f" {gb} GB "
            lines[i] = "|".join(cells) + "\n"
    guide.write_text("".join(lines), encoding="utf-8")
    print(f"{stem}: {table_time(wall)}, {gb} GB")


def _bench_module():
    """benchmarks/run.py (not a package): its stated_full_run and write_results."""
    spec = importlib.util.spec_from_file_location("_bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    bench = _bench_module()
    prefix = ROOT / "benchmarks" / "results" / "latest"
    results = json.loads(prefix.with_suffix(".json").read_text(encoding="utf-8"))
    for stem, entry in sorted(results["notebooks"].items()):
        path = ROOT / "notebooks" / f"{stem}.ipynb"
        if path.exists() and (not argv or stem[:2] in argv):
            quote(stem, entry)
            entry["stated_full_run"] = bench.stated_full_run(nbformat.read(path, as_version=4))
    bench.write_results(results, prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
