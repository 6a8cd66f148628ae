"""Tests for the downloader of notebook 02 (course_utils.data_safety) against the small demo
server written in the same notebook (127.0.0.1, no internet). The hostile server with many
more behaviours is in tests/hostile_server.py (tests/test_hostile_server.py)."""

from __future__ import annotations

import hashlib
import io
import socket
import threading

import numpy as np
import pytest
import requests

from course_utils import data_safety

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def server():
    with data_safety.DemoServer(delay=3, drip=0.05) as running:
        yield running


def _all_files(root):
    """Every file under `root`, the empty lock files of the downloader aside."""
    files = [p for p in root.rglob("*") if p.is_file()]
    locks = [p for p in files if p.name.startswith(".") and p.name.endswith(".lock")]
    assert all(p.stat().st_size == 0 for p in locks)
    return sorted(p.relative_to(root).as_posix() for p in files if p not in locks)


@pytest.mark.parametrize(
    "hostile",
    [
        "../../evil",
        "../evil",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..",
        ".hidden",
        "",
        "C:evil",
        "x" * 200,
        "ok\n",
        "tail.",
        "CON",
        "con",
        "nul.tar",
        "COM1",
        "lpt9",
    ],
)
def test_safe_filename_rejects_hostile_ids(hostile):
    with pytest.raises(ValueError, match="unsafe item id"):
        data_safety.safe_filename(hostile, "")


def test_safe_filename_accepts_plain_ids():
    assert data_safety.safe_filename("cat_01", ".jpg") == "cat_01.jpg"
    assert data_safety.safe_filename("console", ".jpg") == "console.jpg"  # not a device name
    assert data_safety.safe_filename("com10") == "com10"
    with pytest.raises(TypeError, match="item id must be a string"):
        data_safety.safe_filename(42)
    with pytest.raises(TypeError, match="suffix must be a string"):
        data_safety.safe_filename("cat", 5)


def test_good_download_with_checksum(server, tmp_path):
    body = server.images["cat.jpg"]
    path = data_safety.download_file(
        server.url + "/img/cat.jpg", tmp_path / "out", "cat.jpg",
        sha256=hashlib.sha256(body).hexdigest(), magic=data_safety.MAGIC_BYTES["jpeg"], content_types=("image/",),
    )  # fmt: skip
    assert path.read_bytes() == body
    assert _all_files(tmp_path) == ["out/cat.jpg"]


def test_bad_checksum_leaves_nothing(server, tmp_path):
    with pytest.raises(data_safety.ChecksumError, match="SHA-256"):
        data_safety.download_file(server.url + "/img/cat.jpg", tmp_path, "cat.jpg", sha256="0" * 64)
    assert _all_files(tmp_path) == []


def test_404_is_an_error_not_a_file_and_is_not_retried(server, tmp_path):
    before = server.hits.get("/img/nothing.jpg", 0)
    with pytest.raises(data_safety.DownloadError, match="HTTP 404"):
        data_safety.download_file(
            server.url + "/img/nothing.jpg", tmp_path, "nothing.jpg", retries=3, backoff=0
        )
    assert server.hits["/img/nothing.jpg"] == before + 1
    assert _all_files(tmp_path) == []


def test_html_page_refused_by_content_type(server, tmp_path):
    manifest_url = server.url + "/data.json"  # JSON, not an image
    with pytest.raises(data_safety.DownloadError, match="Content-Type"):
        data_safety.download_file(manifest_url, tmp_path, "x.jpg", content_types=("image/",))
    assert _all_files(tmp_path) == []


def test_timeout_instead_of_hang(server, tmp_path):
    with pytest.raises(data_safety.DownloadError, match="gave up after 2 attempts.*ReadTimeout"):
        data_safety.download_file(
            server.url + "/slow.jpg", tmp_path, "slow.jpg", timeout=(1, 0.2), retries=1, backoff=0
        )
    assert _all_files(tmp_path) == []


def test_oversized_refused(server, tmp_path):
    with pytest.raises(data_safety.TooLargeError, match="max_bytes"):
        data_safety.download_file(server.url + "/huge.jpg", tmp_path, "huge.jpg", max_bytes=100_000)
    assert _all_files(tmp_path) == []


