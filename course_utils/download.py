"""A robust file downloader, and a misbehaving local HTTP server to test downloaders against.

:func:`download_file` fixes what goes wrong with the usual ``requests.get(url).content`` loop:
it sets connect/read timeouts and an overall deadline, retries transient failures, refuses HTTP
errors, unsafe file names, wrong content types and oversized files, verifies a SHA-256 checksum
and writes atomically (a temporary file in the target folder, renamed only when complete).
:func:`download_manifest` applies it to a JSON list of items and reports per item instead of
dying on the first bad one.

:class:`DemoServer` serves good and bad files on ``127.0.0.1`` (a free port, no internet
needed) so the notebook and the tests can show each failure. Used by
``notebooks/01_startup_strategy.ipynb`` and ``tests/test_download.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import requests

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_RETRY_STATUS = {429, 500, 502, 503, 504}
MAGIC_BYTES = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}


class DownloadError(RuntimeError):
    """A download failed (network, HTTP status, size, type or checksum); the message says why."""


class ChecksumError(DownloadError):
    """The downloaded bytes do not have the expected SHA-256: corrupted, truncated or replaced."""


class TooLargeError(DownloadError):
    """The file is larger than the allowed ``max_bytes``."""


# --------------------------------------------------------------------------- file names
def safe_filename(item_id: Any, suffix: str = "") -> str:
    """Turn an untrusted id into a file name that cannot leave its folder, or refuse it.

    Allowed: 1-100 characters of letters, digits, ``_``, ``.``, ``-``, starting with a letter
    or digit (so no ``..``, no hidden files, no slashes, no drive letters).

    Args:
        item_id: the id from the untrusted source (must be a str).
        suffix: appended extension such as ``".jpg"`` (must itself be safe).

    Returns:
        ``item_id + suffix``.

    Raises:
        TypeError: ``item_id`` is not a string.
        ValueError: the id (or suffix) contains anything else; the message shows the id.
    """
    if not isinstance(item_id, str):
        raise TypeError(f"item id must be a string, got {type(item_id).__name__} {item_id!r}.")
    name = item_id + suffix
    if not _SAFE_NAME.match(name) or ".." in name:
        raise ValueError(
            f"unsafe item id {item_id!r}: use 1-100 letters, digits, '_', '.', '-' (no '/', '\\', "
            "'..', no leading dot). Refusing it rather than guessing what was meant."
        )
    return name


def _inside(folder: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- downloading
def _check_url(url: Any) -> str:
    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https"):
        raise ValueError(f"url must be an http(s) URL string, got {url!r}.")
    return url


def _fetch_once(
    session: requests.Session,
    url: str,
    tmp: io.BufferedWriter,
    *,
    timeout: tuple[float, float],
    deadline: float,
    max_bytes: int,
    content_types: tuple[str, ...] | None,
) -> int:
    """Stream ``url`` into ``tmp``; return the number of bytes. Raises requests or DownloadError."""
    start = time.monotonic()
    with session.get(url, timeout=timeout, stream=True, allow_redirects=True) as response:
        if response.status_code >= 400:
            error = DownloadError(f"HTTP {response.status_code} for {url}")
            error.status = response.status_code  # type: ignore[attr-defined]
            raise error
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_types is not None and not kind.startswith(content_types):
            raise DownloadError(
                f"{url} sent Content-Type {kind or 'none'!r}, expected {' or '.join(content_types)}"
                " (an HTML error page saved as an image is a classic silent failure)"
            )
        declared = response.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise TooLargeError(
                f"{url} declares {int(declared):,} bytes, more than max_bytes={max_bytes:,}"
            )
        received = 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            received += len(chunk)
            if received > max_bytes:
                raise TooLargeError(f"{url} sent more than max_bytes={max_bytes:,} bytes; stopped")
            if time.monotonic() - start > deadline:
                raise DownloadError(
                    f"{url} took longer than the overall deadline of {deadline:g} s"
                )
            tmp.write(chunk)
        if declared is not None and declared.isdigit() and received != int(declared):
            raise DownloadError(f"{url} is truncated: got {received:,} of {int(declared):,} bytes")
        return received


def download_file(
    url: str,
    folder: str | os.PathLike[str],
    filename: str,
    *,
    sha256: str | None = None,
    max_bytes: int = 10 * 2**20,
    timeout: tuple[float, float] = (3.05, 10.0),
    deadline: float = 60.0,
    retries: int = 2,
    backoff: float = 0.5,
    content_types: tuple[str, ...] | None = None,
    magic: bytes | None = None,
    session: requests.Session | None = None,
) -> Path:
    """Download ``url`` to ``folder/filename`` safely, or raise and leave nothing behind.

    Args:
        url: an ``http://`` or ``https://`` URL.
        folder: target folder (created if missing). Nothing is ever written outside it.
        filename: the file name inside ``folder``; checked with :func:`safe_filename`.
        sha256: expected hex SHA-256 of the file; when given, a mismatch raises ChecksumError.
        max_bytes: refuse files larger than this (checked on the header and while streaming).
        timeout: ``(connect, read)`` seconds; ``read`` bounds each wait for the next bytes.
        deadline: overall seconds per attempt (a server dripping one byte per second would
            otherwise never hit the read timeout).
        retries: extra attempts after connection errors, timeouts, HTTP 429/5xx and truncation
            (not after 4xx, size, type or checksum errors, which a retry cannot fix).
        backoff: seconds before the first retry, doubled each time.
        content_types: accepted Content-Type prefixes, e.g. ``("image/",)``; None accepts any.
        magic: required first bytes of the file, e.g. ``MAGIC_BYTES["jpeg"]``.
        session: a ``requests.Session`` to reuse connections; a new one by default.

    Returns:
        The path of the complete, verified file.

    Raises:
        ValueError, TypeError: bad URL, file name or arguments.
        DownloadError: HTTP error, timeout, truncation or wrong type after all retries.
        TooLargeError: the file exceeds ``max_bytes``.
        ChecksumError: the SHA-256 or the magic bytes do not match.
    """
    _check_url(url)
    name = safe_filename(filename)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be an int >= 0, got {retries!r}.")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive int, got {max_bytes!r}.")
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", str(sha256)):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not _inside(folder, target):  # belt and braces: also catches symlinked targets
        raise ValueError(f"{name!r} would be written outside {folder}.")
    own_session = session is None
    session = session or requests.Session()
    last_error: Exception | None = None
    try:
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            handle, tmp_name = tempfile.mkstemp(prefix=".part-", dir=folder)
            tmp_path = Path(tmp_name)
            try:
                with os.fdopen(handle, "wb") as tmp:
                    _fetch_once(
                        session, url, tmp, timeout=timeout, deadline=deadline,
                        max_bytes=max_bytes, content_types=content_types,
                    )  # fmt: skip
                if magic is not None:
                    with open(tmp_path, "rb") as f:
                        if f.read(len(magic)) != magic:
                            raise ChecksumError(
                                f"{url} does not start with the expected bytes {magic!r}"
                            )
                if sha256 is not None:
                    actual = sha256_of(tmp_path)
                    if actual != sha256.lower():
                        raise ChecksumError(
                            f"{url}: SHA-256 {actual[:16]}... differs from the expected {sha256[:16]}..."
                        )
                os.replace(tmp_path, target)  # atomic: readers see the old file or the new one
                return target
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as error:
                last_error = DownloadError(f"{url}: {type(error).__name__}: {error}")
            except DownloadError as error:
                status = getattr(error, "status", None)
                retryable = (status in _RETRY_STATUS) or (
                    status is None and "truncated" in str(error)
                )
                if isinstance(error, ChecksumError | TooLargeError) or not retryable:
                    raise
                last_error = error
            finally:
                tmp_path.unlink(missing_ok=True)
        raise DownloadError(f"gave up after {retries + 1} attempts: {last_error}") from last_error
    finally:
        if own_session:
            session.close()


@dataclass
class ManifestReport:
    """What :func:`download_manifest` did: saved paths and failures by item id."""

    saved: dict[str, Path] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line per item: ``ok`` or the reason it failed."""
        lines = [f"ok      {item_id!r:28} -> {path.name}" for item_id, path in self.saved.items()]
        lines += [f"FAILED  {item_id!r:28} {reason}" for item_id, reason in self.failed.items()]
        return "\n".join(lines)


