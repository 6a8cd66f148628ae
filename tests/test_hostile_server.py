"""The downloader of notebook 02 (course_utils.data_safety) against a hostile local server.

Each behaviour of tests/hostile_server.py is fetched here at least once, and after each fetch
the same three things are checked: nothing was written outside the target folder (the folder
around it, a victim file beside it and the current folder stay as they were), nothing
half-written is left (the target holds the verified files and the empty lock files, no
temporary file and no file that failed), and the error says what happened. pytest-timeout
bounds every test, so a deadline that does not hold fails instead of hanging.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from hostile_server import BEHAVIOURS, BODY, BODY_SHA256, GZIPPED, JPEG_MAGIC, HostileServer

from course_utils import data_safety

pytestmark = pytest.mark.timeout(30)

DEADLINE = 0.5  # seconds: short, so that the suite stays fast
FAST = dict(timeout=(2.0, 5.0), deadline=3.0, retries=1, backoff=0.0, min_rate=0.0)
VERIFY = dict(sha256=BODY_SHA256, magic=JPEG_MAGIC, content_types=("image/",))
SAVED = "saved"


@pytest.fixture(scope="module")
def server():
    peer = HostileServer().start()
    running = HostileServer().start()
    running.peer = peer.url
    try:
        yield running
    finally:  # also when a test failed
        running.close()
        peer.close()


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """`tmp_path/sandbox/target` receives the downloads; a victim file sits beside the sandbox
    and the current folder is `tmp_path/cwd`: neither may change."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "victim.txt").write_text("precious")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path / "sandbox" / "target"


def assert_contained(target: Path, saved: dict[str, bytes] | None = None) -> None:
    """Nothing outside `target` changed; inside it, only `saved` (complete) and lock files."""
    root = target.parent.parent
    everything = {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}
    outside = (
        everything
        - {"outside/victim.txt"}
        - {f for f in everything if f.startswith("sandbox/target/")}
    )
    assert not outside, f"written outside the target folder: {sorted(outside)}"
    assert (root / "outside" / "victim.txt").read_text() == "precious"
    inside = {
        f.removeprefix("sandbox/target/") for f in everything if f.startswith("sandbox/target/")
    }
    locks = {name for name in inside if re.fullmatch(r"\.[^/]+\.lock", name)}
    assert all((target / name).stat().st_size == 0 for name in locks)
    assert inside - locks == set(saved or {}), "a half-written or unverified file was left"
    for name, body in (saved or {}).items():
        assert (target / name).read_bytes() == body


def assert_clear(error: BaseException, *needles: str) -> None:
    message = str(error)
    assert 10 < len(message) < 700, message
    for needle in needles:
        assert re.search(needle, message), f"{needle!r} not in {message!r}"


@dataclass
class Case:
    path: str
    outcome: Any  # SAVED or an exception class
    match: str = ""  # a regular expression the message must contain
    options: dict[str, Any] = field(default_factory=dict)
    body: bytes = BODY  # what a saved file must hold


DEADLINE_CASE = dict(deadline=DEADLINE, timeout=(2.0, 30.0))  # only the watchdog can stop it
STALL = dict(timeout=(2.0, 0.3))  # the read timeout stops it first
TOO_SLOW = dict(min_rate=20_000.0, rate_window=0.2)

