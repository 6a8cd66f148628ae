"""Write the student version of the course: the whole course tree, notebooks without solutions.

    python scripts/student_build.py [OUT]            # default build/student (make student)
    python scripts/student_build.py OUT --restore    # the answers typed into the stubs (tests)

The notebooks go through nbconvert preprocessors: ``TagRemovePreprocessor`` drops every cell
tagged ``solution`` (its source and its outputs; the stub cell and the check cell before it stay,
as nbgrader's student release keeps them), and ``WorkshopNote`` adds one line under the title
saying the solutions are withheld. ``--restore`` first types each solution into the stub cell
before it, in place of its ``name = None`` lines, as a learner who solved the exercise would, so
every check must print "✅ correct" (``make test-student`` runs both under nbval). Every other file of the course is
copied unchanged, so the folder can be committed as its own repository and handed to learners
with nbgitpuller (see docs/instructor.md).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

REPO = Path(__file__).resolve().parent.parent
STUB_MARK = "# YOUR CODE HERE"
PLACEHOLDER = re.compile(r"^\w+\s*=\s*(None|\.\.\.)\b")  # a stub line: answer = None  # ...
NOTE = (
    "> **Workshop copy.** The hidden solutions this notebook mentions are not included; "
    "each check cell still tells you whether your answer is right. Your instructor has the answers."
)


class WorkshopNote(Preprocessor):
    """Insert a markdown cell saying the solutions are withheld, right after the title cell."""

    def preprocess(self, nb, resources):
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(NOTE, id="workshop-copy-note"))
        return nb, resources


class RestoreSolutions(Preprocessor):
    """Type each solution into the stub cell before it, in place of its ``name = None`` lines."""

    def preprocess(self, nb, resources):
        for index, cell in enumerate(nb.cells):
            if "solution" not in cell.metadata.get("tags", []):
                continue
            stubs = [c for c in nb.cells[:index] if c.cell_type == "code" and STUB_MARK in c.source]
            if not stubs:
                raise ValueError(
                    f"solution cell {index} has no stub cell ({STUB_MARK!r}) before it"
                )
            lines = stubs[-1].source.splitlines()
            placeholders = [i for i, line in enumerate(lines) if PLACEHOLDER.match(line)]
            if not placeholders:
                raise ValueError(f"the stub before solution cell {index} has no `name = None` line")
            lines[placeholders[0]] = cell.source  # the learner's answer replaces the placeholders
            stubs[-1].source = "\n".join(
                line for i, line in enumerate(lines) if i not in placeholders[1:]
            )
        return nb, resources


def course_files() -> list[Path]:
    """Files of the course tree: tracked and new ones, without what .gitignore ignores."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(Path(name) for name in listing.split("\0") if name and (REPO / name).is_file())


def student_notebook(path: Path, restore: bool = False) -> str:
    """The student version of one notebook, as the text of an .ipynb file."""
    notebook = nbformat.read(path, as_version=4)
    steps = [RestoreSolutions()] if restore else []
    steps += [TagRemovePreprocessor(remove_cell_tags={"solution"}), WorkshopNote()]
    for step in steps:  # in this order: a solution is copied into its stub before it is removed
        notebook, _ = step.preprocess(notebook, {})
    return nbformat.writes(notebook) + "\n"


def build(out: Path, restore: bool = False) -> list[Path]:
    """Write the student course tree into ``out`` (emptied first); return the notebooks written."""
    out = Path(out).resolve()
    if out == REPO or REPO in out.parents and not out.is_relative_to(REPO / "build"):
        raise ValueError(f"write the student build outside the course or under build/, not {out}")
    if out.exists():
        shutil.rmtree(out)
    written = []
    for name in course_files():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.parts[0] == "notebooks" and name.suffix == ".ipynb":
            target.write_text(student_notebook(REPO / name, restore=restore), encoding="utf-8")
            written.append(target)
        else:
            shutil.copy2(REPO / name, target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=REPO / "build" / "student", type=Path)
    parser.add_argument("--restore", action="store_true", help="copy each solution into its stub")
    args = parser.parse_args(argv)
    notebooks = build(args.out, restore=args.restore)
    kind = "solutions in the stubs" if args.restore else "no solutions"
    print(f"{len(notebooks)} notebooks ({kind}) and the rest of the course in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