def download_manifest(
    manifest_url: str, folder: str | os.PathLike[str], *, suffix: str = ".jpg", **kwargs: Any
) -> ManifestReport:
    """Download every item of a JSON manifest ``{"items": [{"id", "url", "sha256"?}, ...]}``.

    Relative URLs are resolved against the manifest's URL. A bad item is recorded in
    ``failed`` and the loop goes on.

    Args:
        manifest_url: http(s) URL of the JSON manifest.
        folder: target folder.
        suffix: file extension added to each id.
        **kwargs: passed to :func:`download_file` (``max_bytes``, ``timeout``, ...).

    Returns:
        A :class:`ManifestReport`.

    Raises:
        DownloadError: the manifest itself cannot be fetched or is not valid JSON.
    """
    _check_url(manifest_url)
    timeout = kwargs.get("timeout", (3.05, 10.0))
    try:
        response = requests.get(manifest_url, timeout=timeout)
        response.raise_for_status()
        items = response.json()["items"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise DownloadError(
            f"cannot read the manifest {manifest_url}: {type(error).__name__}: {error}"
        ) from error
    report = ManifestReport()
    with requests.Session() as session:
        for item in items:
            item_id = item.get("id") if isinstance(item, dict) else None
            key = str(item_id)
            try:
                name = safe_filename(item_id, suffix)
                url = urljoin(manifest_url, item["url"])
                report.saved[key] = download_file(
                    url, folder, name, sha256=item.get("sha256"), session=session, **kwargs
                )
            except (DownloadError, ValueError, TypeError, KeyError) as error:
                report.failed[key] = f"{type(error).__name__}: {error}"
    return report


# --------------------------------------------------------------------------- demo server
def demo_jpeg(seed: int = 0, size: int = 32) -> bytes:
    """A small valid JPEG image (random colour blocks) as bytes."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(4, 4, 3), dtype=np.uint8)
    pixels = np.kron(blocks, np.ones((size // 4, size // 4, 1), dtype=np.uint8))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    server: _QuietServer  # type: ignore[assignment]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the log
        pass

    def _send(self, status: int, body: bytes, content_type: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        owner: DemoServer = self.server.owner
        path = self.path.split("?")[0]
        owner.hits[path] = owner.hits.get(path, 0) + 1
        if path == "/data.json":
            body = json.dumps(owner.manifest()).encode()
            self._send(200, body, "application/json", len(body))
            self.wfile.write(body)
        elif path.startswith("/img/") and path[5:] in owner.images:
            body = owner.images[path[5:]]
            self._send(200, body, "image/jpeg", len(body))
            self.wfile.write(body)
        elif path == "/slow.jpg":  # answers only after `delay` seconds
            if owner.stop.wait(owner.delay):
                return
            body = owner.images["cat.jpg"]
            self._send(200, body, "image/jpeg", len(body))
            self.wfile.write(body)
        elif path == "/cut.jpg":  # no Content-Length: the client cannot tell the file is cut
            body = owner.images["cat.jpg"]
            self.close_connection = True
            self._send(200, body, "image/jpeg")
            self.wfile.write(body[: len(body) // 2])
        elif path == "/lying-length.jpg":  # declares more than it sends
            body = owner.images["cat.jpg"]
            self.close_connection = True
            self._send(200, body, "image/jpeg", len(body))
            self.wfile.write(body[: len(body) // 2])
        elif path == "/huge.jpg":  # 50 MB declared and streamed
            size = 50 * 2**20
            self._send(200, b"", "image/jpeg", size)
            chunk = b"\xff" * 65536
            try:
                for _ in range(size // len(chunk)):
                    if owner.stop.is_set():
                        return
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return
        elif path == "/flaky.jpg":  # 503 on the first request, then the image
            if owner.hits[path] == 1:
                self._send(503, b"", "text/plain", 0)
                return
            body = owner.images["dog.jpg"]
            self._send(200, body, "image/jpeg", len(body))
            self.wfile.write(body)
        else:
            body = b"<html><body><h1>404 Not Found</h1>The page you asked for does not exist.</body></html>"
            self._send(404, body, "text/html", len(body))
            self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: DemoServer

    def handle_error(
        self, request: Any, client_address: Any
    ) -> None:  # clients hanging up is expected
        pass


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
        manifest_items: items of ``/data.json``; defaults to :meth:`default_items`.
    """

    def __init__(
        self, delay: float = 2.0, manifest_items: list[dict[str, Any]] | None = None
    ) -> None:
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ValueError(f"delay must be a number of seconds >= 0, got {delay!r}.")
        self.delay = float(delay)
        self.images = {"cat.jpg": demo_jpeg(1), "dog.jpg": demo_jpeg(2)}
        self.items = manifest_items
        self.hits: dict[str, int] = {}
        self.stop = threading.Event()
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    def default_items(self) -> list[dict[str, Any]]:
        """The demo manifest: two good images, a 404, a hostile id, a cut file, a slow one."""
        return [
            {
                "id": "cat",
                "url": "/img/cat.jpg",
                "sha256": hashlib.sha256(self.images["cat.jpg"]).hexdigest(),
            },
            {
                "id": "dog",
                "url": "/img/dog.jpg",
                "sha256": hashlib.sha256(self.images["dog.jpg"]).hexdigest(),
            },
            {"id": "missing", "url": "/img/missing.jpg"},
            {"id": "../../evil", "url": "/img/cat.jpg"},
            {
                "id": "cut",
                "url": "/cut.jpg",
                "sha256": hashlib.sha256(self.images["cat.jpg"]).hexdigest(),
            },
            {"id": "slow", "url": "/slow.jpg"},
        ]

    def manifest(self) -> dict[str, Any]:
        """The JSON served at ``/data.json``: ``{"items": [...]}`` with absolute URLs."""
        items = self.items if self.items is not None else self.default_items()
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
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
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


def list_files(root: str | os.PathLike[str]) -> list[tuple[str, int, str]]:
    """Every file under ``root``: (relative path, size in bytes, what its first bytes say)."""
    root = Path(root)
    rows = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        head = path.read_bytes()[:16]
        if head.startswith(MAGIC_BYTES["jpeg"]):
            data = path.read_bytes()
            kind = (
                "JPEG"
                if data.rstrip(b"\x00").endswith(b"\xff\xd9")
                else "JPEG, cut short (no end marker)"
            )
        elif head.lstrip().lower().startswith((b"<html", b"<!doctype")):
            kind = "HTML page"
        else:
            kind = "unknown"
        rows.append((path.relative_to(root).as_posix(), path.stat().st_size, kind))
    return rows
