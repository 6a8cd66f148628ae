"""The workshop hub's spawner: one system user per learner and a memory limit per learner.

``LearnerSpawner`` is JupyterHub's ``LocalProcessSpawner`` with what The Littlest JupyterHub adds
to it: learner ``ada`` runs as the system user ``jupyter-ada`` (created with ``useradd`` on first
start, home folder mode 700, so no learner can read another's files), and every process of the
learner's server, kernels included, runs in a memory cgroup capped at ``Spawner.mem_limit``.
TLJH gets the same from systemd; this machine has no systemd, so the spawner writes the cgroup
files itself (cgroup v1 and v2; if neither is writable it logs that the limit is NOT enforced).
"""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path
from urllib.parse import urlencode

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

SYSTEM_PREFIX = "jupyter-"  # as TLJH: a learner called "root" does not become root
USERNAME_PATTERN = r"^[a-z][a-z0-9_-]{0,22}$"  # lower case, and fits useradd's 32 characters
FILES = {  # cgroup version -> (limit file, peak-usage file)
    1: ("memory.limit_in_bytes", "memory.max_usage_in_bytes"),
    2: ("memory.max", "memory.peak"),
}


def system_user(name: str) -> str:
    """The system account of hub user ``name``."""
    return SYSTEM_PREFIX + name


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """Create ``jupyter-<name>`` with a private home folder if it does not exist yet."""
    account = system_user(name)
    try:
        entry = pwd.getpwnam(account)
    except KeyError:
        comment = f"course learner {name}"
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment, account],
            check=True,
        )
        entry = pwd.getpwnam(account)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def cgroup_base() -> tuple[Path, int] | None:
    """The folder for the learners' memory cgroups, under the hub's own cgroup, and its version."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return Path("/sys/fs/cgroup/memory", path.lstrip("/"), "course-hub"), 1
    unified = Path("/sys/fs/cgroup")
    controllers = unified / "cgroup.controllers"
    if controllers.exists() and "memory" in controllers.read_text().split():
        own = Path("/proc/self/cgroup").read_text().splitlines()[-1].split("::", 1)[-1]
        return Path(unified, own.lstrip("/"), "course-hub"), 2
    return None


def learner_cgroup(name: str) -> tuple[Path, int] | None:
    base = cgroup_base()
    return (base[0] / name, base[1]) if base else None


def peak_memory(name: str) -> int | None:
    """Peak memory (bytes) of learner ``name``'s cgroup since their server started, if known."""
    group = learner_cgroup(name)
    if group is None or not (group[0] / FILES[group[1]][1]).exists():
        return None
    return int((group[0] / FILES[group[1]][1]).read_text())


def processes(name: str) -> list[int]:
    """Process ids in learner ``name``'s cgroup (their server and kernels)."""
    group = learner_cgroup(name)
    if group is None or not (group[0] / "cgroup.procs").exists():
        return []
    return [int(pid) for pid in (group[0] / "cgroup.procs").read_text().split()]


def nbgitpuller_link(
    hub_url: str,
    repo: str,
    branch: str = "main",
    folder: str = "deep-learning-course",
    notebook: str = "notebooks/00_welcome.ipynb",
) -> str:
    """The link that clones (first click) or merges (later clicks) the course into a learner's home."""
    query = urlencode(
        {
            "repo": repo,
            "branch": branch,
            "targetpath": folder,
            "urlpath": f"lab/tree/{folder}/{notebook}",
        }
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


class LearnerSpawner(LocalProcessSpawner):
    """LocalProcessSpawner running each learner as ``jupyter-<name>`` inside a memory cgroup."""

    _cgroup: Path | None = None

    def _limit_memory(self) -> Path | None:
        group = learner_cgroup(self.user.name)
        if group is None or not self.mem_limit:
            self.log.warning(
                "Memory limit NOT enforced for %s: no writable memory cgroup", self.user.name
            )
            return None
        folder, version = group
        try:
            if version == 2:
                for parent in (folder.parent.parent, folder.parent):
                    (parent / "cgroup.subtree_control").write_text("+memory")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / FILES[version][0]).write_text(str(int(self.mem_limit)))
        except OSError as error:
            self.log.warning("Memory limit NOT enforced for %s: %s", self.user.name, error)
            return None
        self.log.info("Memory limit for %s: %d bytes (%s)", self.user.name, self.mem_limit, folder)
        return folder

    async def start(self):
        entry = ensure_system_user(self.user.name)
        self.notebook_dir = entry.pw_dir
        self._cgroup = self._limit_memory()
        return await super().start()

    def make_preexec_fn(self, name):
        become_learner = set_user_setuid(system_user(name))
        procs = self._cgroup / "cgroup.procs" if self._cgroup else None

        def preexec():  # runs in the child, as root, before exec: join the cgroup, then drop root
            if procs is not None:
                procs.write_text(str(os.getpid()))
            become_learner()

        return preexec

    def user_env(self, env):
        entry = pwd.getpwnam(system_user(self.user.name))
        env.update(USER=entry.pw_name, HOME=entry.pw_dir, SHELL=entry.pw_shell or "/bin/bash")
        return env

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroup is not None:
            _remove_cgroup(self._cgroup)


def _remove_cgroup(folder: Path) -> None:
    """Remove an empty cgroup folder (rmdir; its control files go with it)."""
    try:
        folder.rmdir()
    except OSError:
        pass
