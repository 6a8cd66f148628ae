"""Execute one notebook top to bottom in full mode and store its outputs in place.

Used by `make execute` (and `make bench --store`). Strips the machine's absolute paths from
outputs, stores no output under a hidden solution (it would give the answer away), and refuses to
store a notebook whose run raised an error outside cells tagged ``raises-exception``.

    python scripts/execute_notebook.py notebooks/05_cnn_training.ipynb [--timeout S]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def scrub(text: str) -> str:
    """Replace absolute paths of this machine with neutral ones."""
    for path, placeholder in ((str(ROOT), "<course>"), (str(Path.home()), "~")):
        text = text.replace(path, placeholder)
    return text


def scrub_outputs(nb: nbformat.NotebookNode) -> None:
    """Remove absolute paths from the outputs, and the outputs of solution cells."""
    for cell in nb.cells:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            cell["outputs"] = []  # the printed answer would sit under the hidden solution
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = scrub(output["text"])
            for key in ("text/plain", "text/html", "text/markdown"):
                if key in output.get("data", {}):
                    value = output["data"][key]
                    output["data"][key] = scrub(value if isinstance(value, str) else "".join(value))
            if "traceback" in output:
                output["traceback"] = [scrub(line) for line in output["traceback"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    if os.environ.get("COURSE_QUICK", "") not in ("", "0"):
        print("refusing to store quick-mode outputs: unset COURSE_QUICK", file=sys.stderr)
        return 2
    nb = nbformat.read(args.notebook, as_version=4)
    os.environ["COURSE_STATIC_WIDGETS"] = "1"  # no front end here: widgets add a static rendering
    os.environ.pop("MPLBACKEND", None)  # Agg would stop the kernel's inline figures being stored
    # The quiz reads the learner's saved progress: stored outputs must not depend on this machine's.
    os.environ["COURSE_QA_PROGRESS"] = str(Path(tempfile.mkdtemp()) / "no-progress-yet.json")
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(args.notebook.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and "raises-exception" not in tags:
            print(f"error in an untagged cell:\n{cell.source[:300]}", file=sys.stderr)
            return 1
    scrub_outputs(nb)
    nbformat.write(nb, args.notebook)
    print(f"{args.notebook.name}: executed in {elapsed:.0f} s (full mode)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
