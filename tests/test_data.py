"""Tests of the offline-first dataset loaders."""

from __future__ import annotations

import hashlib
import json
import re
import socket

import numpy as np
import pytest

from course_utils import config, data


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
    assert "bundled sample" in out and "For the full set" in out


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


def test_full_mnist_is_used_from_cache_when_present(tmp_path, monkeypatch):
    """A cached file whose hash matches is used; we fake the known hash for a tiny file."""
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
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setitem(data._FULL_FILES, "mnist", {"mnist.npz": f"sha256:{digest}"})
    (x_train, _), (x_test, _) = data.load_mnist("auto", verbose=False)
    assert x_train.shape == (30, 28, 28) and x_test.shape == (10, 28, 28)
    # A cached file with the wrong hash is not trusted.
    monkeypatch.setitem(data._FULL_FILES, "mnist", {"mnist.npz": "sha256:" + "0" * 64})
    (x_train, _), _ = data.load_mnist("auto", verbose=False)
    assert x_train.shape[0] == 8000


def test_debian_fashion_mnist_is_read_when_installed(tmp_path, monkeypatch):
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
    (x_train, y_train), (x_test, _) = data.load_fashion_mnist("full", verbose=False)
    assert x_train.shape == (12, 28, 28) and y_train.shape == (12,) and x_test.shape == (5, 28, 28)


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
