"""Tests of notebook setup: version checks, seeds, banner."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils
from course_utils import setup


def test_too_old_libraries_get_a_clear_fix():
    with pytest.raises(RuntimeError, match=r"tensorflow 2\.15\.0 \(need >= 2\.16\).*make lab"):
        setup.check_versions({"tensorflow": "2.15.0", "keras": "3.3.3"})
    setup.check_versions({"tensorflow": "2.21.0", "keras": "3.15.1", "ipywidgets": "8.1.9"})


def test_version_parsing_handles_suffixes():
    assert setup._version_tuple("2.16.0rc1") == (2, 16)
    assert setup._version_tuple("3.0.dev2") == (3, 0)


def test_setup_notebook_seeds_and_prints_banner(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    env = course_utils.setup_notebook(seed=7)
    first = np.random.rand()
    course_utils.setup_notebook(seed=7, verbose=False)
    assert np.random.rand() == first
    out = capsys.readouterr().out
    assert "QUICK mode" in out and "TensorFlow" in out and "seed 7" in out
    assert env.mode == "quick" and env.cpu_cores >= 1 and env.ram_gb > 0


@pytest.mark.parametrize("seed", ["42", 4.2, True])
def test_setup_notebook_rejects_bad_seed(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        course_utils.setup_notebook(seed=seed)


def test_environment_rows_cover_versions_hardware_and_data():
    rows = setup.environment_rows(setup.environment_report(), widgets_ok=True)
    items = [r[0] for r in rows]
    assert {"Python", "TensorFlow", "Keras", "ipywidgets", "CPU cores", "RAM"} <= set(items)
    assert "Data: mnist" in items and "Data: imdb" in items
    assert dict((r[0], r[2]) for r in rows)["Keras"] == "ok"
    without_widgets = setup.environment_rows(setup.environment_report(), widgets_ok=False)
    assert "widgets will not display" in [r[2] for r in without_widgets]
