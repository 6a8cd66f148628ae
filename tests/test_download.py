"""Tests for the downloader of notebook 02 (course_utils.data_safety) against the local
misbehaving server written in the same notebook (127.0.0.1, no internet)."""

from __future__ import annotations

import hashlib
import io
import threading
import time

import pytest
import requests

from course_utils import data_safety


@pytest.fixture(scope="module")
def server():
    with data_safety.DemoServer(delay=3) as running:
        yield running


def _all_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


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
    ],
)
def test_safe_filename_rejects_hostile_ids(hostile):
    with pytest.raises(ValueError, match="unsafe item id"):
        data_safety.safe_filename(hostile, ".jpg")


def test_safe_filename_accepts_plain_ids():
    assert data_safety.safe_filename("cat_01", ".jpg") == "cat_01.jpg"
    with pytest.raises(TypeError):
        data_safety.safe_filename(42)


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
    with pytest.raises(data_safety.DownloadError, match="ReadTimeout"):
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
    # The read timeout bounds each wait; the deadline bounds the whole call (not retried).
    with pytest.raises(data_safety.DownloadError, match="deadline"):
        data_safety.download_file(server.url + "/img/cat.jpg", tmp_path, "cat.jpg", deadline=0.0)
    assert _all_files(tmp_path) == []


def _timed_download(url, folder, **kwargs):
    """(error, seconds) of download_file in a worker thread, so a hang cannot hang the test."""
    outcome = {}

    def run():
        start = time.monotonic()
        try:
            data_safety.download_file(url, folder, "x.jpg", **kwargs)
        except data_safety.DownloadError as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - start

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "download_file ran far past its deadline"
    return outcome.get("error"), outcome["seconds"]


def test_deadline_stops_a_drip_feed(server, tmp_path):
    # One byte every 0.2 s never trips the 1 s read timeout; the watchdog hangs up at 1 s.
    error, seconds = _timed_download(
        server.url + "/drip.jpg", tmp_path, timeout=(1, 1), deadline=1.0, retries=2, backoff=0.1
    )
    assert error is not None and "deadline" in str(error)
    assert 0.9 <= seconds < 1.0 + 0.8
    assert _all_files(tmp_path) == []


def test_deadline_covers_all_attempts_and_back_off(server, tmp_path):
    # 6 attempts x 0.5 s read timeout + 3.1 s back-off would take 6 s; the deadline stops at 1.2 s.
    error, seconds = _timed_download(
        server.url + "/slow.jpg", tmp_path, timeout=(1, 0.5), deadline=1.2, retries=5, backoff=0.1
    )
    assert error is not None and "deadline" in str(error)
    assert seconds < 1.2 + 0.8
    assert _all_files(tmp_path) == []


def test_fetch_once_hashes_while_streaming(server, tmp_path):
    body = server.images["dog.jpg"]
    with requests.Session() as session, open(tmp_path / "dog.jpg", "wb") as file:
        digest = data_safety.fetch_once(
            session, server.url + "/img/dog.jpg", file, timeout=(1, 1), deadline=5, max_bytes=10**6
        )
    assert digest == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "dog.jpg").read_bytes() == body
    with requests.Session() as session, pytest.raises(data_safety.DownloadError) as caught:
        data_safety.fetch_once(
            session, server.url + "/img/none.jpg", io.BytesIO(), timeout=(1, 1), deadline=5,
            max_bytes=10**6,
        )  # fmt: skip
    assert caught.value.retryable is False


def test_transient_503_is_retried(server, tmp_path):
    path = data_safety.download_file(
        server.url + "/flaky.jpg", tmp_path, "dog.jpg", retries=2, backoff=0
    )
    assert path.read_bytes() == server.images["dog.jpg"]
    assert server.hits["/flaky.jpg"] >= 2


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="http"):
        data_safety.download_file("file:///etc/passwd", tmp_path, "x.jpg")
    with pytest.raises(ValueError, match="sha256"):
        data_safety.download_file("http://127.0.0.1:1/x", tmp_path, "x.jpg", sha256="abc")
    with pytest.raises(ValueError, match="unsafe"):
        data_safety.download_file("http://127.0.0.1:1/x", tmp_path, "../x.jpg")


def test_manifest_nothing_outside_target(server, tmp_path):
    target = tmp_path / "sandbox" / "project" / "downloads"
    report = data_safety.download_manifest(
        server.url + "/data.json", target, timeout=(1, 0.3), retries=0, content_types=("image/",)
    )
    assert sorted(report.saved) == ["cat", "dog"]
    assert set(report.failed) == {"missing", "../../evil", "cut", "slow"}
    assert "unsafe item id" in report.failed["../../evil"]
    assert _all_files(tmp_path) == [
        "sandbox/project/downloads/cat.jpg",
        "sandbox/project/downloads/dog.jpg",
    ]
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
