"""The workshop hub with many learners (`make test-hub`; as root, takes minutes; skipped otherwise).

The first tests check the hub's configuration and helpers (whenever JupyterHub is installed).

Starts the hub of hub/jupyterhub_config.py on 127.0.0.1 and the student build in a git daemon on
127.0.0.1 (standing in for GitHub), then: the instructor registers HUB_LEARNERS learners; each
signs in with the shared password through the REST API (a wrong password gets 403), starts a
server, pulls the course with nbgitpuller, and all run a notebook at the same time through the
Jupyter server API (kernels over websockets). Asserts every run succeeds, learner A's token reaches
nothing of learner B's (403/404), A's kernel cannot read B's files, a second pull after an
instructor's push brings the change and keeps each learner's own edits, and a process of A's that
grows past the memory limit is killed. Per-learner time and peak
memory go to build/hub-capacity.json and a printed table; HUB_CAPACITY=1,2,4,8 also measures how
the run time grows with the number of learners running at once. Everything started is stopped,
learners' accounts removed, also on failure.
"""

from __future__ import annotations

import json
import os
import platform
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
requests = pytest.importorskip("requests")
websocket = pytest.importorskip("websocket")
psutil = pytest.importorskip("psutil")
yaml = pytest.importorskip("yaml")
sys.path.insert(0, str(REPO / "hub"))
course_hub = pytest.importorskip("course_hub")  # needs jupyterhub: make test-hub installs it

LEARNERS = [
    f"learner{i:02d}" for i in range(1, int(os.environ.get("COURSE_HUB_LEARNERS", "8")) + 1)
]
NOTEBOOK = os.environ.get("COURSE_HUB_NOTEBOOK", "notebooks/00_welcome.ipynb")
PASSWORD = secrets.token_urlsafe(12)
FOLDER = "deep-learning-course"
TIMEOUT = 60


