"""Course-wide settings: quick/full mode, folders and the offline switch, read in one place.

Environment variables (all optional):

* ``COURSE_QUICK=1``: quick mode (what CI runs): notebooks shrink data and epochs so each runs in
  well under a minute. Unset or 0 means full mode (what a learner runs).
* ``COURSE_OFFLINE=1``: never touch the network; use bundled or already-cached data only.
* ``COURSE_DATA_DIR``: folder with the bundled data (default: ``data/`` of this repository).
* ``COURSE_CACHE_DIR``: folder for downloaded full datasets (default: the OS cache folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import pooch

T = TypeVar("T")
REPO_ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw not in ("", "0", "false", "no", "off", "1", "true", "yes", "on"):
        raise ValueError(f"{name}={raw!r} is not understood: set it to 1 (on) or 0 (off).")
    return raw in ("1", "true", "yes", "on")


def is_quick() -> bool:
    """Return True in quick mode (``COURSE_QUICK=1``), False in full mode."""
    return _flag("COURSE_QUICK")


def is_offline() -> bool:
    """Return True when ``COURSE_OFFLINE=1`` forbids any network access."""
    return _flag("COURSE_OFFLINE")


def pick(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``config.pick(full=8, quick=1)``."""
    return quick if is_quick() else full


def data_dir() -> Path:
    """Folder holding the bundled data files (``COURSE_DATA_DIR`` or the repo's ``data/``)."""
    return Path(os.environ.get("COURSE_DATA_DIR", REPO_ROOT / "data"))


def cache_dir() -> Path:
    """Folder for downloaded full datasets (``COURSE_CACHE_DIR`` or the OS cache folder)."""
    if os.environ.get("COURSE_CACHE_DIR"):
        return Path(os.environ["COURSE_CACHE_DIR"])
    return Path(pooch.os_cache("course_utils"))
