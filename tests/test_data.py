"""Tests of the offline-first dataset loaders."""

from __future__ import annotations

import hashlib
import json
import re
import socket

import numpy as np
import pytest

from course_utils import config, data


@pytest.fixture(autouse=True)
def _fresh_probe():
    """Each test probes the network afresh (the answer is otherwise kept for the process)."""
    data._probe.cache_clear()
    yield
    data._probe.cache_clear()


def record_full_hashes(data_dir, section: str, paths: dict) -> None:
    """Record in data_dir's manifest the SHA-256 of test files as the known full-dataset hashes."""
    manifest_path = data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    digest = hashlib.sha256
    if section == "fashion_mnist_debian":  # Debian's copy is checked by its uncompressed content
        import gzip

        hashes = {p.name: "sha256:" + digest(gzip.open(p).read()).hexdigest() for p in paths}
    else:
        hashes = {p.name: "sha256:" + digest(p.read_bytes()).hexdigest() for p in paths}
    manifest["full_files"][section] = hashes
    manifest_path.write_text(json.dumps(manifest))


def load_script(name: str):
    """Import scripts/<name>.py as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, config.REPO_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def no_debian_fashion(monkeypatch, tmp_path):
    """Pretend the Debian Fashion-MNIST package is not installed."""
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", tmp_path / "absent")


@pytest.fixture
def blocked_network(monkeypatch):
    """Any socket connection fails at once, as on a machine with no network; count attempts."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network blocked by test")

    monkeypatch.setenv("COURSE_OFFLINE", "0")
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize(
    ("loader", "n_train", "n_test"),
    [(data.load_mnist, 8000, 2000), (data.load_fashion_mnist, 6000, 2000)],
)
def test_bundled_images_are_shaped_like_keras_datasets(loader, n_train, n_test, capsys):
    (x_train, y_train), (x_test, y_test) = loader("bundled")
    assert x_train.shape == (n_train, 28, 28) and x_test.shape == (n_test, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.shape == (n_train,) and y_test.shape == (n_test,)
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))
    assert 0 < x_train.mean() < 255 and x_train.max() == 255
    assert "bundled sample" in capsys.readouterr().out


def test_bundled_mnist_has_no_image_in_both_splits():
    (x_train, _), (x_test, _) = data.load_mnist("bundled", verbose=False)
    train = {hashlib.sha1(x.tobytes()).hexdigest() for x in x_train}
    assert not any(hashlib.sha1(x.tobytes()).hexdigest() in train for x in x_test)


def test_fashion_sample_is_stratified():
    (_, y_train), (_, y_test) = data.load_fashion_mnist("bundled", verbose=False)
    assert np.bincount(y_train).tolist() == [600] * 10
    assert np.bincount(y_test).tolist() == [200] * 10


def test_spam_split_is_text_with_binary_labels_and_no_leakage(capsys):
    (x_train, y_train), (x_test, y_test) = data.load_spam()
    assert x_train.dtype.kind == "U" and x_test.dtype.kind == "U"
    assert y_train.dtype == np.int64 and set(np.unique(y_train)) == {0, 1}
    assert len(x_train) + len(x_test) == 5783
    assert abs(y_train.mean() - y_test.mean()) < 0.01  # stratified
    assert not set(x_train) & set(x_test)
    assert "SpamAssassin" in capsys.readouterr().out


def test_spam_records_have_no_headers():
    records = data.load_spam_records()
    assert {"id", "group", "label", "subject", "body"} <= set(records[0])
    header = re.compile(r"^(Received|Return-Path|Delivered-To|Message-Id):", re.M | re.I)
    assert sum(bool(header.search(r["body"])) for r in records) < 0.01 * len(records)


def test_auto_falls_back_to_bundled_when_the_network_is_blocked(
    blocked_network, no_debian_fashion, capsys
):
    (x_train, _), _ = data.load_mnist("auto")
    assert x_train.shape[0] == 8000
    assert blocked_network, "auto should have probed the network"
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "one line says which data is used, why, and how to get the rest"
    assert "bundled sample" in out and "no network connection" in out and "make fetch-data" in out