CASES = [
    # good, or odd but harmless: saved, and only under the name the caller chose
    Case("/ok", SAVED),
    Case("/ok-chunked", SAVED),
    Case("/ok-no-length", SAVED),
    Case("/ok-slow-start", SAVED),
    Case("/ok-after-100-continue", SAVED),
    Case("/slow-ok", SAVED),
    Case("/slow-chunks", SAVED),
    Case("/redirect-relative", SAVED),
    Case("/redirect-308", SAVED),
    Case("/chain-5", SAVED),  # five redirects: the most allowed by default
    Case("/redirect-scheme-relative", SAVED),
    Case("/redirect-other-host", SAVED),
    Case("/redirect-huge-body", SAVED),  # the redirect's 1 GB body is never read
    Case("/redirect-drip-body", SAVED),
    Case("/redirect-gzip-bomb", SAVED),  # nor decoded
    Case("/gzip-lying", SAVED),  # the bytes as sent are the file: no ContentDecodingError
    Case("/encoding-unknown", SAVED),
    Case("/disposition-traversal", SAVED),  # the server's file name is ignored
    Case("/disposition-absolute", SAVED),
    Case("/disposition-encoded", SAVED),
    Case("/length-invalid", SAVED),  # no usable length: read to the end, then verified
    Case("/length-negative", SAVED),
    Case("/flaky", SAVED),  # 503 once, retried
    Case(
        "/gzip-real",
        SAVED,
        options=dict(sha256=hashlib.sha256(GZIPPED).hexdigest(), magic=None),
        body=GZIPPED,
    ),
    # time: the deadline holds in every phase, the read timeout and the minimum rate apply
    Case(
        "/drip-body",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/drip-body-chunked",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/drip-body-no-length",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/drip-status-line",
        data_safety.DownloadError,
        "deadline passed while waiting for the headers",
        DEADLINE_CASE,
    ),
    Case(
        "/drip-headers",
        data_safety.DownloadError,
        "deadline passed while waiting for the headers",
        DEADLINE_CASE,
    ),
    Case(
        "/drip-chunk-size-line",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/drip-redirect-headers",
        data_safety.DownloadError,
        "deadline passed while waiting for the headers",
        DEADLINE_CASE,
    ),
    Case(
        "/redirect-to-drip",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/stall-before-response",
        data_safety.DownloadError,
        "deadline passed while waiting for the headers",
        DEADLINE_CASE,
    ),
    Case(
        "/stall-in-headers",
        data_safety.DownloadError,
        "deadline passed while waiting for the headers",
        DEADLINE_CASE,
    ),
    Case(
        "/stall-after-headers",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/stall-mid-body",
        data_safety.DownloadError,
        "deadline passed while waiting for the body",
        DEADLINE_CASE,
    ),
    Case(
        "/stall-after-headers",
        data_safety.DownloadError,
        "gave up after 2 attempts.*ReadTimeout",
        STALL,
    ),
    Case(
        "/stall-mid-body", data_safety.DownloadError, "gave up after 2 attempts.*ReadTimeout", STALL
    ),
    Case("/stall-before-response", data_safety.DownloadError, "ReadTimeout", STALL),
    Case(
        "/trickle", data_safety.DownloadError, "too slow: .* bytes/s .* min_rate=20,000", TOO_SLOW
    ),
    Case("/trickle-chunked", data_safety.DownloadError, "too slow", TOO_SLOW),
    Case("/drip-body", data_safety.DownloadError, "too slow", TOO_SLOW),
    # size, length and body
    Case("/huge-declared", data_safety.TooLargeError, "declares 1,000,000,000,000 bytes"),
    Case("/huge-declared-absurd", data_safety.TooLargeError, "declares 9,999"),
    Case("/huge-undeclared", data_safety.TooLargeError, "sent more than max_bytes"),
    Case("/huge-chunked", data_safety.TooLargeError, "sent more than max_bytes"),
    Case("/length-smaller", data_safety.ChecksumError, "SHA-256"),
    Case("/length-larger", data_safety.DownloadError, "gave up after 2 attempts.*IncompleteRead"),
    Case("/length-conflicting", data_safety.DownloadError, "Content-Length"),
    Case("/truncated-no-length", data_safety.ChecksumError, "SHA-256"),
    Case("/truncated-chunked", data_safety.DownloadError, "gave up after 2 attempts"),
    Case("/chunk-size-garbage", data_safety.DownloadError, "gave up after 2 attempts"),
    Case("/empty", data_safety.ChecksumError, "expected bytes"),
    Case("/empty", data_safety.ChecksumError, "SHA-256", dict(magic=None)),
    Case("/corrupted", data_safety.ChecksumError, "SHA-256 .* differs"),
    Case("/wrong-file", data_safety.ChecksumError, "SHA-256 .* differs"),
    Case("/html-as-image", data_safety.ChecksumError, "expected bytes"),
    Case("/soft-404", data_safety.DownloadError, "Content-Type 'text/html'"),
    Case("/reset", data_safety.DownloadError, "gave up after 2 attempts", dict(content_types=None)),
    # encodings: never decoded, so the checksum decides
    Case("/gzip-real", data_safety.ChecksumError, "expected bytes"),
    Case("/gzip-real", data_safety.ChecksumError, "SHA-256", dict(magic=None)),
    Case("/gzip-bomb", data_safety.ChecksumError, "expected bytes"),
    Case("/gzip-truncated", data_safety.ChecksumError, "expected bytes"),
    Case("/deflate-garbage", data_safety.ChecksumError, "SHA-256"),
    # redirects that are refused
    Case("/redirect-self", data_safety.DownloadError, "redirect loop"),
    Case("/ping", data_safety.DownloadError, "redirect loop: .*/ping -> .*/pong -> .*/ping"),
    Case("/redirect-empty-location", data_safety.DownloadError, "redirect loop"),
    Case("/chain-6", data_safety.DownloadError, "more than max_redirects=5"),
    Case("/chain-20", data_safety.DownloadError, "more than max_redirects=5"),
    Case("/chain-3", data_safety.DownloadError, "more than max_redirects=2", dict(max_redirects=2)),
    Case("/redirect-file", data_safety.DownloadError, "file:///etc/passwd.*only http"),
    Case("/redirect-ftp", data_safety.DownloadError, "ftp://.*only http"),
    Case("/redirect-data", data_safety.DownloadError, "data:.*only http"),
    Case("/redirect-javascript", data_safety.DownloadError, "javascript:.*only http"),
    Case("/redirect-invalid-location", data_safety.DownloadError, "invalid URL"),
    Case("/redirect-no-location", data_safety.DownloadError, "HTTP 302"),
    Case(
        "/redirect-closed-port",
        data_safety.DownloadError,
        "gave up after 2 attempts.*ConnectionError",
    ),
    # HTTP status codes: only 200 is the whole file; 429 and 5xx are retried
    Case("/status-403", data_safety.DownloadError, "HTTP 403"),
    Case("/status-404", data_safety.DownloadError, "HTTP 404"),
    Case("/status-410", data_safety.DownloadError, "HTTP 410"),
    Case("/status-451", data_safety.DownloadError, "HTTP 451"),
    Case("/status-204", data_safety.DownloadError, "HTTP 204"),
    Case("/status-206", data_safety.DownloadError, "HTTP 206"),
    Case("/status-304", data_safety.DownloadError, "HTTP 304"),
    Case("/status-999", data_safety.DownloadError, "HTTP 999"),
    Case("/status-429", data_safety.DownloadError, "gave up after 2 attempts: HTTP 429"),
    Case("/status-500", data_safety.DownloadError, "gave up after 2 attempts: HTTP 500"),
    Case("/status-502", data_safety.DownloadError, "gave up after 2 attempts: HTTP 502"),
    # answers that are not HTTP
    Case("/garbage-status", data_safety.DownloadError, "BadStatusLine"),
    Case("/no-status-line", data_safety.DownloadError, "BadStatusLine"),
    Case("/close-at-once", data_safety.DownloadError, "RemoteDisconnected"),
    Case("/header-line-too-long", data_safety.DownloadError, "LineTooLong"),
    Case("/too-many-headers", data_safety.DownloadError, "more than 100 headers"),
]


