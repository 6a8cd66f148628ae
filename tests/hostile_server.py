"""A hostile HTTP server for the downloader's test suite (tests/test_hostile_server.py).

Every behaviour is a small function registered under its path: `/drip-body` drips its body,
`/redirect-file` redirects to file:///etc/passwd, `/manifest-duplicates` serves a list with a
duplicate id, and so on (`BEHAVIOURS` lists them all). Responses are written byte by byte on the
socket, so that a behaviour can break HTTP in any way it likes. The server listens on 127.0.0.1
on a free port, runs each connection in a daemon thread, counts the requests per path (`hits`),
and `close()` wakes every handler that waits, so nothing outlives the test that started it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import random
import socket
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JPEG_MAGIC = b"\xff\xd8\xff"
BODY = JPEG_MAGIC + random.Random(16).randbytes(3_000)  # the good file every test expects
BODY_SHA256 = hashlib.sha256(BODY).hexdigest()
OTHER_BODY = JPEG_MAGIC + random.Random(17).randbytes(3_000)  # a different, valid-looking file
GZIPPED = gzip.compress(BODY, mtime=0)
BOMB = gzip.compress(b"\0" * 20_000_000, mtime=0)  # 20 MB of zeros in about 20 kB

BEHAVIOURS: dict[str, Callable[[Handler], None]] = {}


def behaviour(*paths: str) -> Callable:
    """Register the decorated function as the handler of each path in `paths`."""

    def register(function: Callable[[Handler], None]) -> Callable[[Handler], None]:
        for path in paths:
            BEHAVIOURS[path] = function
        return function

    return register


class Handler(BaseHTTPRequestHandler):
    """Reads the request line and headers (http.server), then lets the behaviour answer."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - no request log
        pass

    @property
    def owner(self) -> HostileServer:
        return self.server.owner  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.close_connection = True
        path = self.path.split("?")[0]
        if path.startswith("http://"):  # a request through a proxy names the whole URL
            path = "/" + path.split("/", 3)[-1]
        self.owner.count(path)
        answer = BEHAVIOURS.get(path, not_found)
        with contextlib.suppress(OSError):  # the client hung up: expected in most tests
            answer(self)

    # --- tools for the behaviours -------------------------------------------------------------
    def raw(self, data: bytes) -> None:
        self.wfile.write(data)

    def head(self, status: str = "200 OK", headers: list[tuple[str, str]] = (), length=None):
        """Write a status line and headers; `length` adds a Content-Length header."""
        lines = [f"HTTP/1.1 {status}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def reply(
        self, body: bytes = BODY, status: str = "200 OK", kind: str = "image/jpeg", headers=()
    ):
        self.head(status, [("Content-Type", kind), *headers], len(body))
        self.raw(body)

    def drip(self, data: bytes, step: int = 1) -> None:
        """Send `data` `step` bytes at a time, one piece every `pace` seconds."""
        for start in range(0, len(data), step):
            if self.owner.stop.wait(self.owner.pace):
                return
            self.raw(data[start : start + step])
            self.owner.sent[self.path] += step

    def wait(self, seconds: float | None = None) -> None:
        """Say nothing for `seconds` (until the server stops if None)."""
        self.owner.stop.wait(seconds)

    def chunked(self, pieces: list[bytes], headers=()) -> None:
        self.head(
            "200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked"), *headers]
        )
        for piece in pieces:
            self.raw(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.raw(b"0\r\n\r\n")

    def redirect(self, location: str, status: str = "302 Found", body: bytes = b"", headers=()):
        self.head(status, [("Location", location), *headers], len(body))
        self.raw(body)

    def endless(self, chunk: bytes = b"\xff" * 65536) -> None:
        while not self.owner.stop.is_set():
            self.raw(chunk)


def not_found(h: Handler) -> None:
    h.reply(b"<html><body>404 Not Found</body></html>", "404 Not Found", "text/html")


# --- answers that are good, or odd but harmless: the file is saved ---------------------------
@behaviour("/ok")
def ok(h):
    h.reply()


@behaviour("/ok-chunked")
def ok_chunked(h):
    h.chunked([BODY[:1000], BODY[1000:1001], BODY[1001:]])


@behaviour("/ok-no-length")
def ok_no_length(h):  # no Content-Length: the end of the body is the end of the connection
    h.head("200 OK", [("Content-Type", "image/jpeg")])
    h.raw(BODY)


@behaviour("/ok-slow-start")
def ok_slow_start(h):
    h.wait(h.owner.pace * 4)
    h.reply()


@behaviour("/ok-after-100-continue")
def ok_after_continue(h):
    h.raw(b"HTTP/1.1 100 Continue\r\n\r\n")
    h.reply()


@behaviour("/slow-ok")
def slow_ok(h):  # for the concurrency test: long enough for every process to reach the lock
    h.wait(0.5)
    h.reply()


@behaviour("/slow-chunks")
def slow_chunks(h):  # the body in 10 pieces over a while: a reader could see half of it
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Content-Length", str(len(BODY)))])
    h.drip(BODY, step=len(BODY) // 10 + 1)


@behaviour("/redirect-relative")
def redirect_relative(h):
    h.redirect("/ok")


@behaviour("/redirect-308")
def redirect_308(h):
    h.redirect("/ok", "308 Permanent Redirect")


@behaviour(*(f"/chain-{hops}" for hops in range(1, 21)))
def chain(h):  # /chain-N -> /chain-(N-1) -> ... -> /ok
    hops = int(h.path.rsplit("-", 1)[1])
    h.redirect("/ok" if hops == 1 else f"/chain-{hops - 1}")


@behaviour("/redirect-scheme-relative")
def redirect_scheme_relative(h):
    h.redirect(f"//127.0.0.1:{h.owner.port}/ok")


@behaviour("/redirect-other-host")
def redirect_other_host(h):  # another server (another port): another origin
    h.redirect(h.owner.peer + "/ok")


@behaviour("/redirect-huge-body")
def redirect_huge_body(h):  # requests would read all 1 GB before following the redirect
    h.head("302 Found", [("Location", "/ok")], 2**30)
    h.endless()


@behaviour("/redirect-drip-body")
def redirect_drip_body(h):
    h.head("302 Found", [("Location", "/ok")], 10_000)
    h.drip(b"." * 10_000)


@behaviour("/redirect-gzip-bomb")
def redirect_gzip_bomb(h):  # requests would decode 20 MB into memory before following it
    h.redirect("/ok", body=BOMB, headers=[("Content-Encoding", "gzip")])


@behaviour("/gzip-lying")
def gzip_lying(h):  # says gzip, sends the plain file
    h.reply(headers=[("Content-Encoding", "gzip")])


@behaviour("/encoding-unknown")
def encoding_unknown(h):
    h.reply(headers=[("Content-Encoding", "x-hostile, br, zstd")])


@behaviour("/disposition-traversal")
def disposition_traversal(h):
    h.reply(headers=[("Content-Disposition", 'attachment; filename="../../evil.jpg"')])


@behaviour("/disposition-absolute")
def disposition_absolute(h):
    h.reply(headers=[("Content-Disposition", 'attachment; filename="/tmp/evil-absolute.jpg"')])


@behaviour("/disposition-encoded")
def disposition_encoded(h):
    h.reply(headers=[("Content-Disposition", "attachment; filename*=UTF-8''..%2F..%2Fevil.jpg")])


@behaviour("/length-invalid")
def length_invalid(h):  # a Content-Length that is no number is ignored: read to the end
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Content-Length", "lots")])
    h.raw(BODY)


@behaviour("/length-negative")
def length_negative(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Content-Length", "-5")])
    h.raw(BODY)


# --- time: the deadline, the read timeout, the minimum rate -----------------------------------
@behaviour("/drip-body")
def drip_body(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")], len(BODY))
    h.drip(BODY)


@behaviour("/drip-body-chunked")
def drip_body_chunked(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked")])
    for byte in BODY:
        if h.owner.stop.wait(h.owner.pace):
            return
        h.raw(b"1\r\n%c\r\n" % byte)
        h.owner.sent[h.path] += 1


@behaviour("/drip-body-no-length")
def drip_body_no_length(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")])
    h.drip(BODY)


@behaviour("/drip-status-line")
def drip_status_line(h):
    h.drip(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n" + BODY)


@behaviour("/drip-headers")
def drip_headers(h):
    h.raw(b"HTTP/1.1 200 OK\r\n")
    h.drip(b"Content-Type: image/jpeg\r\nX-Padding: " + b"." * 5_000 + b"\r\n\r\n" + BODY)


@behaviour("/drip-chunk-size-line")
def drip_chunk_size_line(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked")])
    h.drip(b"0" * 5_000 + b"bb8\r\n")


@behaviour("/drip-redirect-headers")
def drip_redirect_headers(h):
    h.raw(b"HTTP/1.1 302 Found\r\n")
    h.drip(b"X-Padding: " + b"." * 5_000 + b"\r\nLocation: /ok\r\n\r\n")


@behaviour("/redirect-to-drip")
def redirect_to_drip(h):
    h.redirect("/drip-body")


@behaviour("/stall-before-response")
def stall_before_response(h):  # reads the request, never answers
    h.wait()


@behaviour("/stall-in-headers")
def stall_in_headers(h):
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Type: ima")
    h.wait()


@behaviour("/stall-after-headers")
def stall_after_headers(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")], len(BODY))
    h.wait()


@behaviour("/stall-mid-body")
def stall_mid_body(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")], len(BODY))
    h.raw(BODY[:1000])
    h.wait()


@behaviour("/trickle")
def trickle(h):  # faster than a drip, far too slow for 200 kB
    h.head("200 OK", [("Content-Type", "image/jpeg")], 200_000)
    h.drip(BODY * 70, step=20)


@behaviour("/trickle-chunked")
def trickle_chunked(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked")])
    h.drip(b"".join(b"14\r\n%s\r\n" % BODY[i : i + 20] for i in range(0, 2_980, 20)), step=26)


# --- size, length and body ----------------------------------------------------------------------
@behaviour("/huge-declared")
def huge_declared(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")], 10**12)
    h.endless()


@behaviour("/huge-declared-absurd")
def huge_declared_absurd(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")], "9" * 40)
    h.endless()


@behaviour("/huge-undeclared")
def huge_undeclared(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")])
    h.raw(JPEG_MAGIC)
    h.endless()


@behaviour("/huge-chunked")
def huge_chunked(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked")])
    while not h.owner.stop.is_set():
        h.raw(b"10000\r\n" + b"\xff" * 65536 + b"\r\n")


@behaviour("/length-smaller")
def length_smaller(h):  # declares 100 bytes, sends all: the first 100 are taken
    h.head("200 OK", [("Content-Type", "image/jpeg")], 100)
    h.raw(BODY)


@behaviour("/length-larger")
def length_larger(h):  # declares twice what it sends, then hangs up: truncated
    h.head("200 OK", [("Content-Type", "image/jpeg")], 2 * len(BODY))
    h.raw(BODY)


@behaviour("/length-conflicting")
def length_conflicting(h):
    h.head(
        "200 OK",
        [
            ("Content-Type", "image/jpeg"),
            ("Content-Length", "100"),
            ("Content-Length", str(len(BODY))),
        ],
    )
    h.raw(BODY)


@behaviour("/truncated-no-length")
def truncated_no_length(h):
    h.head("200 OK", [("Content-Type", "image/jpeg")])
    h.raw(BODY[: len(BODY) // 2])


@behaviour("/truncated-chunked")
def truncated_chunked(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked")])
    h.raw(b"bb8\r\n" + BODY[:1000])


@behaviour("/chunk-size-garbage")
def chunk_size_garbage(h):
    h.head("200 OK", [("Content-Type", "image/jpeg"), ("Transfer-Encoding", "chunked")])
    h.raw(b"zz\r\n" + BODY + b"\r\n0\r\n\r\n")


@behaviour("/empty")
def empty(h):
    h.reply(b"")


@behaviour("/corrupted")
def corrupted(h):  # one bit flipped in the middle
    body = bytearray(BODY)
    body[1500] ^= 0x10
    h.reply(bytes(body))


@behaviour("/wrong-file")
def wrong_file(h):
    h.reply(OTHER_BODY)


@behaviour("/html-as-image")
def html_as_image(h):  # says image/jpeg, sends a login page
    h.reply(b"<!doctype html><html><body>Please log in</body></html>")


@behaviour("/soft-404")
def soft_404(h):  # status 200, but an HTML error page
    h.reply(b"<html><body>Sorry, not found</body></html>", kind="text/html; charset=utf-8")


# --- compressed and mislabelled encodings -------------------------------------------------------
@behaviour("/gzip-real")
def gzip_real(h):  # compresses although the client asked for identity; length of the gzip bytes
    h.reply(GZIPPED, headers=[("Content-Encoding", "gzip")])


@behaviour("/gzip-bomb")
def gzip_bomb(h):
    h.reply(BOMB, headers=[("Content-Encoding", "gzip")])


@behaviour("/deflate-garbage")
def deflate_garbage(h):  # claims deflate, sends bytes no decoder accepts
    h.reply(JPEG_MAGIC + b"\x00not deflate at all" * 50, headers=[("Content-Encoding", "deflate")])


@behaviour("/gzip-truncated")
def gzip_truncated(h):
    h.reply(GZIPPED[: len(GZIPPED) // 2], headers=[("Content-Encoding", "gzip")])


# --- redirects that are refused ------------------------------------------------------------------
@behaviour("/redirect-self")
def redirect_self(h):
    h.redirect("/redirect-self")


@behaviour("/ping")
def ping(h):
    h.redirect("/pong")


@behaviour("/pong")
def pong(h):
    h.redirect("/ping")


@behaviour("/redirect-file")
def redirect_file(h):
    h.redirect("file:///etc/passwd")


@behaviour("/redirect-ftp")
def redirect_ftp(h):
    h.redirect("ftp://127.0.0.1/pub/file.jpg")


@behaviour("/redirect-data")
def redirect_data(h):
    h.redirect("data:image/jpeg;base64,/9j/")


@behaviour("/redirect-javascript")
def redirect_javascript(h):
    h.redirect("javascript:alert(1)")


@behaviour("/redirect-no-location")
def redirect_no_location(h):
    h.reply(b"moved somewhere", "302 Found", "text/plain")


@behaviour("/redirect-empty-location")
def redirect_empty_location(h):  # '' resolves to the same URL: a loop
    h.redirect("")


@behaviour("/redirect-invalid-location")
def redirect_invalid_location(h):
    h.redirect("http://[::1/broken")


@behaviour("/redirect-closed-port")
def redirect_closed_port(h):
    h.redirect(h.owner.closed_url + "/ok")


# --- HTTP status codes ---------------------------------------------------------------------------
@behaviour(
    "/status-403", "/status-404", "/status-410", "/status-451", "/status-500", "/status-502",
    "/status-429", "/status-204", "/status-206", "/status-304", "/status-999",
)  # fmt: skip
def status(h):
    code = h.path.rsplit("-", 1)[1]
    h.reply(b"<html>no</html>", f"{code} Whatever", "text/html")


@behaviour("/flaky")
def flaky(h):  # HTTP 503 on the first request, then the file
    if h.owner.hits["/flaky"] == 1:
        h.reply(b"busy", "503 Service Unavailable", "text/plain")
    else:
        h.reply()


# --- HTTP that is not HTTP -----------------------------------------------------------------------
@behaviour("/garbage-status")
def garbage_status(h):
    h.raw(b"HELLO THERE\r\n\r\n" + BODY)


@behaviour("/no-status-line")
def no_status_line(h):  # an HTTP/0.9 answer: the body alone
    h.raw(BODY)


@behaviour("/close-at-once")
def close_at_once(h):
    pass  # the handler returns: the connection closes without a byte


@behaviour("/reset")
def reset(h):  # SO_LINGER 0: closing sends a TCP reset instead of a clean end
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + BODY[:100])
    h.connection.close()


@behaviour("/header-line-too-long")
def header_line_too_long(h):
    h.raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n" + BODY)


@behaviour("/too-many-headers")
def too_many_headers(h):
    h.head("200 OK", [(f"X-Header-{n}", "x") for n in range(150)], len(BODY))
    h.raw(BODY)


# --- manifests (lists of items) ----------------------------------------------------------------
def manifest(h: Handler, items: list[Any] | None = None, *, document: Any = None) -> None:
    """Serve `{"items": items}` (or `document`) as JSON."""
    document = {"items": items} if document is None else document
    h.reply(json.dumps(document).encode(), kind="application/json")


def good_item(item_id: str, path: str = "/ok") -> dict[str, str]:
    return {"id": item_id, "url": path, "sha256": BODY_SHA256}


@behaviour("/manifest-good")
def manifest_good(h):
    manifest(h, [good_item("one"), good_item("two", "/ok-chunked"), {"id": "three", "url": "/ok"}])


@behaviour("/manifest-duplicates")
def manifest_duplicates(h):
    manifest(h, [good_item("cat"), good_item("dog"), good_item("cat", "/wrong-file")])


@behaviour("/manifest-duplicates-case")
def manifest_duplicates_case(h):  # one file on macOS and Windows
    manifest(h, [good_item("Cat"), good_item("cat"), good_item("dog")])


@behaviour("/manifest-per-item-failures")
def manifest_per_item_failures(h):
    manifest(h, [
        good_item("first"),
        good_item("loop", "/redirect-self"),
        good_item("to-file", "/redirect-file"),
        good_item("gzipped", "/gzip-real"),
        good_item("deflate", "/deflate-garbage"),
        good_item("corrupted", "/corrupted"),
        good_item("too-big", "/huge-declared"),
        good_item("drip", "/drip-body"),
        good_item("stall", "/stall-after-headers"),
        good_item("missing", "/status-404"),
        good_item("not-http", "/garbage-status"),
        good_item("last", "/ok-no-length"),
    ])  # fmt: skip


@behaviour("/manifest-hostile-ids")
def manifest_hostile_ids(h):
    ids = ["../evil", "../../evil", "/etc/passwd", "..\\evil", "a/b", ".hidden", "", "x" * 200,
           "CON", "nul", "café", "a\x00b", "ok\n", "C:evil", "tail.", "%2e%2e%2fevil"]  # fmt: skip
    manifest(h, [good_item(item_id) for item_id in ids] + [good_item("fine")])


@behaviour("/manifest-wrong-types")
def manifest_wrong_types(h):
    manifest(h, [
        good_item("fine"),
        {"id": 7, "url": "/ok"},
        {"id": "list-url", "url": ["/ok"]},
        {"id": "no-url"},
        {"id": "sha-number", "url": "/ok", "sha256": 12345},
        {"id": "sha-short", "url": "/ok", "sha256": "abc"},
        {"id": "sha-nan", "url": "/ok", "sha256": float("nan")},
        "just a string",
        None,
        ["a", "list"],
        {"id": None, "url": "/ok"},
    ])  # fmt: skip


@behaviour("/manifest-bad-urls")
def manifest_bad_urls(h):
    urls = ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "http://:80/x", "data:,x", "https:///no-host", "gopher://127.0.0.1/"]  # fmt: skip
    manifest(h, [good_item(f"url{n}", url) for n, url in enumerate(urls)] + [good_item("fine")])


@behaviour("/manifest-oversize")
def manifest_oversize(h):  # declares 50 MB
    h.head("200 OK", [("Content-Type", "application/json")], 50_000_000)
    h.raw(b'{"items": [' + b'{"id": "a", "url": "/ok"},' * 1000)
    h.endless(b'{"id": "a", "url": "/ok"},' * 1000)


@behaviour("/manifest-oversize-undeclared")
def manifest_oversize_undeclared(h):
    h.head("200 OK", [("Content-Type", "application/json")])
    h.raw(b'{"items": [')
    h.endless(b'{"id": "a", "url": "/ok"},' * 1000)


@behaviour("/manifest-too-many-items")
def manifest_too_many_items(h):
    manifest(h, [{"id": f"i{n}", "url": "/ok"} for n in range(5_001)])


@behaviour("/manifest-html")
def manifest_html(h):
    h.reply(b"<html><body>Not a list</body></html>", kind="text/html")


@behaviour("/manifest-top-level-list")
def manifest_top_level_list(h):
    manifest(h, document=[good_item("a")])


@behaviour("/manifest-items-not-list")
def manifest_items_not_list(h):
    manifest(h, document={"items": {"a": good_item("a")}})


@behaviour("/manifest-deep-nesting")
def manifest_deep_nesting(h):  # a JSON parser recurses once per bracket
    h.reply(b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", kind="application/json")


@behaviour("/manifest-huge-number")
def manifest_huge_number(h):  # Python refuses to parse ints of more than 4,300 digits
    h.reply(b'{"items": [{"id": ' + b"9" * 5_000 + b', "url": "/ok"}]}', kind="application/json")


@behaviour("/manifest-not-utf8")
def manifest_not_utf8(h):
    h.reply(b'{"items": [{"id": "caf\xe9", "url": "/ok"}]}', kind="application/json")


@behaviour("/manifest-gzip")
def manifest_gzip(h):  # compressed although identity was asked for
    body = gzip.compress(json.dumps({"items": [good_item("a")]}).encode(), mtime=0)
    h.reply(body, kind="application/json", headers=[("Content-Encoding", "gzip")])


@behaviour("/manifest-utf16")
def manifest_utf16(h):  # valid: JSON may be UTF-16 (RFC 8259 says UTF-8, parsers accept both)
    h.reply(json.dumps({"items": [good_item("a")]}).encode("utf-16"), kind="application/json")


@behaviour("/manifest-empty")
def manifest_empty(h):
    manifest(h, [])


@behaviour("/manifest-drip")
def manifest_drip(h):
    body = json.dumps({"items": [good_item("a")]}).encode()
    h.head("200 OK", [("Content-Type", "application/json")], len(body))
    h.drip(body)


@behaviour("/manifest-drip-headers")
def manifest_drip_headers(h):
    h.raw(b"HTTP/1.1 200 OK\r\n")
    h.drip(b"X-Padding: " + b"." * 5_000 + b"\r\n\r\n{}")


@behaviour("/manifest-redirect-loop")
def manifest_redirect_loop(h):
    h.redirect("/manifest-redirect-loop")


@behaviour("/manifest-deflate-bomb")
def manifest_deflate_bomb(h):
    h.reply(
        zlib.compress(b"[" * 10_000_000),
        kind="application/json",
        headers=[("Content-Encoding", "deflate")],
    )


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up on a hostile answer is the point of most tests


class HostileServer:
    """The hostile server on 127.0.0.1 (a free port). `pace`: seconds between two dripped pieces.

    `peer` is the URL of another server for cross-origin redirects (set by the test fixture);
    `closed_url` points at a port where nothing listens.
    """

    def __init__(self, pace: float = 0.05) -> None:
        self.pace = pace
        self.stop = threading.Event()
        self.hits: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # bytes dripped, per request path
        self.peer = ""
        self._lock = threading.Lock()
        self._server: _QuietServer | None = None
        with socket.socket() as probe:  # a free port, closed again: connections are refused
            probe.bind(("127.0.0.1", 0))
            self.closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"

    def count(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1

    @property
    def port(self) -> int:
        assert self._server is not None, "start the server first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.owner = self  # type: ignore[attr-defined]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def close(self) -> None:
        """Stop serving and wake every handler that waits or drips."""
        self.stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