def test_truncated_detected(server, tmp_path):
    # Declared length not delivered: detected by the transport, retried, then reported.
    with pytest.raises(data_safety.DownloadError, match="gave up after 2 attempts"):
        data_safety.download_file(
            server.url + "/lying-length.jpg", tmp_path, "a.jpg", retries=1, backoff=0
        )
    # No length declared: only the checksum can tell.
    good = hashlib.sha256(server.images["cat.jpg"]).hexdigest()
    with pytest.raises(data_safety.ChecksumError):
        data_safety.download_file(server.url + "/cut.jpg", tmp_path, "b.jpg", sha256=good)
    assert _all_files(tmp_path) == []


def test_overall_deadline(server, tmp_path):
    with pytest.raises(data_safety.DownloadError, match="deadline"):
        data_safety.download_file(server.url + "/img/cat.jpg", tmp_path, "cat.jpg", deadline=0.0)
    assert _all_files(tmp_path) == []


@pytest.mark.parametrize(
    ("path", "phase"), [("/drip.jpg", "the body"), ("/drip-header.jpg", "the headers")]
)
def test_deadline_stops_a_drip_in_the_body_and_in_the_headers(server, tmp_path, path, phase):
    # One byte every 0.05 s never trips the 5 s read timeout; without the watchdog the image
    # would take over 40 s and pytest-timeout would fail the test.
    with pytest.raises(
        data_safety.DownloadError, match=f"deadline passed while waiting for {phase}"
    ):
        data_safety.download_file(
            server.url + path,
            tmp_path,
            "x.jpg",
            timeout=(1, 5),
            deadline=0.5,
            min_rate=0,
            retries=2,
        )
    assert _all_files(tmp_path) == []


def test_deadline_covers_all_attempts_and_back_off(server, tmp_path):
    # 6 attempts x 0.3 s read timeout + 3.1 s back-off would take 5 s; the deadline ends it.
    with pytest.raises(data_safety.DownloadError, match="deadline"):
        data_safety.download_file(
            server.url + "/slow.jpg",
            tmp_path,
            "x.jpg",
            timeout=(1, 0.3),
            deadline=1.2,
            retries=5,
            backoff=0.1,
        )
    assert _all_files(tmp_path) == []


def test_minimum_rate(server, tmp_path):
    with pytest.raises(data_safety.DownloadError, match="too slow: .* bytes/s .* min_rate=1,000"):
        data_safety.download_file(
            server.url + "/drip.jpg", tmp_path, "x.jpg", min_rate=1000, rate_window=0.2
        )
    assert _all_files(tmp_path) == []


def test_redirect_loop_is_named(server, tmp_path):
    with pytest.raises(
        data_safety.DownloadError, match="redirect loop: .*/loop.jpg -> .*/loop.jpg"
    ):
        data_safety.download_file(server.url + "/loop.jpg", tmp_path, "x.jpg")
    assert _all_files(tmp_path) == []


def test_fetch_once_hashes_while_streaming(server, tmp_path):
    body = server.images["dog.jpg"]
    with data_safety.new_session() as session, open(tmp_path / "dog.jpg", "wb") as file:
        digest = data_safety.fetch_once(
            session, server.url + "/img/dog.jpg", file, timeout=(1, 1), deadline=5, max_bytes=10**6
        )
    assert digest == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "dog.jpg").read_bytes() == body
    with data_safety.new_session() as session, pytest.raises(data_safety.DownloadError) as caught:
        data_safety.fetch_once(
            session, server.url + "/img/none.jpg", io.BytesIO(), timeout=(1, 1), deadline=5,
            max_bytes=10**6,
        )  # fmt: skip
    assert caught.value.retryable is False


def test_fetch_once_with_a_plain_session_still_stops_a_body_drip(server):
    with requests.Session() as session, pytest.raises(data_safety.DownloadError, match="deadline"):
        data_safety.fetch_once(
            session, server.url + "/drip.jpg", io.BytesIO(), deadline=0.3, min_rate=0
        )


def test_transient_503_is_retried(server, tmp_path):
    path = data_safety.download_file(
        server.url + "/flaky.jpg", tmp_path, "dog.jpg", retries=2, backoff=0
    )
    assert path.read_bytes() == server.images["dog.jpg"]
    assert server.hits["/flaky.jpg"] >= 2


