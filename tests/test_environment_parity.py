"""environment.yml (conda, Binder) and pyproject.toml (pip, make) must describe the same course."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
CONDA_ONLY = {"python", "pip"}

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        assert isinstance(dep, str), "keep every dependency a conda-forge package (no pip: section)"
        name, spec = re.match(r"^([A-Za-z0-9_.-]+)\s*(.*)$", dep).groups()
        out[name.lower()] = spec.replace(" ", "")
    return out


def _normalise(spec: str) -> set[str]:
    return {part.strip() for part in spec.split(",") if part.strip()}


def test_same_packages_in_both_files():
    pip_side = _pyproject_requirements()
    conda_side = _conda_requirements()
    assert set(pip_side) == set(conda_side) - CONDA_ONLY, (
        f"only in pyproject: {sorted(set(pip_side) - set(conda_side))}; "
        f"only in environment.yml: {sorted(set(conda_side) - set(pip_side) - CONDA_ONLY)}"
    )


def test_same_version_ranges_in_both_files():
    pip_side = _pyproject_requirements()
    conda_side = _conda_requirements()
    for name, spec in pip_side.items():
        assert _normalise(spec) == _normalise(conda_side[name]), (
            f"{name}: {spec} vs {conda_side[name]}"
        )


def test_versions_the_course_needs():
    pip_side = _pyproject_requirements()
    assert ">=2.16" in pip_side["tensorflow"]  # Keras 3
    assert ">=4.2" in pip_side["jupyterlab"] and ">=8.1" in pip_side["ipywidgets"]
    conda = yaml.safe_load((REPO / "environment.yml").read_text())
    assert conda["channels"] == ["conda-forge"]
    python = next(d for d in conda["dependencies"] if d.startswith("python"))
    assert python.split("#")[0].strip() in {"python=3.11", "python=3.10", "python=3.12"}


def test_every_dependency_line_is_commented():
    lines = [
        line
        for line in (REPO / "environment.yml").read_text().splitlines()
        if line.strip().startswith("- ") and not line.strip().startswith("- conda-forge")
    ]
    assert lines and all("#" in line for line in lines)


def test_installed_versions_satisfy_pyproject():
    from importlib.metadata import version

    for name, spec in _pyproject_requirements().items():
        req = Requirement(f"{name}{spec}")
        assert req.specifier.contains(version(name), prereleases=True), (
            f"{name} {version(name)} not in {spec}"
        )