def test_the_network_is_probed_once_per_process(blocked_network, no_debian_fashion):
    for _ in range(3):
        data.load_mnist(verbose=False)
        data.load_fashion_mnist(verbose=False)
    assert len(blocked_network) == 1


def test_full_raises_a_clear_error_when_the_network_is_blocked(blocked_network, no_debian_fashion):
    with pytest.raises(data.DataUnavailableError, match="no network connection.*To get it"):
        data.load_fashion_mnist("full")


def test_offline_switch_never_touches_the_network(monkeypatch, no_debian_fashion):
    def explode(*args, **kwargs):
        raise AssertionError("network used although COURSE_OFFLINE=1")

    monkeypatch.setattr(socket, "create_connection", explode)
    with pytest.raises(data.DataUnavailableError, match="COURSE_OFFLINE=1"):
        data.load_mnist("full")
    with pytest.raises(data.DataUnavailableError):
        data.load_imdb()


def test_imdb_has_no_bundled_sample():
    with pytest.raises(data.DataUnavailableError, match="no bundled sample"):
        data.load_imdb("bundled")


def test_full_mnist_is_used_from_cache_when_present(tmp_path, monkeypatch, data_copy):
    """A cached file whose hash matches is used; we record the hash of a tiny file."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    (cache / "mnist").mkdir(parents=True)
    path = cache / "mnist" / "mnist.npz"
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 30, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 10, dtype=np.uint8),
    }
    np.savez(path, **arrays)
    record_full_hashes(data_copy, "mnist", [path])
    (x_train, _), (x_test, _) = data.load_mnist("auto", verbose=False)
    assert x_train.shape == (30, 28, 28) and x_test.shape == (10, 28, 28)
    assert data.describe_sources()["mnist"].full_local
    # A cached file with another hash is not used: the error names it and the fix.
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(data.DataIntegrityError, match=r"mnist\.npz is corrupted.*make fetch-data"):
        data.load_mnist("auto", verbose=False)
    assert not data.describe_sources()["mnist"].full_local  # the setup report does not crash


def test_debian_fashion_mnist_is_read_when_installed(tmp_path, monkeypatch, data_copy):
    import gzip
    import struct

    folder = tmp_path / "fashion"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for prefix, n in (("train", 12), ("t10k", 5)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">HBBIII", 0, 8, 3, n, 28, 28) + images.tobytes())
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">HBBI", 0, 8, 1, n) + labels.tobytes())
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", folder)
    with pytest.raises(data.DataIntegrityError, match="content sha256.*--reinstall"):
        data.load_fashion_mnist("full", verbose=False)  # not the hashes of the real package
    record_full_hashes(data_copy, "fashion_mnist_debian", list(folder.iterdir()))
    (x_train, y_train), (x_test, _) = data.load_fashion_mnist("full", verbose=False)
    assert x_train.shape == (12, 28, 28) and y_train.shape == (12,) and x_test.shape == (5, 28, 28)


@pytest.mark.skipif(not data.DEBIAN_FASHION_DIR.is_dir(), reason="dataset-fashion-mnist absent")
def test_the_installed_debian_fashion_mnist_matches_the_recorded_content_hashes(capsys):
    (x_train, y_train), (x_test, _) = data.load_fashion_mnist("auto")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert "full set" in capsys.readouterr().out


def test_corrupted_bundled_file_names_the_file_and_the_fix(data_copy):
    path = data_copy / "mnist_sample.npz"
    raw = bytearray(path.read_bytes())
    raw[1000] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(data.DataIntegrityError, match=r"mnist_sample\.npz is corrupted.*make data"):
        data.load_mnist("bundled")


def test_missing_bundled_file_says_how_to_restore(data_copy):
    (data_copy / "spam_assassin.jsonl.gz").unlink()
    with pytest.raises(data.DataUnavailableError, match="git checkout"):
        data.load_spam()


@pytest.mark.parametrize("name", ["interview_qa", "interview_qa.yaml", "spam", "gan_generator"])
def test_verified_path_accepts_manifest_keys_and_file_names(name):
    path = data.verified_path(name)
    assert path.parent == config.data_dir() and path.exists()


def test_verified_path_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown bundled file 'cifar'.*interview_qa"):
        data.verified_path("cifar")
    with pytest.raises(TypeError, match="must be a string"):
        data.verified_path(None)


def test_readme_only_records_the_checksum_of_an_edited_bank(data_copy, monkeypatch):
    """The bank's workflow: edit data/interview_qa.yaml, then `build_data.py --readme-only`."""
    from course_utils import qa

    bank = data_copy / "interview_qa.yaml"
    bank.write_text(bank.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    with pytest.raises(data.DataIntegrityError, match=r"interview_qa\.yaml.*--readme-only"):
        qa.load_bank()
    build_data = load_script("build_data")
    assert build_data.main(["--readme-only", "--data", str(data_copy)]) == 0
    assert data.verified_path("interview_qa") == bank  # accepted now
    digest = hashlib.sha256(bank.read_bytes()).hexdigest()
    assert digest in (data_copy / "README.md").read_text()


def test_unknown_dataset_lists_valid_names():
    with pytest.raises(ValueError, match="mnist, fashion_mnist, spam, imdb"):
        data.load_dataset("cifar10")


@pytest.mark.parametrize("source", ["internet", "Full", ""])
def test_unknown_source_is_rejected(source):
    with pytest.raises(ValueError, match="auto, bundled, full"):
        data.load_mnist(source)


def test_source_must_be_a_string():
    with pytest.raises(TypeError, match="source must be a string"):
        data.load_mnist(1)


def test_load_dataset_dispatches_with_keyword_arguments():
    (x_train, _), (x_test, _) = data.load_dataset(
        "spam", "bundled", test_fraction=0.5, verbose=False
    )
    assert abs(len(x_train) - len(x_test)) <= 1


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1, "0.2"])
def test_spam_rejects_bad_test_fraction(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        data.load_spam(test_fraction=fraction)


def test_subsample_is_stratified_and_validates():
    y = np.repeat(np.arange(10), 100)
    x = np.arange(1000)
    xs, ys = data.subsample(x, y, 200)
    assert len(xs) == 200 and np.bincount(ys).tolist() == [20] * 10
    assert np.array_equal(xs, x[np.isin(x, xs)])  # order preserved
    assert data.subsample(x, y, 5000)[0] is x
    with pytest.raises(ValueError, match="positive integer"):
        data.subsample(x, y, 0)
    with pytest.raises(ValueError, match="same length"):
        data.subsample(x, y[:10], 5)


def test_describe_sources_reports_bundled_files(no_debian_fashion):
    info = data.describe_sources()
    assert info["mnist"].bundled and info["fashion_mnist"].bundled and info["spam"].bundled
    assert not info["imdb"].bundled and not info["imdb"].full_local
    assert not info["fashion_mnist"].full_local


def test_describe_sources_survives_a_missing_manifest(data_copy, no_debian_fashion):
    (data_copy / "manifest.json").unlink()  # the setup report must not crash; loaders then explain
    info = data.describe_sources()
    assert info["mnist"].bundled and not info["mnist"].full_local
    with pytest.raises(data.DataUnavailableError, match="manifest.json is missing"):
        data.load_mnist()


def test_manifest_and_readme_match_the_files():
    manifest = json.loads((config.data_dir() / "manifest.json").read_text())
    readme = (config.data_dir() / "README.md").read_text()
    entries = list(manifest["files"].values()) + list(manifest.get("other_files", {}).values())
    assert len(entries) >= 3
    for entry in entries:
        path = config.data_dir() / entry["file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{entry['file']}: manifest SHA-256 is stale"
        assert path.stat().st_size == entry["bytes"]
        assert entry["sha256"] in readme, f"data/README.md lacks the SHA-256 of {entry['file']}"
        assert entry["licence"] and entry["source"]
        assert path.stat().st_size < 5 * 2**20, f"{entry['file']} is over 5 MB: keep the repo lean"


# --------------------------------------------------------------------------- notebook 07
def test_pretrained_generator_loads_after_its_checksum():
    generator = data.load_pretrained_generator()
    assert generator.input_shape == (None, 64) and generator.output_shape == (None, 28, 28, 1)
    assert (config.data_dir() / "gan_generator.keras").stat().st_size < 2 * 2**20


def test_corrupted_or_missing_pretrained_generator_says_how_to_rebuild(data_copy):
    path = data_copy / "gan_generator.keras"
    raw = bytearray(path.read_bytes())
    raw[5000] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(
        data.DataIntegrityError, match=r"gan_generator\.keras is corrupted.*pretrained-gan"
    ):
        data.load_pretrained_generator()
    path.unlink()
    with pytest.raises(data.DataUnavailableError, match="make pretrained-gan"):
        data.load_pretrained_generator()


def test_fetch_data_reports_a_damaged_cached_file_and_fails(no_debian_fashion, capsys):
    fetch_data = load_script("fetch_data")
    assert fetch_data.main() == 0  # offline: nothing fetched, nothing wrong
    out = capsys.readouterr().out
    assert "mnist          not available: Full mnist is not available (COURSE_OFFLINE=1" in out
    damaged = config.cache_dir() / "mnist" / "mnist.npz"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"half a download")
    assert fetch_data.main() == 1
    out = capsys.readouterr().out
    assert f"mnist          DAMAGED: {damaged} is corrupted" in out and "Delete it" in out


CONCURRENT_FETCH = """
import sys
from course_utils import data
data._probe = lambda host: True  # the test's local server stands in for the mirror
data.KERAS_MIRROR = sys.argv[1]
(x_train, _), (x_test, _) = data.load_mnist("full", verbose=False)
print(len(x_train), len(x_test))
"""


def test_four_processes_sharing_one_cache_download_the_full_file_once(tmp_path, data_copy):
    import http.server
    import os
    import subprocess
    import sys
    import threading
    import time

    served = tmp_path / "mnist.npz"
    rng = np.random.default_rng(3)
    images, labels = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8), np.arange(40) % 10
    np.savez(
        served, x_train=images[:30], y_train=labels[:30], x_test=images[30:], y_test=labels[30:]
    )
    record_full_hashes(data_copy, "mnist", [served])
    payload, requests = served.read_bytes(), []

    class Mirror(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            requests.append(self.path)
            time.sleep(0.5)  # slow enough that all four processes want the file at once
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Mirror)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cache = tmp_path / "shared-cache"
    env = {
        **os.environ,
        "COURSE_OFFLINE": "0",
        "COURSE_CACHE_DIR": str(cache),
        "HOME": str(tmp_path),
    }
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    processes = []
    try:
        for _ in range(4):
            command = [sys.executable, "-c", CONCURRENT_FETCH, url]
            processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True))
        outputs = [process.communicate(timeout=120)[0] for process in processes]
    finally:
        for process in processes:
            process.kill()
        server.shutdown()
        server.server_close()
    assert [process.returncode for process in processes] == [0] * 4
    assert outputs == ["30 10\n"] * 4, "four correct reads"
    assert requests == ["/mnist.npz"], "one download"
    assert sorted(path.name for path in (cache / "mnist").iterdir()) == [".lock", "mnist.npz"]


def test_a_dripping_mirror_is_cut_off_at_the_deadline(tmp_path, data_copy, monkeypatch):
    """A mirror sending one byte every 0.2 s cannot hold a loader (or `make fetch-data`) for long."""
    import http.server
    import threading
    import time

    expected = tmp_path / "mnist.npz"  # the file the mirror should send (it never does)
    expected.write_bytes(b"the full MNIST")
    record_full_hashes(data_copy, "mnist", [expected])
    stop = threading.Event()

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            self.send_response(200)
            self.send_header("Content-Length", "11000000")
            self.end_headers()
            while not stop.is_set():
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:  # the client hung up: what the deadline does
                    return
                time.sleep(0.2)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(data, "_network_available", lambda *args, **kwargs: True)
    monkeypatch.setattr(data, "KERAS_MIRROR", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setattr(data, "DOWNLOAD_DEADLINE_S", 1.5)
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    try:
        with pytest.raises(data.DataUnavailableError, match="deadline passed"):
            data.load_mnist("full", verbose=False)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    leftovers = sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir())
    assert leftovers == [".lock"], "no half-written file is left as if complete"
