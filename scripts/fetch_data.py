"""Fetch every full dataset into the cache (``make fetch-data``; Binder's postBuild runs it).

Offline it says so for each dataset and exits 0: the course then runs on the bundled samples.
"""

from __future__ import annotations

from course_utils import data


def main() -> None:
    """Try to make every full dataset available locally; print one line per dataset."""
    for name in ("mnist", "fashion_mnist", "imdb"):
        try:
            data.load_dataset(name, "full", verbose=False)
            outcome = "full set available"
        except data.DataUnavailableError as error:
            outcome = f"not available: {error}"
        print(f"{name:14s} {outcome}")
    print(f"{'spam':14s} whole corpus bundled")


if __name__ == "__main__":
    main()