def _case_id(case: Case) -> str:
    extra = ",".join(f"{k}" for k in case.options)
    return case.path.strip("/") + (f"[{extra}]" if extra else "")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_download_against_hostile_server(server, sandbox, case):
    options = {**FAST, **VERIFY, "max_bytes": 200_000, **case.options}
    url = server.url + case.path
    if case.outcome is SAVED:
        path = data_safety.download_file(url, sandbox, "file.jpg", **options)
        assert path == sandbox / "file.jpg"
        assert_contained(sandbox, {"file.jpg": case.body})
    else:
        with pytest.raises(case.outcome) as caught:
            data_safety.download_file(url, sandbox, "file.jpg", **options)
        assert_clear(
            caught.value,
            re.escape(case.path.split("-")[0]) if case.path != "/ping" else "ping",
            case.match,
        )
        assert_contained(sandbox)
    assert not Path("/tmp/evil-absolute.jpg").exists()


def test_every_behaviour_of_the_server_is_fetched():
    fetched = {case.path for case in CASES} | {
        path for path in BEHAVIOURS if path.startswith("/manifest")
    }
    fetched |= {"/pong", "/slow-ok"} | {
        f"/chain-{hops}" for hops in range(1, 21)
    }  # reached by redirects
    assert set(BEHAVIOURS) <= fetched, sorted(set(BEHAVIOURS) - fetched)
    assert len(BEHAVIOURS) >= 60