def _free_port(count: int = 1) -> int:
    """A port p with p .. p+count-1 free on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + count < 65000 and all(_is_free(port + i) for i in range(count)):
            return port
    raise RuntimeError("no free ports")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Instructor", "-c", "user.email=i@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def workdir():
    if os.geteuid() != 0:
        pytest.fail("make test-hub creates one system user per learner: run it as root")
    folder = Path(tempfile.mkdtemp(prefix="course-hub-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def course_repo(workdir):
    """The student build as a git repository, served read-only by git daemon on 127.0.0.1."""
    student = REPO / "build" / "student"
    assert (student / NOTEBOOK).exists(), "run make student first (make test-hub does)"
    work, served = workdir / "instructor", workdir / "served"
    shutil.copytree(student, work)
    _git("init", "-q", "-b", "main", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "Course for the workshop", cwd=work)
    served.mkdir()
    _git("clone", "-q", "--bare", str(work), str(served / "course.git"), cwd=workdir)
    _git("remote", "add", "origin", str(served / "course.git"), cwd=work)
    port = _free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={served}",
            "--export-all",
            str(served),
        ],
        start_new_session=True,
    )
    try:
        yield {"url": f"git://127.0.0.1:{port}/course.git", "work": work}
    finally:
        _stop(daemon)


@pytest.fixture(scope="module")
def hub(workdir):
    """The hub of hub/jupyterhub_config.py, with an instructor token; stopped and cleaned up after."""
    port, token = _free_port(3), secrets.token_hex(16)
    state = workdir / "hub"
    state.mkdir()
    env = dict(
        os.environ,
        COURSE_HUB_PORT=str(port),
        COURSE_HUB_PASSWORD=PASSWORD,
        COURSE_HUB_SERVICE_TOKEN=token,
        COURSE_HUB_QUICK=os.environ.get("COURSE_HUB_QUICK", ""),
    )
    for name in LEARNERS:  # a fresh home for every learner
        subprocess.run(["userdel", "--remove", course_hub.system_user(name)], capture_output=True)
    log = open(state / "hub.log", "w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("jupyterhub")),
            "-f",
            str(REPO / "hub" / "jupyterhub_config.py"),
        ],
        cwd=state,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert process.poll() is None, (state / "hub.log").read_text()[-3000:]
            try:
                if requests.get(f"{url}/hub/api/", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(1)
        else:
            pytest.fail(
                "the hub did not answer within 90 s:\n" + (state / "hub.log").read_text()[-3000:]
            )
        yield {"url": url, "admin": {"Authorization": f"token {token}"}, "log": state / "hub.log"}
    finally:
        _stop(process)
        log.close()
        for name in LEARNERS:  # anything of a learner's still running, by process id
            for pid in course_hub.processes(name):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(
                ["userdel", "--remove", course_hub.system_user(name)], capture_output=True
            )
            group = course_hub.learner_cgroup(name)
            if group is not None and group[0].exists():
                time.sleep(0.5)
                group[0].rmdir()


def _sign_in(hub, name: str, password: str) -> requests.Response:
    return requests.post(
        f"{hub['url']}/hub/api/users/{name}/tokens",
        json={"auth": {"username": name, "password": password}, "note": "workshop test"},
        timeout=TIMEOUT,
    )


def _start_server(hub, name: str, token: str) -> None:
    headers = {"Authorization": f"token {token}"}
    response = requests.post(
        f"{hub['url']}/hub/api/users/{name}/server", headers=headers, timeout=TIMEOUT
    )
    assert response.status_code in (201, 202), response.text + hub["log"].read_text()[-3000:]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        user = requests.get(
            f"{hub['url']}/hub/api/users/{name}", headers=headers, timeout=TIMEOUT
        ).json()
        if user.get("servers", {}).get("", {}).get("ready"):
            return
        time.sleep(1)
    pytest.fail(f"{name}'s server did not start in 180 s:\n" + hub["log"].read_text()[-3000:])


def _pull(hub, name: str, token: str, repo: str) -> str:
    """nbgitpuller's sync endpoint (what the link's page calls); the event stream, checked."""
    response = requests.get(
        f"{hub['url']}/user/{name}/git-pull/api",
        params={"repo": repo, "branch": "main", "targetpath": FOLDER},
        headers={"Authorization": f"token {token}"},
        timeout=300,
    )
    assert response.status_code == 200, response.text
    events = [
        json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")
    ]
    assert events and events[-1].get("phase") == "finished", f"{name}: {events[-3:]}"
    return response.text


def _contents(hub, name: str, token: str, path: str) -> dict:
    response = requests.get(
        f"{hub['url']}/user/{name}/api/contents/{FOLDER}/{path}",
        headers={"Authorization": f"token {token}"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, f"{name}: {response.status_code} {response.text[:300]}"
    return response.json()["content"]


class Kernel:
    """A kernel in a learner's server, driven through the Jupyter server REST and websocket API."""

    def __init__(self, hub, name: str, token: str, cwd: str):
        self.base, self.headers = (
            f"{hub['url']}/user/{name}/api/kernels",
            {"Authorization": f"token {token}"},
        )
        response = requests.post(
            self.base, json={"name": "python3", "path": cwd}, headers=self.headers, timeout=TIMEOUT
        )
        assert response.status_code == 201, response.text
        self.id, self.session = response.json()["id"], uuid.uuid4().hex
        ws_url = self.base.replace("http://", "ws://") + f"/{self.id}/channels"
        self.ws = websocket.create_connection(
            ws_url, header=[f"Authorization: token {token}"], timeout=900
        )

    def run(self, code: str) -> tuple[str, dict | None]:
        """Run ``code``; return its printed text and its error (None if it ran)."""
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "session": self.session,
            "username": "",
            "msg_type": "execute_request",
            "version": "5.3",
        }
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        self.ws.send(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        text, error, replied, idle = [], None, False, False
        while not (replied and idle):
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream":
                text.append(message["content"]["text"])
            elif kind == "error":
                error = message["content"]
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
        return "".join(text), error

    def close(self) -> None:
        self.ws.close()
        requests.delete(f"{self.base}/{self.id}", headers=self.headers, timeout=TIMEOUT)


def _run_notebook(hub, name: str, token: str) -> dict:
    """Run every code cell of the learner's copy of NOTEBOOK; time, peak memory and failures."""
    notebook = _contents(hub, name, token, NOTEBOOK)
    kernel = Kernel(hub, name, token, f"{FOLDER}/{Path(NOTEBOOK).parent}")
    peak_rss, peak_pss, stop = [0], [0], threading.Event()

    def sample():  # memory of the learner's server and kernel: resident, and proportional (PSS:
        # shared libraries such as TensorFlow's split between the processes that map them)
        while not stop.wait(0.5):
            total = shared = 0
            for pid in course_hub.processes(name):
                try:
                    memory = psutil.Process(pid).memory_full_info()
                except psutil.Error:
                    continue
                total, shared = total + memory.rss, shared + memory.pss
            peak_rss[0], peak_pss[0] = max(peak_rss[0], total), max(peak_pss[0], shared)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    failures, start = [], time.monotonic()
    try:
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                continue
            _, error = kernel.run(cell["source"])
            if error and "raises-exception" not in cell["metadata"].get("tags", []):
                failures.append(f"cell {index}: {error['ename']}: {error['evalue'][:200]}")
                break
    finally:
        seconds = time.monotonic() - start
        stop.set()
        sampler.join()
        kernel.close()
    return {
        "learner": name,
        "seconds": round(seconds, 1),
        "peak_rss_gb": round(peak_rss[0] / 1e9, 2),
        "peak_pss_gb": round(peak_pss[0] / 1e9, 2),
        "cgroup_peak_gb": round((course_hub.peak_memory(name) or 0) / 1e9, 2),
        "failures": failures,
    }


def _concurrently(function, names, *args):
    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(lambda name: function(name, *args), names))