def test_watchdog_shuts_the_socket_it_was_shown():
    left, right = socket.socketpair()
    with left, right:
        with data_safety.Watchdog(0.05) as watchdog:
            watchdog.note(left)
            assert left.recv(1) == b""  # woken by the shutdown, not by data
            assert watchdog.fired.wait(5)
        late = data_safety.Watchdog(0.0)
        with late:
            assert late.fired.wait(5)
            other_left, other_right = socket.socketpair()
            with other_left, other_right:
                late.note(other_left)  # too late: shut at once
                assert other_left.recv(1) == b""
    assert getattr(data_safety._current, "watchdog", None) is None


def test_watchdog_is_per_thread():
    seen = {}

    def worker():
        seen["other"] = getattr(data_safety._current, "watchdog", None)

    with data_safety.Watchdog(10) as watchdog:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert data_safety._current.watchdog is watchdog
    assert seen["other"] is None


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        (dict(url="file:///etc/passwd"), ValueError, "http"),
        (dict(url="http:///no-host"), ValueError, "http"),
        (dict(url=None), ValueError, "http"),
        (dict(sha256="abc"), ValueError, "sha256"),
        (dict(sha256=123), ValueError, "sha256"),
        (dict(filename="../x.jpg"), ValueError, "unsafe"),
        (dict(retries=-1), ValueError, "retries must be a finite number >= 0"),
        (dict(retries=1.5), TypeError, "retries must be an int"),
        (dict(retries=True), TypeError, "retries must be an int"),
        (dict(max_bytes=0), ValueError, "max_bytes must be a finite number > 0"),
        (dict(deadline=float("nan")), ValueError, "deadline must be a finite number"),
        (dict(deadline="60"), TypeError, "deadline must be a number"),
        (dict(timeout=(1, 0)), ValueError, "timeout"),
        (dict(timeout=(1, 2, 3)), TypeError, "timeout"),
        (dict(min_rate=-5), ValueError, "min_rate"),
        (dict(rate_window=0), ValueError, "rate_window must be a finite number > 0"),
        (dict(max_redirects=-1), ValueError, "max_redirects"),
        (dict(backoff=float("inf")), ValueError, "backoff"),
        (dict(content_types="image/"), TypeError, "content_types must be a tuple"),
        (dict(magic="\xff\xd8"), TypeError, "magic must be bytes"),
    ],
)
def test_bad_arguments(tmp_path, arguments, error, match):
    call = dict(url="http://127.0.0.1:9/x", folder=tmp_path, filename="x.jpg") | arguments
    with pytest.raises(error, match=match):
        data_safety.download_file(call.pop("url"), call.pop("folder"), call.pop("filename"), **call)
    assert _all_files(tmp_path) == []


def test_numpy_numbers_are_accepted(server, tmp_path):
    path = data_safety.download_file(
        server.url + "/img/cat.jpg",
        tmp_path,
        "cat.jpg",
        retries=np.int64(1),
        deadline=np.float32(10),
    )
    assert path.read_bytes() == server.images["cat.jpg"]


def test_manifest_nothing_outside_target(server, tmp_path):
    target = tmp_path / "sandbox" / "project" / "downloads"
    report = data_safety.download_manifest(
        server.url + "/data.json", target, timeout=(1, 0.3), retries=0, content_types=("image/",)
    )
    assert sorted(report.saved) == ["cat"]
    assert set(report.failed) == {"dog", "missing", "../../evil", "cut", "slow", "loop"}
    assert "2 items have the id 'dog'" in report.failed["dog"]
    assert "unsafe item id" in report.failed["../../evil"]
    assert "redirect loop" in report.failed["loop"]
    assert _all_files(tmp_path) == ["sandbox/project/downloads/cat.jpg"]
    assert "ok" in report.summary() and "FAILED" in report.summary()


def test_server_binds_localhost_and_shuts_down():
    running = data_safety.DemoServer(delay=0).start()
    url = running.url
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url + "/img/dog.jpg", timeout=5).status_code == 200
    running.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/img/dog.jpg", timeout=2)
    with pytest.raises(RuntimeError, match="not running"):
        _ = running.url
    with pytest.raises(ValueError):
        data_safety.DemoServer(delay=-1)
