"""Structural checks of every committed notebook (STYLE.md skeleton, outputs, solutions)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REQUIRED_SECTIONS = ["## Overview", "## Setup", "## Key points", "## Further reading"]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _headings(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [line for line in cell.source.splitlines() if re.match(r"^#{1,6} ", line)]
    return out


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_welcome.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_skeleton(path):
    nb = _read(path)
    headings = _headings(nb)
    number = path.name[:2]
    assert headings[0].startswith(f"# {number} · "), "first heading must be '# NN · Title'"
    assert sum(h.startswith("# ") for h in headings) == 1, "exactly one H1"
    for section in REQUIRED_SECTIONS:
        assert section in headings, f"missing {section}"
    levels = [len(h.split(" ")[0]) for h in headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (
        "a heading level is skipped"
    )
    first = nb.cells[0].source
    assert "mybinder.org" in first and "> " in first, (
        "badges and a blockquote subtitle go under the H1"
    )
    setup_index = next(
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and "## Setup" in c.source.splitlines()
    )
    setup_cell = next(c for c in nb.cells[setup_index + 1 :] if c.cell_type == "code")
    assert "setup_notebook(" in setup_cell.source, (
        "the first code cell after ## Setup calls setup_notebook"
    )
    setup_cells = [c for c in nb.cells if c.cell_type == "code" and "setup_notebook(" in c.source]
    assert len(setup_cells) == 1, "ONE setup cell"
    assert "sys.path" not in "".join(c.source for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_from_a_clean_full_run(path):
    nb = _read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "run `make execute` before committing"
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts), "cells were run out of order"
    text = nbformat.writes(nb)
    assert "/work/" not in text and "/root/" not in text and "/home/" not in text, (
        "absolute path in outputs"
    )
    assert "QUICK mode" not in text, "stored outputs must come from full mode"
    for cell in code:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            assert "raises-exception" in cell.metadata.get("tags", []), cell.source[:120]
    assert path.stat().st_size < 3 * 2**20, "notebook over 3 MB: shrink figures or logs"
    draws = any(re.search(r"\b(plotting|plt)\.", c.source) for c in code)
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert images or not draws, (
        "figures missing from outputs (was MPLBACKEND=Agg set for the kernel?)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_check_cells_show_a_message_not_out_true(path):
    """A check prints its verdict; the stored outputs show no bare `Out: True` / `Out: False`."""
    for cell in _read(path).cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            shown = output.get("data", {}).get("text/plain", "")
            shown = "".join(shown) if isinstance(shown, list) else shown
            assert not (
                output.get("output_type") == "execute_result" and shown in ("True", "False")
            ), (
                f"bare {shown} under: {cell.source[-120:]!r}; re-run the notebook (checks return an Outcome)"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_hidden_and_checked(path):
    nb = _read(path)
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
            assert "check" in cell.source.split("### END SOLUTION")[-1] or "checks." in cell.source
            assert not cell.get("outputs"), (
                "a solution cell stores no output: its printed answer would sit under the hidden "
                "cell (make execute strips it)"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_relative_notebook_links_exist(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"\]\(([^)#\s]+\.ipynb)", cell.source):
                if "://" not in target:
                    assert (path.parent / target).exists(), f"broken link {target}"
