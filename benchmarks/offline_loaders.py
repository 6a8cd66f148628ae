"""The slowest loader calls with the network cut three ways, as tests/test_offline.py cuts it.

    .venv/bin/python benchmarks/offline_loaders.py

Connections refused, name lookups failing, and name lookups hanging for 30 s; a fresh network
probe before each call. Prints the eight slowest calls: wall-clock time, and the same less the time
the thread waited for a CPU (what the test's 2 s bound counts on a loaded machine). Keras and
scikit-learn are imported first, as in the test: their import is start-up time, not the network.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp())
os.environ.update(COURSE_OFFLINE="0", HOME=str(TMP), COURSE_CACHE_DIR=str(TMP / "cache"))

import keras  # noqa: E402, F401  (imported first, as in the test: start-up, not the network)
import sklearn.model_selection  # noqa: E402, F401

from course_utils import data  # noqa: E402
from tests.test_offline import LOADERS, run_queue_wait_s  # noqa: E402

MODE = {"now": "refused"}
RELEASE = threading.Event()


def getaddrinfo(host, port, *args, **kwargs):
    if MODE["now"] == "hanging-dns":
        RELEASE.wait(30)
    if MODE["now"] in ("no-dns", "hanging-dns"):
        raise socket.gaierror(socket.EAI_NONAME, "no such name")
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", port))]


def refuse(self, address):
    raise ConnectionRefusedError(111, "refused")


def main() -> int:
    data.DEBIAN_FASHION_DIR = TMP / "none"  # as on a machine without the Debian package
    socket.getaddrinfo, socket.socket.connect = getaddrinfo, refuse
    rows = []
    for mode in ("refused", "no-dns", "hanging-dns"):
        MODE["now"] = mode
        for name, (call, _) in LOADERS.items():
            data._probe.cache_clear()
            waited, start = run_queue_wait_s(), time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                with contextlib.suppress(data.DataUnavailableError):
                    call()
            wall = time.perf_counter() - start
            rows.append((wall - (run_queue_wait_s() - waited), wall, mode, name))
    print("less CPU wait | wall-clock | network      | call")
    for net, wall, mode, name in sorted(rows, reverse=True)[:8]:
        print(f"{net:9.3f} s | {wall:8.3f} s | {mode:12s} | {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
