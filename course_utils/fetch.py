"""Fetch every full dataset into the cache (``make fetch-data``; Binder's postBuild runs it).

Offline it says so for each dataset and exits 0: the course then runs on the bundled samples.
"""

from __future__ import annotations

import sys

from . import data


def fetch_all() -> dict[str, str]:
    """Try to make every full dataset available locally; return name -> outcome text."""
    outcomes = {}
    for name in ("mnist", "fashion_mnist", "imdb"):
        try:
            data.load_dataset(name, "full", verbose=False)
            outcomes[name] = "full set available"
        except data.DataUnavailableError as error:
            outcomes[name] = f"not available: {error}"
    outcomes["spam"] = "whole corpus bundled"
    return outcomes


def main() -> int:
    for name, outcome in fetch_all().items():
        print(f"{name:14s} {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
