"""A classroom shares a cache: processes that fetch one file into one folder at the same moment.

Four processes start `data_safety.download_file` on the same URL, target and checksum at once
(a barrier of files makes them start together). The lock per file lets one of them download;
the others wait, then find the verified file. The local server counts one download, and all
four read the complete, correct bytes. A second test reads the target while a download is
arriving in pieces: it never sees half a file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from hostile_server import BODY, BODY_SHA256, HostileServer

from course_utils import data_safety

pytestmark = pytest.mark.timeout(120)

PROCESSES = 4

CHILD = textwrap.dedent(
    """
    import hashlib, json, sys, time
    from pathlib import Path
    from course_utils import data_safety

    url, folder, sha256, number = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    (folder.parent / f"ready-{number}").touch()
    start = time.monotonic()
    while not (folder.parent / "go").exists():  # the barrier: all processes start together
        if time.monotonic() - start > 60:
            sys.exit("the parent never said go")
        time.sleep(0.005)
    path = data_safety.download_file(url, folder, "shared.jpg", sha256=sha256, deadline=30)
    print(json.dumps({"path": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}))
    """
)


@pytest.fixture
def server():
    running = HostileServer().start()
    try:
        yield running
    finally:
        running.close()


def test_four_processes_one_download_four_correct_reads(server, tmp_path):
    cache = tmp_path / "shared" / "cache"
    cache.parent.mkdir()
    url = server.url + "/slow-ok"  # answers after 0.5 s: the first holds the lock meanwhile
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(cache), BODY_SHA256, str(number)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(PROCESSES)
    ]
    try:
        deadline = time.monotonic() + 90
        while len(list(tmp_path.joinpath("shared").glob("ready-*"))) < PROCESSES:
            assert time.monotonic() < deadline, "the processes did not start"
            assert all(child.poll() is None for child in children), [
                c.communicate() for c in children
            ]
            time.sleep(0.01)
        (tmp_path / "shared" / "go").touch()
        results = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_out, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err
    reads = [json.loads(out) for out, _ in results]
    assert server.hits["/slow-ok"] == 1  # one download; three processes found the verified file
    assert {read["sha256"] for read in reads} == {BODY_SHA256}
    assert {read["path"] for read in reads} == {str(cache / "shared.jpg")}
    assert sorted(p.name for p in cache.iterdir()) == [".shared.jpg.lock", "shared.jpg"]


def test_four_threads_one_download(server, tmp_path):
    cache = tmp_path / "cache"
    paths, errors = [], []

    def fetch():
        try:
            paths.append(
                data_safety.download_file(
                    server.url + "/slow-ok", cache, "shared.jpg", sha256=BODY_SHA256
                )
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=fetch) for _ in range(PROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(paths) == PROCESSES
    assert server.hits["/slow-ok"] == 1
    assert all(path.read_bytes() == BODY for path in paths)


def test_a_reader_never_sees_half_a_file(server, tmp_path):
    cache = tmp_path / "cache"
    target = cache / "shared.jpg"
    seen: list[bytes] = []
    done = threading.Event()

    def read_while_downloading():
        while not done.is_set():
            if target.exists():
                seen.append(target.read_bytes())
            time.sleep(0.001)

    reader = threading.Thread(target=read_while_downloading)
    reader.start()
    try:  # /slow-chunks sends the file in ten pieces over about half a second
        data_safety.download_file(
            server.url + "/slow-chunks", cache, "shared.jpg", sha256=BODY_SHA256
        )
    finally:
        done.set()
        reader.join()
    seen.append(target.read_bytes())
    assert all(body == BODY for body in seen)
    assert [p.name for p in cache.iterdir() if ".part-" in p.name] == []
