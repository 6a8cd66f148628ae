"""Offline suite (issue 16): with no network, every loader answers from the bundled data within 2 s.

The network is cut inside the test process (``socket.getaddrinfo`` and ``socket.socket.connect``
replaced) in three ways: the connection is refused, the name lookup fails at once, and the name
lookup hangs (30 s here, as on a firewalled or captive wifi). Each loader call is timed on its own,
with the imports done beforehand, so only the call is measured. One more test runs the loaders in a
fresh process inside a real network namespace (``unshare -rn``: no route at all) and checks that
the process probes the network once; it is skipped where namespaces are not allowed.

A machine shared with other jobs can keep a process off the CPU for seconds; that is not a wait
for the network. So a call's time leaves out the time its thread spent waiting in the CPU run
queue (Linux reports it in /proc; elsewhere nothing is left out), and a call still over the bound
is timed once more with the probe forgotten, since a wait for the network happens every time.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from course_utils import config, data, qa

LIMIT_S = 2.0  # the bound on a loader call with no network
HANG_S = 30  # a name lookup that hangs this long (the fixture releases it when the test ends)
MODES = ["refused", "no-dns", "hanging-dns"]


class Network:
    """What the loaders did to the (cut) network: the host names they looked up."""

    def __init__(self) -> None:
        self.lookups: list[str] = []
        self.release = threading.Event()


@pytest.fixture(scope="module", autouse=True)
def _imports_before_timing():
    """Import the heavy libraries once, so that a timed call measures the call, not an import."""
    import keras  # noqa: F401
    import sklearn.model_selection  # noqa: F401
    import yaml  # noqa: F401


@pytest.fixture
def network(request, monkeypatch, tmp_path):
    """The network cut as ``request.param`` says; no local full copy of any dataset."""
    mode, cut = request.param, Network()

    def getaddrinfo(host, port, *args, **kwargs):
        cut.lookups.append(host)
        if mode == "hanging-dns":
            cut.release.wait(HANG_S)
        if mode in ("no-dns", "hanging-dns"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (test)")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port))]

    def connect(self, address):
        if mode == "hanging-connect":
            cut.release.wait(HANG_S)
        raise ConnectionRefusedError(111, "Connection refused (test)")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    monkeypatch.setenv("COURSE_OFFLINE", "1" if mode == "COURSE_OFFLINE=1" else "0")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no Keras copy of MNIST
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", tmp_path / "no-debian-package")
    data._probe.cache_clear()
    yield cut
    cut.release.set()  # let a hanging lookup thread finish
    data._probe.cache_clear()


def bundled_images(n_train: int):
    def check(result, out: str) -> None:
        (x_train, _), (x_test, _) = result
        assert x_train.shape == (n_train, 28, 28) and x_test.shape == (2000, 28, 28)
        assert out.count("\n") == 1, f"one line says what happened: {out!r}"
        for words in ("bundled sample", "no network connection", "`make fetch-data`"):
            assert words in out, f"{words!r} missing from {out!r}"

    return check


def bundled_spam(result, out: str) -> None:
    (x_train, _), (x_test, _) = result
    assert len(x_train) + len(x_test) == 5783
    assert out.count("\n") == 1 and "whole cleaned corpus bundled" in out


def imdb_unavailable(result, out: str) -> None:
    assert isinstance(result, data.DataUnavailableError), "IMDB has no bundled copy"
    for words in ("Full imdb is not available (no network connection)", "`make fetch-data`"):
        assert words in str(result)


def full_mnist_unavailable(result, out: str) -> None:
    assert isinstance(result, data.DataUnavailableError)
    assert "no network connection" in str(result) and "`make fetch-data`" in str(result)


def spam_records(records, out: str) -> None:
    assert len(records) == 5783 and {"subject", "body", "label"} <= set(records[0])


def generator(model, out: str) -> None:
    assert model.input_shape == (None, 64) and model.output_shape == (None, 28, 28, 1)


def bank(loaded, out: str) -> None:
    assert len(loaded.questions) >= 60


def sources(info, out: str) -> None:
    assert info["mnist"].bundled and not info["mnist"].full_local and not info["imdb"].full_local


LOADERS = {
    "load_mnist()": (data.load_mnist, bundled_images(8000)),
    "load_fashion_mnist()": (data.load_fashion_mnist, bundled_images(6000)),
    "load_dataset('mnist')": (lambda: data.load_dataset("mnist"), bundled_images(8000)),
    "load_dataset('fashion_mnist')": (
        lambda: data.load_dataset("fashion_mnist"),
        bundled_images(6000),
    ),
    "load_mnist('full')": (lambda: data.load_mnist("full"), full_mnist_unavailable),
    "load_spam()": (data.load_spam, bundled_spam),
    "load_dataset('spam')": (lambda: data.load_dataset("spam"), bundled_spam),
    "load_spam_records()": (data.load_spam_records, spam_records),
    "load_imdb()": (data.load_imdb, imdb_unavailable),
    "load_dataset('imdb')": (lambda: data.load_dataset("imdb"), imdb_unavailable),
    "load_pretrained_generator()": (data.load_pretrained_generator, generator),
    "qa.load_bank()": (qa.load_bank, bank),
    "describe_sources()": (data.describe_sources, sources),
}


def run_queue_wait_s() -> float:
    """Seconds this thread has waited for a CPU so far (Linux schedstat; 0.0 where unavailable)."""
    try:
        stats = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").read_text()
        return int(stats.split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def test_every_public_loader_is_timed():
    public = {f"{name}(" for name in dir(data) if name.startswith("load_")} | {"qa.load_bank("}
    assert all(any(key.startswith(name) for key in LOADERS) for name in public), public


def timed(call, capsys) -> tuple[object, float, str, int]:
    """The result (or DataUnavailableError) of ``call()``, the seconds it took less its wait for a
    CPU, what it printed, and the number of tries (a second one, probing the network afresh, when
    the first is over the bound)."""
    tries = 0
    while tries < 2:
        tries += 1
        data._probe.cache_clear()
        capsys.readouterr()
        queued, start = run_queue_wait_s(), time.perf_counter()
        try:
            result = call()
        except data.DataUnavailableError as error:
            result = error
        seconds = time.perf_counter() - start - (run_queue_wait_s() - queued)
        if seconds < LIMIT_S:
            break
    return result, seconds, capsys.readouterr().out, tries


@pytest.mark.parametrize("network", MODES, indirect=True)
@pytest.mark.parametrize("loader", LOADERS)
def test_every_loader_answers_within_the_bound_with_no_network(loader, network, capsys):
    call, check = LOADERS[loader]
    result, seconds, out, tries = timed(call, capsys)
    assert seconds < LIMIT_S, f"{loader} took {seconds:.2f} s with no network (twice)"
    check(result, out)
    assert len(network.lookups) <= tries, "at most one probe per call here (a fresh process)"


@pytest.mark.parametrize(
    ("network", "lookups"),
    [*[(mode, 1) for mode in MODES], ("hanging-connect", 1), ("COURSE_OFFLINE=1", 0)],
    indirect=["network"],
)
def test_the_network_is_probed_at_most_once_per_process(network, lookups):
    for _ in range(3):
        for name in ("mnist", "fashion_mnist", "imdb"):
            try:
                data.load_dataset(name, verbose=False)
            except data.DataUnavailableError:
                pass
    assert len(network.lookups) == lookups


NAMESPACE_SCRIPT = """
import json, socket, sys, threading, time
from pathlib import Path
def run_queue_wait_s():
    try:
        stats = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").read_text()
        return int(stats.split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0
lookups = []
real_getaddrinfo = socket.getaddrinfo
def counting_getaddrinfo(host, *args, **kwargs):
    lookups.append(host)
    return real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = counting_getaddrinfo
import sklearn.model_selection, yaml
from course_utils import data, qa
calls = {
    "load_mnist()": data.load_mnist, "load_mnist() again": data.load_mnist,
    "load_spam()": data.load_spam, "load_imdb()": data.load_imdb, "qa.load_bank()": qa.load_bank,
}
times, outcomes = {}, {}
for name, call in calls.items():
    queued, start = run_queue_wait_s(), time.perf_counter()
    try:
        call()
        outcomes[name] = "ok"
    except data.DataUnavailableError as error:
        outcomes[name] = str(error)
    times[name] = time.perf_counter() - start - (run_queue_wait_s() - queued)
print(json.dumps({"times": times, "outcomes": outcomes, "lookups": lookups}))
"""


def _namespaces_allowed() -> bool:
    if sys.platform != "linux" or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _namespaces_allowed(), reason="no network namespaces here (unshare -rn)")
def test_loaders_in_a_network_namespace_probe_once_and_answer_within_the_bound(tmp_path):
    env = {
        **os.environ,
        "COURSE_OFFLINE": "0",
        "HOME": str(tmp_path),
        "COURSE_CACHE_DIR": str(tmp_path / "cache"),
    }
    run = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", NAMESPACE_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.REPO_ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["lookups"] == ["storage.googleapis.com"], "one probe for the whole process"
    assert all(seconds < LIMIT_S for seconds in report["times"].values()), report["times"]
    assert report["outcomes"]["load_mnist()"] == "ok" and report["outcomes"]["load_spam()"] == "ok"
    assert "no network connection" in report["outcomes"]["load_imdb()"]
    assert "Data: MNIST, bundled sample" in run.stdout