# --- lists of items ---------------------------------------------------------------------------
def _manifest(server, sandbox, path, **options):
    return data_safety.download_manifest(server.url + path, sandbox, **{**FAST, **options})


def test_manifest_good(server, sandbox):
    report = _manifest(server, sandbox, "/manifest-good")
    assert sorted(report.saved) == ["one", "three", "two"] and report.failed == {}
    assert_contained(sandbox, {"one.jpg": BODY, "two.jpg": BODY, "three.jpg": BODY})
    assert report.summary().count("ok") == 3


def test_manifest_duplicate_ids_are_refused_before_anything_is_written(server, sandbox):
    before = server.hits["/wrong-file"]
    report = _manifest(server, sandbox, "/manifest-duplicates")
    assert sorted(report.saved) == ["dog"]
    assert set(report.failed) == {"cat"}
    assert_clear(report.failed["cat"], "2 items have the id 'cat'", "none is fetched")
    assert server.hits["/wrong-file"] == before  # the second 'cat' was never requested
    assert_contained(sandbox, {"dog.jpg": BODY})


def test_manifest_duplicate_ids_differing_in_case(server, sandbox):
    report = _manifest(server, sandbox, "/manifest-duplicates-case")
    assert sorted(report.saved) == ["dog"] and set(report.failed) == {"Cat", "cat"}
    assert "case ignored" in report.failed["Cat"]
    assert_contained(sandbox, {"dog.jpg": BODY})


def test_manifest_isolates_each_failing_item(server, sandbox):
    report = _manifest(
        server,
        sandbox,
        "/manifest-per-item-failures",
        deadline=2.0,  # generous for the good items on a busy machine; the drip needs it all
        timeout=(2.0, 0.5),
        max_bytes=100_000,
    )
    assert sorted(report.saved) == ["first", "last"]
    expected = {
        "loop": "redirect loop",
        "to-file": "file:///etc/passwd",
        "gzipped": "ChecksumError: .*SHA-256",
        "deflate": "ChecksumError",
        "corrupted": "ChecksumError",
        "too-big": "TooLargeError",
        "drip": "deadline",
        "stall": "ReadTimeout",
        "missing": "HTTP 404",
        "not-http": "BadStatusLine",
    }
    assert set(report.failed) == set(expected)
    for item_id, needle in expected.items():
        assert_clear(report.failed[item_id], needle)
    assert_contained(sandbox, {"first.jpg": BODY, "last.jpg": BODY})
    for item_id in expected:  # each reason is one line of the summary
        assert f"FAILED  {item_id!r}" in report.summary()


def test_manifest_hostile_ids_never_leave_the_folder(server, sandbox):
    report = _manifest(server, sandbox, "/manifest-hostile-ids")
    assert list(report.saved) == ["fine"]
    assert len(report.failed) == 16
    assert all("unsafe item id" in reason for reason in report.failed.values())
    assert_contained(sandbox, {"fine.jpg": BODY})