def _summary(runs: list[dict]) -> dict:
    seconds = sorted(r["seconds"] for r in runs)
    return {
        "learners": len(runs),
        "median_seconds": seconds[len(seconds) // 2],
        "max_seconds": seconds[-1],
        "max_peak_rss_gb": max(r["peak_rss_gb"] for r in runs),
        "max_peak_pss_gb": max(r["peak_pss_gb"] for r in runs),
        "max_cgroup_peak_gb": max(r["cgroup_peak_gb"] for r in runs),
        "load_average_before": os.getloadavg()[0],
        "runs": runs,
    }


@pytest.mark.skipif(os.environ.get("COURSE_HUB_TEST") != "1", reason="make test-hub runs it")
@pytest.mark.timeout(1800)
def test_a_workshop_on_the_hub(hub, course_repo):
    admin = hub["admin"]
    response = requests.post(
        f"{hub['url']}/hub/api/users", json={"usernames": LEARNERS}, headers=admin, timeout=TIMEOUT
    )
    assert response.status_code == 201, response.text

    # Sign in through the REST API with the shared password; a wrong one is refused.
    assert _sign_in(hub, LEARNERS[0], "not-the-password").status_code == 403
    tokens = {}
    for name in LEARNERS:
        response = _sign_in(hub, name, PASSWORD)
        assert response.status_code == 201, response.text
        tokens[name] = response.json()["token"]

    _concurrently(lambda name: _start_server(hub, name, tokens[name]), LEARNERS)
    _concurrently(lambda name: _pull(hub, name, tokens[name], course_repo["url"]), LEARNERS)
    homes = {
        name: Path(os.path.expanduser(f"~{course_hub.system_user(name)}")) for name in LEARNERS
    }
    for name in LEARNERS:
        assert (homes[name] / FOLDER / NOTEBOOK).exists()
        assert homes[name].stat().st_uid != 0 and (homes[name].stat().st_mode & 0o077) == 0

    # Isolation: A's token reaches nothing of B's, A's kernel cannot read B's files.
    a, b = LEARNERS[0], LEARNERS[1]
    as_a = {"Authorization": f"token {tokens[a]}"}
    attempts = [
        requests.get(
            f"{hub['url']}/user/{b}/api/contents/{FOLDER}",
            headers=as_a,
            timeout=TIMEOUT,
            allow_redirects=False,
        ),
        requests.post(
            f"{hub['url']}/user/{b}/api/kernels",
            json={"name": "python3"},
            headers=as_a,
            timeout=TIMEOUT,
            allow_redirects=False,
        ),
        requests.get(f"{hub['url']}/hub/api/users/{b}", headers=as_a, timeout=TIMEOUT),
        requests.post(f"{hub['url']}/hub/api/users/{b}/server", headers=as_a, timeout=TIMEOUT),
        requests.post(
            f"{hub['url']}/hub/api/users/{b}/tokens", json={}, headers=as_a, timeout=TIMEOUT
        ),
    ]
    isolation = [
        f"{r.request.method} {r.url.split(hub['url'])[1]}: {r.status_code}" for r in attempts
    ]
    assert all(r.status_code in (403, 404) for r in attempts), [
        (r.request.method, r.url, r.status_code) for r in attempts
    ]
    kernel = Kernel(hub, a, tokens[a], FOLDER)
    try:
        target = homes[b] / FOLDER / NOTEBOOK
        printed, error = kernel.run(
            f"import getpass, pathlib\nprint(getpass.getuser())\n"
            f"try:\n    pathlib.Path({str(target)!r}).read_text()\n    print('READ')\nexcept PermissionError:\n    print('DENIED')"
        )
    finally:
        kernel.close()
    assert error is None and printed.split() == [course_hub.system_user(a), "DENIED"], printed

    # Every learner runs the notebook at the same time.
    runs = _concurrently(lambda name: _run_notebook(hub, name, tokens[name]), LEARNERS)
    assert not [r for r in runs if r["failures"]], runs
    results = {
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 1e9, 1),
            "python": platform.python_version(),
        },
        "notebook": NOTEBOOK,
        "mode": "quick" if os.environ.get("COURSE_HUB_QUICK") else "full",
        "memory_limit": os.environ.get("COURSE_HUB_MEMORY", "2G"),
        "concurrent": [_summary(runs)],
        "isolation": isolation,
    }

    # Each learner edits the welcome notebook; the instructor fixes another one and pushes.
    for name in LEARNERS:  # saved from JupyterLab: a PUT to the contents API
        notebook = _contents(hub, name, tokens[name], NOTEBOOK)
        notebook["cells"].append(
            {
                "cell_type": "markdown",
                "id": f"note-{name}",
                "metadata": {},
                "source": f"My notes, {name}",
            }
        )
        response = requests.put(
            f"{hub['url']}/user/{name}/api/contents/{FOLDER}/{NOTEBOOK}",
            json={"type": "notebook", "format": "json", "content": notebook},
            headers={"Authorization": f"token {tokens[name]}"},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
    work = course_repo["work"]
    fixed = sorted((work / "notebooks").glob("[0-9][0-9]_*.ipynb"))[1]
    notebook = json.loads(fixed.read_text())
    notebook["cells"].insert(
        1,
        {
            "cell_type": "markdown",
            "id": "instructor-fix",
            "metadata": {},
            "source": ["Instructor's fix"],
        },
    )
    fixed.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    (work / "notebooks" / "workshop_notes.md").write_text("Slides and links for today.\n")
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "Instructor's fix during the workshop", cwd=work)
    _git("push", "-q", "origin", "main", cwd=work)

    _concurrently(lambda name: _pull(hub, name, tokens[name], course_repo["url"]), LEARNERS)
    for name in LEARNERS:
        mine = _contents(hub, name, tokens[name], NOTEBOOK)
        assert mine["cells"][-1]["source"] == f"My notes, {name}", f"{name}'s edit was lost"
        theirs = _contents(hub, name, tokens[name], f"notebooks/{fixed.name}")
        assert theirs["cells"][1]["source"] == "Instructor's fix", f"{name} did not get the fix"
        assert (homes[name] / FOLDER / "notebooks" / "workshop_notes.md").exists()

    capacity = [int(n) for n in os.environ.get("COURSE_HUB_CAPACITY", "").split(",") if n.strip()]
    for count in capacity:
        if count > len(LEARNERS):
            pytest.fail(f"HUB_CAPACITY asks for {count} learners; set HUB_LEARNERS={count} or more")
        runs = _concurrently(lambda name: _run_notebook(hub, name, tokens[name]), LEARNERS[:count])
        assert not [r for r in runs if r["failures"]], runs
        results["concurrent"].append(_summary(runs))
    if capacity:
        results["concurrent"] = results["concurrent"][1:]  # the table is the requested series
    _report(results)

    # After the measurements (its peak would fill the cgroup column), the memory limit: a process
    # of A's that grows past it is killed, and A's kernel lives on.
    group = course_hub.learner_cgroup(a)
    limit = int((group[0] / course_hub.FILES[group[1]][0]).read_text()) if group else 0
    assert 0 < limit < psutil.virtual_memory().total, "no memory limit on the learner's server"
    kernel = Kernel(hub, a, tokens[a], FOLDER)
    try:
        grow = f"data = b'x' * {limit + 300 * 2**20}"
        printed, error = kernel.run(
            f"import subprocess, sys\nprint(subprocess.run([sys.executable, '-c', {grow!r}]).returncode)"
        )
    finally:
        kernel.close()
    assert error is None and printed.split() == ["-9"], f"not killed at the limit: {printed}"


