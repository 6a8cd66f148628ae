"""Tests of the widget plumbing (static rendering for headless runs)."""

from __future__ import annotations

import pytest

from course_utils import widgets


def test_static_rendering_when_headless(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    calls = []
    widgets.show("a widget", static=lambda: calls.append("drawn") or "state text")
    assert calls == ["drawn"]
    out = capsys.readouterr().out
    assert "a widget" in out and "state text" in out


def test_plain_python_process_counts_as_headless(monkeypatch):
    monkeypatch.delenv("COURSE_STATIC_WIDGETS", raising=False)
    assert widgets.static_rendering_wanted()  # pytest runs no Jupyter kernel


def test_static_must_be_callable():
    with pytest.raises(TypeError, match="no-argument callable"):
        widgets.show("w", static="not callable")