def test_manifest_wrong_types_are_reported_per_item(server, sandbox):
    report = _manifest(server, sandbox, "/manifest-wrong-types")
    assert list(report.saved) == ["fine"]
    failed = report.failed
    assert_clear(failed["item 1"], "TypeError: item id must be a string, got int")
    assert_clear(failed["list-url"], "'url' must be a string, got list")
    assert_clear(failed["no-url"], "'url' must be a string, got NoneType")
    assert_clear(failed["sha-number"], "sha256 must be a string of 64 hex digits")
    assert_clear(failed["sha-short"], "64 hex digits")
    assert_clear(failed["sha-nan"], "64 hex digits")
    for index, kind in ((7, "str"), (8, "NoneType"), (9, "list")):
        assert_clear(failed[f"item {index}"], f"an item must be an object .* got {kind}")
    assert_clear(failed["item 10"], "item id must be a string, got NoneType")
    assert_contained(sandbox, {"fine.jpg": BODY})


def test_manifest_urls_must_be_http(server, sandbox):
    report = _manifest(server, sandbox, "/manifest-bad-urls")
    assert list(report.saved) == ["fine"] and len(report.failed) == 7
    assert all("http(s) URL" in reason for reason in report.failed.values())
    assert_contained(sandbox, {"fine.jpg": BODY})


@pytest.mark.parametrize(
    ("path", "error", "match", "options"),
    [
        ("/manifest-oversize", data_safety.TooLargeError, "declares 50,000,000 bytes", {}),
        (
            "/manifest-oversize-undeclared",
            data_safety.TooLargeError,
            "more than max_bytes=1,048,576",
            {},
        ),
        (
            "/manifest-too-many-items",
            data_safety.DownloadError,
            "5,001 items, more than max_items=5,000",
            dict(max_items=5_000),
        ),
        ("/manifest-html", data_safety.DownloadError, "not valid JSON", {}),
        (
            "/manifest-top-level-list",
            data_safety.DownloadError,
            "must be a JSON object .* got list",
            {},
        ),
        ("/manifest-items-not-list", data_safety.DownloadError, "'items' of type dict", {}),
        ("/manifest-deep-nesting", data_safety.DownloadError, "not valid JSON", {}),
        ("/manifest-huge-number", data_safety.DownloadError, "not valid JSON", {}),
        ("/manifest-not-utf8", data_safety.DownloadError, "not valid JSON", {}),
        ("/manifest-gzip", data_safety.DownloadError, "not valid JSON", {}),
        ("/manifest-deflate-bomb", data_safety.DownloadError, "not valid JSON", {}),
        (
            "/manifest-drip",
            data_safety.DownloadError,
            "manifest: .*deadline",
            dict(deadline=DEADLINE),
        ),
        (
            "/manifest-drip-headers",
            data_safety.DownloadError,
            "manifest: .*deadline",
            dict(deadline=DEADLINE),
        ),
        ("/manifest-redirect-loop", data_safety.DownloadError, "manifest: redirect loop", {}),
        ("/status-404", data_safety.DownloadError, "manifest: HTTP 404", {}),
    ],
    ids=lambda value: value.strip("/") if isinstance(value, str) and value.startswith("/") else "",
)
def test_manifest_that_cannot_be_used_writes_nothing(server, sandbox, path, error, match, options):
    with pytest.raises(error) as caught:
        _manifest(server, sandbox, path, **options)
    assert_clear(caught.value, match)
    assert not sandbox.exists() or not any(sandbox.iterdir())
    assert_contained(sandbox)


def test_manifest_valid_edge_cases(server, sandbox):
    assert list(_manifest(server, sandbox, "/manifest-utf16").saved) == ["a"]  # JSON in UTF-16
    empty = _manifest(server, sandbox / "empty", "/manifest-empty")
    assert empty.saved == {} and empty.failed == {} and empty.summary() == ""
    assert_contained(sandbox, {"a.jpg": BODY})


