"""Tests of quick/full mode and folder settings."""

from __future__ import annotations

import pytest

from course_utils import config


@pytest.mark.parametrize(
    ("value", "quick"), [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_quick_mode_is_read_from_the_environment(monkeypatch, value, quick):
    monkeypatch.setenv("COURSE_QUICK", value)
    assert config.is_quick() is quick
    assert config.pick(full=10, quick=1) == (1 if quick else 10)


def test_unset_quick_means_full_mode(monkeypatch):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    assert not config.is_quick() and config.pick(full="a", quick="b") == "a"


def test_a_typo_in_the_switch_is_an_error_not_silently_full(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "yes please")
    with pytest.raises(ValueError, match="COURSE_QUICK='yes please'.*set it to 1"):
        config.is_quick()


def test_folders_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "c"))
    assert config.data_dir() == tmp_path / "d" and config.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("COURSE_DATA_DIR")
    assert (config.data_dir() / "manifest.json").exists()
