"""Infrastructure for notebook 01's download lesson: a misbehaving local HTTP server and helpers.

The downloader itself (``safe_filename``, ``fetch_once``, ``download_file``,
``download_manifest``) is written in notebook 01 and exported to :mod:`course_utils.strategy`.
:class:`DemoServer` serves good and bad files on ``127.0.0.1`` (no internet needed) for that
lesson and ``tests/test_download.py``; :func:`list_files` shows what a download left on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

_JPEG_START = b"\xff\xd8\xff"


def list_files(root: str | os.PathLike[str]) -> list[tuple[str, int, str]]:
    """Every file under ``root``: (relative path, size in bytes, what its bytes say it is)."""
    root = Path(root)
    rows = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        body = path.read_bytes()
        if body.startswith(_JPEG_START):
            complete = body.rstrip(b"\x00").endswith(b"\xff\xd9")
            kind = "JPEG" if complete else "JPEG, cut short (no end marker)"
        elif body[:16].lstrip().lower().startswith((b"<html", b"<!doctype")):
            kind = "HTML page"
        else:
            kind = "unknown"
        rows.append((path.relative_to(root).as_posix(), len(body), kind))
    return rows


# --------------------------------------------------------------------------- demo server
def demo_jpeg(seed: int = 0, size: int = 32) -> bytes:
    """A small valid JPEG image (random colour blocks) as bytes."""
    import numpy as np
    from PIL import Image

    blocks = np.random.default_rng(seed).integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    pixels = np.kron(blocks, np.ones((size // 4, size // 4, 1), dtype=np.uint8))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


_NOT_FOUND = (
    b"<html><body><h1>404 Not Found</h1>The page you asked for does not exist.</body></html>"
)
_HUGE_BYTES = 50 * 2**20


class _Handler(BaseHTTPRequestHandler):
    server: _QuietServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the log
        pass

    def _headers(self, status: int, kind: str = "image/jpeg", length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def _reply(self, body: bytes, kind: str = "image/jpeg", status: int = 200) -> None:
        self._headers(status, kind, len(body))
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        owner: DemoServer = self.server.owner
        path = self.path.split("?")[0]
        owner.hits[path] = owner.hits.get(path, 0) + 1
        cat = owner.images["cat.jpg"]
        if path == "/data.json":
            self._reply(json.dumps(owner.manifest()).encode(), "application/json")
        elif path.startswith("/img/") and path[5:] in owner.images:
            self._reply(owner.images[path[5:]])
        elif path == "/slow.jpg":  # answers only after `delay` seconds
            if not owner.stop.wait(owner.delay):
                self._reply(cat)
        elif path in ("/cut.jpg", "/lying-length.jpg"):  # half a JPEG; /cut.jpg sends no length
            self.close_connection = True
            self._headers(200, length=len(cat) if path == "/lying-length.jpg" else None)
            self.wfile.write(cat[: len(cat) // 2])
        elif path == "/huge.jpg":  # 50 MB declared and streamed
            self._headers(200, length=_HUGE_BYTES)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(_HUGE_BYTES // 65536):
                    if owner.stop.is_set():
                        return
                    self.wfile.write(b"\xff" * 65536)
        elif path == "/flaky.jpg" and owner.hits[path] == 1:  # 503 once, then the image
            self._reply(b"", "text/plain", 503)
        elif path == "/flaky.jpg":
            self._reply(owner.images["dog.jpg"])
        else:
            self._reply(_NOT_FOUND, "text/html", 404)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: DemoServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up is expected


class DemoServer:
    """A local HTTP server on 127.0.0.1 (free port) serving good and misbehaving files.

    Endpoints: ``/data.json`` (a manifest in the shape the seed script expects),
    ``/img/cat.jpg`` and ``/img/dog.jpg`` (valid JPEGs), ``/slow.jpg`` (answers after
    ``delay`` s), ``/cut.jpg`` (half a JPEG, no Content-Length), ``/lying-length.jpg`` (declares
    more bytes than it sends), ``/huge.jpg`` (50 MB), ``/flaky.jpg`` (503 once, then OK);
    anything else is a 404 HTML page. Use it as a context manager; it stops on exit::

        with download.DemoServer(delay=2) as server:
            requests.get(server.url + "/img/cat.jpg", timeout=5)

    Args:
        delay: seconds ``/slow.jpg`` waits before answering (>= 0).
    """

    def __init__(self, delay: float = 2.0) -> None:
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ValueError(f"delay must be a number of seconds >= 0, got {delay!r}.")
        self.delay = float(delay)
        self.images = {"cat.jpg": demo_jpeg(1), "dog.jpg": demo_jpeg(2)}
        self.hits: dict[str, int] = {}
        self.stop = threading.Event()
        self._server: _QuietServer | None = None

    def manifest(self) -> dict[str, Any]:
        """The JSON at ``/data.json``: two good images, a 404, a hostile id, a cut file, a slow one."""
        digest = {name: hashlib.sha256(body).hexdigest() for name, body in self.images.items()}
        items = [
            {"id": "cat", "url": "/img/cat.jpg", "sha256": digest["cat.jpg"]},
            {"id": "dog", "url": "/img/dog.jpg", "sha256": digest["dog.jpg"]},
            {"id": "missing", "url": "/img/missing.jpg"},
            {"id": "../../evil", "url": "/img/cat.jpg"},
            {"id": "cut", "url": "/cut.jpg", "sha256": digest["cat.jpg"]},
            {"id": "slow", "url": "/slow.jpg"},
        ]
        return {"items": [{**item, "url": urljoin(self.url + "/", item["url"])} for item in items]}

    @property
    def url(self) -> str:
        """Base URL such as ``http://127.0.0.1:54321`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError(
                "the server is not running: use it in a `with` block or call start()."
            )
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoServer:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        return self

    def close(self) -> None:
        """Stop serving, wake sleeping handlers and release the port."""
        self.stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