def test_manifest_arguments_are_checked_before_any_request(server, sandbox):
    before = sum(server.hits.values())
    with pytest.raises(TypeError, match="unknown options \\['deadlin'\\]"):
        _manifest(server, sandbox, "/manifest-good", deadlin=3)
    with pytest.raises(TypeError, match="unknown options \\['sha256'\\]"):
        _manifest(server, sandbox, "/manifest-good", sha256=BODY_SHA256)
    with pytest.raises(ValueError, match="suffix"):
        _manifest(server, sandbox, "/manifest-good", suffix="/../x")
    with pytest.raises(ValueError, match="max_items must be a finite number > 0"):
        _manifest(server, sandbox, "/manifest-good", max_items=0)
    with pytest.raises(ValueError, match="deadline must be a finite number >= 0"):
        _manifest(server, sandbox, "/manifest-good", deadline=-1)
    with pytest.raises(ValueError, match="http"):
        data_safety.download_manifest("file:///etc/passwd", sandbox)
    assert sum(server.hits.values()) == before
    assert_contained(sandbox)


# --- the target folder: links, leftovers and what is already there ----------------------------
def test_symlink_at_the_target_is_refused(server, sandbox):
    sandbox.mkdir(parents=True)
    victim = sandbox.parent.parent / "outside" / "victim.txt"
    (sandbox / "file.jpg").symlink_to(victim)
    with pytest.raises(ValueError, match="symbolic link"):
        data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST)
    assert victim.read_text() == "precious"
    (sandbox / "file.jpg").unlink()
    assert_contained(sandbox)


def test_dangling_symlink_at_the_target_is_refused(server, sandbox):
    sandbox.mkdir(parents=True)
    planted = sandbox.parent.parent / "outside" / "planted.jpg"
    (sandbox / "file.jpg").symlink_to(planted)
    with pytest.raises(ValueError, match="symbolic link"):
        data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST)
    assert not planted.exists()
    (sandbox / "file.jpg").unlink()
    assert_contained(sandbox)


def test_symlink_at_the_lock_file_is_refused(server, sandbox):
    sandbox.mkdir(parents=True)
    victim = sandbox.parent.parent / "outside" / "victim.txt"
    (sandbox / ".file.jpg.lock").symlink_to(victim)
    with pytest.raises(data_safety.DownloadError, match="cannot lock file.jpg"):
        data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST)
    assert victim.read_text() == "precious"  # not truncated by opening the lock
    assert not (sandbox / "file.jpg").exists()


def test_hardlink_at_the_target_is_replaced_not_written_through(server, sandbox):
    sandbox.mkdir(parents=True)
    victim = sandbox.parent.parent / "outside" / "victim.txt"
    os.link(victim, sandbox / "file.jpg")
    data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST, **VERIFY)
    assert victim.read_text() == "precious"  # os.replace swaps the name, not the bytes
    assert_contained(sandbox, {"file.jpg": BODY})


def test_folder_at_the_target_name(server, sandbox):
    (sandbox / "file.jpg").mkdir(parents=True)
    with pytest.raises(OSError, match="file.jpg"):
        data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST)
    assert [p.name for p in sandbox.iterdir() if not p.name.endswith(".lock")] == ["file.jpg"]
    assert not any((sandbox / "file.jpg").iterdir())
    assert_contained(sandbox)  # no temporary file left beside it


def test_target_folder_through_a_symlink(server, sandbox, tmp_path):
    real = tmp_path / "sandbox" / "real"
    real.mkdir(parents=True)
    sandbox.symlink_to(real, target_is_directory=True)
    data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST, **VERIFY)
    assert (real / "file.jpg").read_bytes() == BODY
    assert sorted(p.name for p in real.iterdir()) == [".file.jpg.lock", "file.jpg"]


def test_leftover_temporary_file_is_not_taken_for_the_file(server, sandbox):
    sandbox.mkdir(parents=True)
    (sandbox / ".file.jpg.part-crashed").write_bytes(BODY[:100])  # from a run that was killed
    data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST, **VERIFY)
    assert (sandbox / "file.jpg").read_bytes() == BODY
    assert (sandbox / ".file.jpg.part-crashed").read_bytes() == BODY[:100]  # not ours to delete


