"""Point the launch badges (Binder, nbviewer) of the README and every notebook at one repository.

    python scripts/badges.py                      # show the address the badges use now
    python scripts/badges.py --repo owner/name    # rewrite them for a fork (make badges REPO=...)
    python scripts/badges.py --from-remote        # take owner/name from `git remote get-url origin`

The address lives in the badges themselves; ``tests/test_badges.py`` checks that they all agree.
Notebooks are rewritten one at a time under ``flock /tmp/course_nb_NN.lock`` (read, change, write).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
BADGE_URLS = [  # (pattern, replacement); group "repo" is owner/name, "ref" the branch
    (
        re.compile(rf"https://mybinder\.org/v2/gh/(?P<repo>{NAME}/{NAME})/(?P<ref>{NAME})"),
        "https://mybinder.org/v2/gh/{repo}/{ref}",
    ),
    (
        re.compile(rf"https://nbviewer\.org/github/(?P<repo>{NAME}/{NAME})/blob/(?P<ref>{NAME})"),
        "https://nbviewer.org/github/{repo}/blob/{ref}",
    ),
]


def check_repo(repo: str, ref: str = "main") -> None:
    """Refuse an address that is not ``owner/name`` or a branch name that is not one word."""
    if not isinstance(repo, str) or not re.fullmatch(rf"{NAME}/{NAME}", repo):
        raise ValueError(
            f"REPO must be GitHub's owner/name, e.g. REPO=ada/deep-learning-course; got {repo!r}"
        )
    if not isinstance(ref, str) or not re.fullmatch(NAME, ref):
        raise ValueError(f"BRANCH must be a branch name such as main; got {ref!r}")


def repo_from_remote_url(url: str) -> str:
    """``owner/name`` from a GitHub remote URL (https or ssh), else ValueError."""
    match = re.fullmatch(
        rf"(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)({NAME}/{NAME})/?",
        url.strip(),
    )
    if not match:
        raise ValueError(
            f"not a GitHub remote: {url!r}; give the address instead: make badges REPO=owner/name"
        )
    return match.group(1).removesuffix(".git")


def badge_files(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


def addresses(root: Path = REPO_ROOT) -> dict[str, set[tuple[str, str]]]:
    """Every (owner/name, branch) each badge file points at, keyed by file name."""
    found = {}
    for path in badge_files(root):
        text = path.read_text(encoding="utf-8")
        found[path.name] = {
            (m["repo"], m["ref"]) for pattern, _ in BADGE_URLS for m in pattern.finditer(text)
        }
    return found


def _rewrite_text(text: str, repo: str, ref: str) -> str:
    for pattern, template in BADGE_URLS:
        text = pattern.sub(template.format(repo=repo, ref=ref), text)
    return text


def rewrite(repo: str, ref: str = "main", root: Path = REPO_ROOT) -> list[Path]:
    """Point every badge under ``root`` at ``repo``/``ref``; return the files that changed."""
    check_repo(repo, ref)
    changed = []
    for path in badge_files(root):
        if path.suffix != ".ipynb":
            text = path.read_text(encoding="utf-8")
            new = _rewrite_text(text, repo, ref)
            if new != text:
                path.write_text(new, encoding="utf-8")
                changed.append(path)
            continue
        with open(f"/tmp/course_nb_{path.name[:2]}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            notebook = json.loads(path.read_text(encoding="utf-8"))
            touched = False
            for cell in notebook["cells"]:
                if cell["cell_type"] != "markdown":
                    continue
                source = "".join(cell["source"])
                new = _rewrite_text(source, repo, ref)
                if new != source:
                    cell["source"] = new.splitlines(keepends=True)
                    touched = True
            if touched:
                text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
                path.write_text(text, encoding="utf-8")
                changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="GitHub owner/name the badges should open")
    parser.add_argument("--branch", default="main", help="branch Binder builds (default: main)")
    parser.add_argument("--from-remote", action="store_true", help="use git remote origin")
    args = parser.parse_args(argv)
    repo = args.repo
    if args.from_remote:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=REPO_ROOT, capture_output=True, text=True
        )
        if remote.returncode:
            print("This clone has no remote 'origin'.")
    if not repo and (not args.from_remote or remote.returncode):
        now = sorted(set().union(*addresses().values()))
        print("The badges point at: " + ", ".join(f"{r} (branch {b})" for r, b in now))
        print("To change it for a fork: make badges REPO=owner/name [BRANCH=main]")
        return 2 if args.from_remote else 0
    try:
        changed = rewrite(repo or repo_from_remote_url(remote.stdout), args.branch)
    except ValueError as error:
        print(error)
        return 2
    repo = repo or repo_from_remote_url(remote.stdout)
    print(f"Badges now open {repo} (branch {args.branch}); {len(changed)} files changed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
