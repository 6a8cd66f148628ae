"""Launch badges point at one repository, `make badges REPO=...` moves them, Binder config is valid."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat

import pytest
import yaml

from course_utils.config import REPO_ROOT

spec = importlib.util.spec_from_file_location("badges", REPO_ROOT / "scripts" / "badges.py")
badges = importlib.util.module_from_spec(spec)
spec.loader.exec_module(badges)


def test_every_badge_points_at_the_same_repository_and_its_own_notebook():
    found = badges.addresses()
    assert found["README.md"], "the README has no Binder badge"
    assert all(found.values()), f"files without a badge: {[n for n, a in found.items() if not a]}"
    assert len(set().union(*found.values())) == 1, f"badges disagree: {found}"
    for path in badges.badge_files(REPO_ROOT)[1:]:
        first_cell = "".join(json.loads(path.read_text())["cells"][0]["source"])
        assert f"urlpath=lab/tree/notebooks/{path.name})" in first_cell
        assert f"/blob/main/notebooks/{path.name})" in first_cell or "/blob/" not in first_cell


def test_rewrite_for_a_fork_changes_only_the_addresses(tmp_path):
    shutil.copy(REPO_ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(REPO_ROOT / "notebooks", tmp_path / "notebooks")
    before = {p.name: p.read_text() for p in badges.badge_files(tmp_path)}
    ((old_repo, old_ref),) = set().union(*badges.addresses(tmp_path).values())

    changed = badges.rewrite("ada-lovelace/dl-fork", "workshop", root=tmp_path)

    assert len(changed) == len(before)
    assert set().union(*badges.addresses(tmp_path).values()) == {
        ("ada-lovelace/dl-fork", "workshop")
    }
    for path in badges.badge_files(tmp_path):
        text = path.read_text()
        assert "mybinder.org/v2/gh/ada-lovelace/dl-fork/workshop?urlpath=" in text
        assert old_repo not in text
        back = text.replace("ada-lovelace/dl-fork/workshop", f"{old_repo}/{old_ref}").replace(
            "ada-lovelace/dl-fork/blob/workshop", f"{old_repo}/blob/{old_ref}"
        )
        assert back == before[path.name], f"{path.name}: more than the badge addresses changed"
    assert badges.rewrite("ada-lovelace/dl-fork", "workshop", root=tmp_path) == []  # idempotent


@pytest.mark.parametrize(
    "repo", ["", "deep-learning-course", "a/b/c", "https://github.com/a/b", "a b/c", None]
)
def test_bad_addresses_are_refused_with_the_fix(repo):
    with pytest.raises(ValueError, match="owner/name"):
        badges.check_repo(repo)


def test_bad_branch_is_refused():
    with pytest.raises(ValueError, match="BRANCH"):
        badges.check_repo("ada/course", "feature branch")


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/ada/course.git",
        "https://github.com/ada/course",
        "git@github.com:ada/course.git\n",
    ],
)
def test_owner_and_name_from_a_github_remote(url):
    assert badges.repo_from_remote_url(url) == "ada/course"


def test_a_remote_elsewhere_is_refused():
    with pytest.raises(ValueError, match="REPO=owner/name"):
        badges.repo_from_remote_url("https://gitlab.com/ada/course.git")


def test_binder_configuration_is_in_one_place_and_valid():
    # Binder ignores root files when binder/ or .binder/ exists: keep everything at the root.
    assert not (REPO_ROOT / "binder").exists() and not (REPO_ROOT / ".binder").exists()
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert env["name"] and env["channels"] == ["conda-forge"] and env["dependencies"]
    post_build = REPO_ROOT / "postBuild"
    assert post_build.read_text().startswith("#!/usr/bin/env bash\n")
    assert os.stat(post_build).st_mode & stat.S_IXUSR, "postBuild must be executable"
    others = {"requirements.txt", "Pipfile", "setup.py", "Dockerfile", "apt.txt", "runtime.txt"}
    assert not [name for name in others if (REPO_ROOT / name).exists()], (
        "one Binder configuration: environment.yml + postBuild (repo2docker would use or ignore these)"
    )