def test_verified_file_is_not_downloaded_again(server, sandbox):
    first = data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST, **VERIFY)
    hits = server.hits["/ok"]
    again = data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST, **VERIFY)
    assert again == first and server.hits["/ok"] == hits
    assert_contained(sandbox, {"file.jpg": BODY})


def test_corrupt_file_already_there_is_replaced(server, sandbox):
    sandbox.mkdir(parents=True)
    (sandbox / "file.jpg").write_bytes(BODY[:-1] + b"\0")
    data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST, **VERIFY)
    assert_contained(sandbox, {"file.jpg": BODY})


def test_file_already_there_stays_when_the_new_download_fails(server, sandbox):
    sandbox.mkdir(parents=True)
    (sandbox / "file.jpg").write_bytes(b"an older version")
    with pytest.raises(data_safety.ChecksumError):
        data_safety.download_file(server.url + "/corrupted", sandbox, "file.jpg", **FAST, **VERIFY)
    assert_contained(sandbox, {"file.jpg": b"an older version"})


@pytest.mark.parametrize(
    "name",
    [
        "../evil.jpg",
        "/tmp/evil.jpg",
        "..\\evil.jpg",
        "sub/evil.jpg",
        ".hidden",
        "CON.jpg",
        "nul",
        "evil.",
    ],
)
def test_hostile_file_names_are_refused_before_any_request(server, sandbox, name):
    before = server.hits["/ok"]
    with pytest.raises(ValueError, match="unsafe item id"):
        data_safety.download_file(server.url + "/ok", sandbox, name, **FAST)
    assert server.hits["/ok"] == before
    assert_contained(sandbox)


def test_target_folder_that_is_a_file(server, sandbox):
    sandbox.parent.mkdir(parents=True)
    sandbox.write_bytes(b"not a folder")
    with pytest.raises(OSError, match="target"):
        data_safety.download_file(server.url + "/ok", sandbox, "file.jpg", **FAST)
    assert sandbox.read_bytes() == b"not a folder"
    assert sorted(p.name for p in sandbox.parent.iterdir()) == ["target"]


# --- the deadline through a proxy, and redirects from https --------------------------------------
def test_deadline_holds_through_an_http_proxy(server, sandbox):
    # The hostile server also answers requests sent to it as a proxy (absolute URLs).
    with data_safety.new_session() as session:
        session.trust_env = False
        session.proxies = {"http": server.url}
        with pytest.raises(data_safety.DownloadError, match="deadline"):
            data_safety.download_file(
                "http://downloads.invalid/drip-headers",
                sandbox,
                "file.jpg",
                session=session,
                **{**FAST, **DEADLINE_CASE},
            )
    assert server.hits["/drip-headers"] >= 1
    assert_contained(sandbox)


class _OneRedirect:
    """A stand-in for a session: an https URL that redirects to plain http."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.requested: list[str] = []

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        return request.prepare()

    def merge_environment_settings(self, *args: Any) -> dict[str, Any]:
        return {}

    def get_adapter(self, url: str) -> _OneRedirect:
        return self

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requested.append(request.url)
        response = requests.Response()
        response.status_code, response.url, response.raw = 302, request.url, io.BytesIO()
        response.headers["Location"] = self.location
        return response


@pytest.mark.parametrize(
    "location", ["http://example.invalid/file.jpg", "HTTP://example.invalid/x"]
)
def test_redirect_from_https_to_http_is_refused(location):
    session = _OneRedirect(location)
    with pytest.raises(data_safety.DownloadError, match="never https to http"):
        data_safety.get_following_redirects(
            session, "https://example.invalid/file.jpg", timeout=(1, 1), max_redirects=5
        )
    assert session.requested == ["https://example.invalid/file.jpg"]  # the http URL never was


# --- the server itself ----------------------------------------------------------------------------
def test_server_listens_on_localhost_only_and_stops():
    running = HostileServer().start()
    url = running.url
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url + "/ok", timeout=5).content == BODY
    running.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/ok", timeout=2)
