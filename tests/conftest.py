"""Shared fixtures: tests never touch the network and never depend on this machine's caches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_utils import config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path_factory):
    """Every test runs offline, with an empty private cache folder."""
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("COURSE_QUICK", raising=False)


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of data/ that a test may corrupt; COURSE_DATA_DIR points at it."""
    target = tmp_path / "data"
    shutil.copytree(config.data_dir(), target)
    monkeypatch.setenv("COURSE_DATA_DIR", str(target))
    return target