def _report(results: dict) -> None:
    out = REPO / "build" / "hub-capacity.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    rows = results["concurrent"]
    single = next((r["median_seconds"] for r in rows if r["learners"] == 1), None)
    print(
        f"\n{results['notebook']} ({results['mode']} mode) on {results['machine']['cores']} cores, "
        f"{results['machine']['memory_gb']} GB; written to {out.relative_to(REPO)}"
    )
    print(
        "| learners at once | median s | max s | slowdown vs 1 | peak PSS per learner GB "
        "| peak RSS GB | cgroup peak GB | load before |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        slowdown = f"{row['median_seconds'] / single:.1f}×" if single else "-"
        print(
            f"| {row['learners']} | {row['median_seconds']} | {row['max_seconds']} | {slowdown} | "
            f"{row['max_peak_pss_gb']} | {row['max_peak_rss_gb']} | {row['max_cgroup_peak_gb']} | "
            f"{row['load_average_before']:.1f} |"
        )
    cores = results["machine"]["cores"]
    crowd = max(rows, key=lambda row: row["learners"])  # shared libraries split among the most
    print(
        f"learners per GB (1 / peak PSS per learner, {crowd['learners']} at once): {1 / crowd['max_peak_pss_gb']:.1f}"
    )
    if single:  # the most learners at once whose median run stays within twice one learner's
        fit = max(row["learners"] for row in rows if row["median_seconds"] <= 2 * single)
        print(f"learners per core (median within 2x of one learner): {fit / cores:.1f}")


def _load_config(monkeypatch, **env):
    from traitlets.config import Config

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    runpy.run_path(
        str(REPO / "hub" / "jupyterhub_config.py"), init_globals={"get_config": lambda: config}
    )
    return config


def test_the_hub_config_listens_on_localhost_with_the_course_settings(monkeypatch):
    config = _load_config(
        monkeypatch,
        COURSE_HUB_PASSWORD="a shared secret",
        COURSE_HUB_PORT="9100",
        COURSE_HUB_MEMORY="3G",
    )
    assert config.JupyterHub.bind_url == "http://127.0.0.1:9100"
    assert config.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert config.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert config.SharedPasswordAuthenticator.user_password == "a shared secret"
    assert config.JupyterHub.spawner_class is course_hub.LearnerSpawner
    assert config.Spawner.mem_limit == "3G"
    culler = next(s for s in config.JupyterHub.services if s["name"] == "idle-culler")
    assert "--timeout=3600" in culler["command"]


@pytest.mark.parametrize("password", ["", "short"])
def test_the_hub_refuses_to_start_without_a_real_password(monkeypatch, password):
    with pytest.raises(SystemExit, match="HUB_PASSWORD"):
        _load_config(monkeypatch, COURSE_HUB_PASSWORD=password)


def test_learner_names_map_to_safe_system_accounts():
    import re

    assert course_hub.system_user("root") == "jupyter-root"
    assert all(re.match(course_hub.USERNAME_PATTERN, n) for n in ["ada", "learner01", "b-2_c"])
    assert not any(
        re.match(course_hub.USERNAME_PATTERN, n)
        for n in ["Ada", "../x", "-x", "a" * 24, "ada lovelace"]
    )


def test_the_nbgitpuller_link_opens_the_welcome_notebook():
    from urllib.parse import parse_qs, urlsplit

    link = course_hub.nbgitpuller_link("http://127.0.0.1:8765/", "https://github.com/ada/course")
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parts.query)
    assert query["repo"] == ["https://github.com/ada/course"] and query["branch"] == ["main"]
    assert query["urlpath"] == ["lab/tree/deep-learning-course/notebooks/00_welcome.ipynb"]


def test_the_kubernetes_limits_cover_the_heaviest_notebook():
    values = yaml.safe_load((REPO / "hub" / "z2jh-config.yaml").read_text())
    memory = values["singleuser"]["memory"]
    measured = json.loads((REPO / "benchmarks" / "results" / "latest.json").read_text())[
        "notebooks"
    ]
    heaviest = max(entry["peak_rss_bytes"] for entry in measured.values())
    to_bytes = {"G": 1e9, "M": 1e6}
    limit = float(memory["limit"][:-1]) * to_bytes[memory["limit"][-1]]
    assert limit >= heaviest + 0.2e9, "the limit must hold the heaviest kernel plus the server"
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "shared-password"
    assert values["cull"]["enabled"] is True
