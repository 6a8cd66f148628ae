"""Tests for course_utils.download against a local misbehaving server (127.0.0.1, no internet)."""

from __future__ import annotations

import hashlib

import pytest
import requests

from course_utils import download


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
        download.safe_filename(hostile, ".jpg")


def test_safe_filename_accepts_plain_ids():
    assert download.safe_filename("cat_01", ".jpg") == "cat_01.jpg"
    with pytest.raises(TypeError):
        download.safe_filename(42)


def test_good_download_with_checksum(server, tmp_path):
    body = server.images["cat.jpg"]
    path = download.download_file(
        server.url + "/img/cat.jpg", tmp_path / "out", "cat.jpg",
        sha256=hashlib.sha256(body).hexdigest(), magic=download.MAGIC_BYTES["jpeg"], content_types=("image/",),
    )  # fmt: skip
    assert path.read_bytes() == body
    assert _all_files(tmp_path) == ["out/cat.jpg"]


def test_bad_checksum_leaves_nothing(server, tmp_path):
    with pytest.raises(download.ChecksumError, match="SHA-256"):
        download.download_file(server.url + "/img/cat.jpg", tmp_path, "cat.jpg", sha256="0" * 64)
    assert _all_files(tmp_path) == []


def test_404_is_an_error_not_a_file_and_is_not_retried(server, tmp_path):
    before = server.hits.get("/img/nothing.jpg", 0)
    with pytest.raises(download.DownloadError, match="HTTP 404"):
        download.download_file(
            server.url + "/img/nothing.jpg", tmp_path, "nothing.jpg", retries=3, backoff=0
        )
    assert server.hits["/img/nothing.jpg"] == before + 1
    assert _all_files(tmp_path) == []


def test_html_page_refused_by_content_type(server, tmp_path):
    manifest_url = server.url + "/data.json"  # JSON, not an image
    with pytest.raises(download.DownloadError, match="Content-Type"):
        download.download_file(manifest_url, tmp_path, "x.jpg", content_types=("image/",))
    assert _all_files(tmp_path) == []


def test_timeout_instead_of_hang(server, tmp_path):
    with pytest.raises(download.DownloadError, match="ReadTimeout"):
        download.download_file(
            server.url + "/slow.jpg", tmp_path, "slow.jpg", timeout=(1, 0.2), retries=1, backoff=0
        )
    assert _all_files(tmp_path) == []


def test_oversized_refused(server, tmp_path):
    with pytest.raises(download.TooLargeError, match="max_bytes"):
        download.download_file(server.url + "/huge.jpg", tmp_path, "huge.jpg", max_bytes=100_000)
    assert _all_files(tmp_path) == []


def test_truncated_detected(server, tmp_path):
    # Declared length not delivered: detected by the transport, retried, then reported.
    with pytest.raises(download.DownloadError, match="gave up after 2 attempts"):
        download.download_file(
            server.url + "/lying-length.jpg", tmp_path, "a.jpg", retries=1, backoff=0
        )
    # No length declared: only the checksum can tell.
    good = hashlib.sha256(server.images["cat.jpg"]).hexdigest()
    with pytest.raises(download.ChecksumError):
        download.download_file(server.url + "/cut.jpg", tmp_path, "b.jpg", sha256=good)
    assert _all_files(tmp_path) == []


def test_transient_503_is_retried(server, tmp_path):
    path = download.download_file(
        server.url + "/flaky.jpg", tmp_path, "dog.jpg", retries=2, backoff=0
    )
    assert path.read_bytes() == server.images["dog.jpg"]
    assert server.hits["/flaky.jpg"] >= 2


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="http"):
        download.download_file("file:///etc/passwd", tmp_path, "x.jpg")
    with pytest.raises(ValueError, match="sha256"):
        download.download_file("http://127.0.0.1:1/x", tmp_path, "x.jpg", sha256="abc")
    with pytest.raises(ValueError, match="unsafe"):
        download.download_file("http://127.0.0.1:1/x", tmp_path, "../x.jpg")


def test_manifest_nothing_outside_target(server, tmp_path):
    target = tmp_path / "sandbox" / "project" / "downloads"
    report = download.download_manifest(
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
