"""Tests for the downloader of notebook 01 (course_utils.strategy) against the local misbehaving
server of course_utils.download (127.0.0.1, no internet)."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests

from course_utils import download, strategy


@pytest.fixture(scope="module")
def server():
    with download.DemoServer(delay=3) as running:
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
        strategy.safe_filename(hostile, ".jpg")


def test_safe_filename_accepts_plain_ids():
    assert strategy.safe_filename("cat_01", ".jpg") == "cat_01.jpg"
    with pytest.raises(TypeError):
        strategy.safe_filename(42)


def test_good_download_with_checksum(server, tmp_path):
    body = server.images["cat.jpg"]
    path = strategy.download_file(
        server.url + "/img/cat.jpg", tmp_path / "out", "cat.jpg",
        sha256=hashlib.sha256(body).hexdigest(), magic=strategy.MAGIC_BYTES["jpeg"], content_types=("image/",),
    )  # fmt: skip
    assert path.read_bytes() == body
    assert _all_files(tmp_path) == ["out/cat.jpg"]


def test_bad_checksum_leaves_nothing(server, tmp_path):
    with pytest.raises(strategy.ChecksumError, match="SHA-256"):
        strategy.download_file(server.url + "/img/cat.jpg", tmp_path, "cat.jpg", sha256="0" * 64)
    assert _all_files(tmp_path) == []


def test_404_is_an_error_not_a_file_and_is_not_retried(server, tmp_path):
    before = server.hits.get("/img/nothing.jpg", 0)
    with pytest.raises(strategy.DownloadError, match="HTTP 404"):
        strategy.download_file(
            server.url + "/img/nothing.jpg", tmp_path, "nothing.jpg", retries=3, backoff=0
        )
    assert server.hits["/img/nothing.jpg"] == before + 1
    assert _all_files(tmp_path) == []


def test_html_page_refused_by_content_type(server, tmp_path):
    manifest_url = server.url + "/data.json"  # JSON, not an image
    with pytest.raises(strategy.DownloadError, match="Content-Type"):
        strategy.download_file(manifest_url, tmp_path, "x.jpg", content_types=("image/",))
    assert _all_files(tmp_path) == []


def test_timeout_instead_of_hang(server, tmp_path):
    with pytest.raises(strategy.DownloadError, match="ReadTimeout"):
        strategy.download_file(
            server.url + "/slow.jpg", tmp_path, "slow.jpg", timeout=(1, 0.2), retries=1, backoff=0
        )
    assert _all_files(tmp_path) == []


def test_oversized_refused(server, tmp_path):
    with pytest.raises(strategy.TooLargeError, match="max_bytes"):
        strategy.download_file(server.url + "/huge.jpg", tmp_path, "huge.jpg", max_bytes=100_000)
    assert _all_files(tmp_path) == []


def test_truncated_detected(server, tmp_path):
    # Declared length not delivered: detected by the transport, retried, then reported.
    with pytest.raises(strategy.DownloadError, match="gave up after 2 attempts"):
        strategy.download_file(
            server.url + "/lying-length.jpg", tmp_path, "a.jpg", retries=1, backoff=0
        )
    # No length declared: only the checksum can tell.
    good = hashlib.sha256(server.images["cat.jpg"]).hexdigest()
    with pytest.raises(strategy.ChecksumError):
        strategy.download_file(server.url + "/cut.jpg", tmp_path, "b.jpg", sha256=good)
    assert _all_files(tmp_path) == []


def test_overall_deadline(server, tmp_path):
    # The read timeout bounds each wait; the deadline bounds the whole transfer (not retried).
    with pytest.raises(strategy.DownloadError, match="deadline"):
        strategy.download_file(server.url + "/img/cat.jpg", tmp_path, "cat.jpg", deadline=0.0)
    assert _all_files(tmp_path) == []


def test_fetch_once_hashes_while_streaming(server, tmp_path):
    body = server.images["dog.jpg"]
    with requests.Session() as session, open(tmp_path / "dog.jpg", "wb") as file:
        digest = strategy.fetch_once(
            session, server.url + "/img/dog.jpg", file, timeout=(1, 1), deadline=5, max_bytes=10**6
        )
    assert digest == hashlib.sha256(body).hexdigest()
    assert (tmp_path / "dog.jpg").read_bytes() == body
    with requests.Session() as session, pytest.raises(strategy.DownloadError) as caught:
        strategy.fetch_once(
            session, server.url + "/img/none.jpg", io.BytesIO(), timeout=(1, 1), deadline=5,
            max_bytes=10**6,
        )  # fmt: skip
    assert caught.value.retryable is False


def test_transient_503_is_retried(server, tmp_path):
    path = strategy.download_file(
        server.url + "/flaky.jpg", tmp_path, "dog.jpg", retries=2, backoff=0
    )
    assert path.read_bytes() == server.images["dog.jpg"]
    assert server.hits["/flaky.jpg"] >= 2


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="http"):
        strategy.download_file("file:///etc/passwd", tmp_path, "x.jpg")
    with pytest.raises(ValueError, match="sha256"):
        strategy.download_file("http://127.0.0.1:1/x", tmp_path, "x.jpg", sha256="abc")
    with pytest.raises(ValueError, match="unsafe"):
        strategy.download_file("http://127.0.0.1:1/x", tmp_path, "../x.jpg")


def test_manifest_nothing_outside_target(server, tmp_path):
    target = tmp_path / "sandbox" / "project" / "downloads"
    report = strategy.download_manifest(
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
    running = download.DemoServer(delay=0).start()
    url = running.url
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url + "/img/dog.jpg", timeout=5).status_code == 200
    running.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/img/dog.jpg", timeout=2)
    with pytest.raises(RuntimeError, match="not running"):
        _ = running.url
    with pytest.raises(ValueError):
        download.DemoServer(delay=-1)
