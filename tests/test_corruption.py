"""Corruption suite (issue 16): every data file the loaders read, damaged, gives a named error.

Each bundled file of data/ (and data/manifest.json itself), each cached full-dataset file and the
Debian package's Fashion-MNIST copy is truncated, bit-flipped, replaced by another file and
emptied; the public loader must raise :class:`DataIntegrityError` naming the file, what was
expected and what was found, and the command that repairs it. Every case works on copies under
``tmp_path`` (the ``data_copy`` fixture points COURSE_DATA_DIR at one), never on data/ itself.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from course_utils import config, data, qa


def truncated(raw: bytes, other: bytes) -> bytes:
    return raw[: len(raw) // 2]


def bit_flipped(raw: bytes, other: bytes) -> bytes:
    middle = len(raw) // 2
    return raw[:middle] + bytes([raw[middle] ^ 0x01]) + raw[middle + 1 :]


def replaced(raw: bytes, other: bytes) -> bytes:
    return other  # another real file copied over this one


def emptied(raw: bytes, other: bytes) -> bytes:
    return b""


CORRUPTIONS = [truncated, bit_flipped, replaced, emptied]

# manifest key -> the public loaders that read the file (every file is also read by verified_path)
LOADERS: dict[str, list[tuple[str, Callable]]] = {
    "mnist": [
        ("load_mnist('bundled')", lambda: data.load_mnist("bundled")),
        ("load_mnist('auto')", lambda: data.load_mnist("auto")),
        ("load_dataset('mnist')", lambda: data.load_dataset("mnist")),
    ],
    "fashion_mnist": [
        ("load_fashion_mnist('bundled')", lambda: data.load_fashion_mnist("bundled")),
        ("load_dataset('fashion_mnist')", lambda: data.load_dataset("fashion_mnist", "bundled")),
    ],
    "spam": [("load_spam()", data.load_spam), ("load_spam_records()", data.load_spam_records)],
    "interview_qa": [("qa.load_bank()", qa.load_bank)],
    "gan_generator": [("load_pretrained_generator()", data.load_pretrained_generator)],
}
MANIFEST = json.loads((config.REPO_ROOT / "data" / "manifest.json").read_text(encoding="utf-8"))
LISTED = {**MANIFEST["files"], **MANIFEST["other_files"]}  # manifest key -> entry
# What the error must name as the repair, besides `git checkout -- data/<file>`.
REPAIR = {key: "`make data`" for key in MANIFEST["files"]} | {
    "interview_qa": "`python scripts/build_data.py --readme-only`",
    "gan_generator": "`make pretrained-gan`",
}
BUNDLED_CASES = [
    pytest.param(key, loader, id=f"{key}-{label}")
    for key in LISTED
    for label, loader in [
        *LOADERS.get(key, []),
        (f"verified_path('{key}')", lambda key=key: data.verified_path(key)),
    ]
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_sha256(data_dir: Path, key: str) -> str:
    manifest = json.loads((data_dir / "manifest.json").read_text())
    return {**manifest["files"], **manifest["other_files"]}[key]["sha256"]


@pytest.fixture(autouse=True)
def _no_local_full_copies(monkeypatch, tmp_path):
    """No Keras download in ~/.keras and no Debian package: 'auto' means the bundled sample."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", tmp_path / "no-debian-package")


def test_the_suite_knows_every_loader_and_every_listed_file():
    public_loaders = {name for name in dir(data) if name.startswith("load_")}
    public_loaders.remove("load_imdb")  # no bundled file: its cached files are checked below
    labels = " ".join(label for loaders in LOADERS.values() for label, _ in loaders)
    assert all(f"{name}(" in labels for name in public_loaders), "a new loader: add it to LOADERS"
    assert set(LOADERS) <= set(LISTED) and set(REPAIR) == set(LISTED)


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
@pytest.mark.parametrize(("key", "loader"), BUNDLED_CASES)
def test_a_damaged_bundled_file_names_itself_the_checksums_and_the_repair(
    key, loader, corrupt, data_copy
):
    file = LISTED[key]["file"]
    path = data_copy / file
    other = data_copy / LISTED["gan_generator" if key != "gan_generator" else "mnist"]["file"]
    path.write_bytes(corrupt(path.read_bytes(), other.read_bytes()))
    with pytest.raises(data.DataIntegrityError) as caught:
        loader()
    message = str(caught.value)
    assert f"{path} is corrupted" in message
    assert f"SHA-256 {sha256(path)}" in message, "what was found"
    assert recorded_sha256(data_copy, key) in message and "data/manifest.json" in message
    assert f"`git checkout -- data/{file}`" in message and REPAIR[key] in message


@pytest.mark.parametrize(("key", "loader"), BUNDLED_CASES)
def test_a_missing_bundled_file_says_how_to_restore_it(key, loader, data_copy):
    file = LISTED[key]["file"]
    (data_copy / file).unlink()
    with pytest.raises(data.DataUnavailableError) as caught:
        loader()
    message = str(caught.value)
    assert file in message and f"`git checkout -- data/{file}`" in message
    assert REPAIR[key] in message


# ----------------------------------------------------------------------------- the manifest
def _flip_a_recorded_digit(text: str) -> str:
    sha = json.loads(text)["files"]["mnist"]["sha256"]
    flipped = sha[:10] + ("0" if sha[10] != "0" else "1") + sha[11:]
    return text.replace(sha, flipped)


MANIFEST_DAMAGE = {
    "truncated": lambda text: text[: len(text) // 2],
    "emptied": lambda text: "",
    "replaced by the README": lambda text: "# Bundled data\n\nSmall, real datasets...\n",
    "replaced by a JSON list": lambda text: "[]",
    "a file's entry without sha256": lambda text: text.replace('"sha256"', '"sha_256"', 1),
    "full_files section lost": lambda text: text.replace('"full_files"', '"full_filez"'),
    "not UTF-8": lambda text: "\udcff",
}


@pytest.mark.parametrize("damage", MANIFEST_DAMAGE.values(), ids=MANIFEST_DAMAGE.keys())
def test_a_damaged_manifest_names_itself_and_the_repair(damage, data_copy):
    manifest = data_copy / "manifest.json"
    manifest.write_bytes(damage(manifest.read_text()).encode("utf-8", "surrogateescape"))
    with pytest.raises(data.DataIntegrityError) as caught:
        data.load_mnist("bundled")
    message = str(caught.value)
    assert f"{manifest} is corrupted: unreadable" in message
    assert "`git checkout -- data/manifest.json`" in message


def test_a_flipped_digit_in_the_manifest_names_the_file_and_the_manifest(data_copy):
    manifest = data_copy / "manifest.json"
    manifest.write_text(_flip_a_recorded_digit(manifest.read_text()))
    with pytest.raises(data.DataIntegrityError, match=r"mnist_sample\.npz is corrupted.*manifest"):
        data.load_mnist("bundled")


def test_a_missing_manifest_says_where_the_data_comes_from(data_copy):
    (data_copy / "manifest.json").unlink()
    with pytest.raises(
        data.DataUnavailableError, match="manifest.json is missing.*COURSE_DATA_DIR"
    ):
        data.load_spam()


# ------------------------------------------------------------------ cached full-dataset files
def _idx(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _fake_full_files(folder: Path) -> dict[str, dict[str, bytes]]:
    """Small stand-ins for the full datasets, with the file names the loaders look for."""
    rng = np.random.default_rng(7)
    images = {n: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for n in (12, 5)}
    labels = {n: rng.integers(0, 10, n, dtype=np.uint8) for n in (12, 5)}
    fashion = {
        f"{split}-{kind}-idx{dim}-ubyte.gz": gzip.compress(_idx(arrays[n]), mtime=0)
        for split, n in (("train", 12), ("t10k", 5))
        for kind, dim, arrays in (("images", 3, images), ("labels", 1, labels))
    }
    mnist = folder / "mnist.npz"
    np.savez(mnist, x_train=images[12], y_train=labels[12], x_test=images[5], y_test=labels[5])
    reviews = np.empty(2, dtype=object)
    reviews[:] = [[1, 2, 3], [2, 1]]
    imdb = folder / "imdb.npz"
    np.savez(imdb, x_train=reviews, y_train=np.array([1, 0]), x_test=reviews, y_test=[0, 1])
    return {
        "mnist": {"mnist.npz": mnist.read_bytes()},
        "fashion_mnist": fashion,
        "imdb": {
            "imdb.npz": imdb.read_bytes(),
            "imdb_word_index.json": json.dumps({"good": 1, "film": 2, "bad": 3}).encode(),
        },
    }


@pytest.fixture
def full_cache(data_copy, tmp_path, monkeypatch) -> Path:
    """A cache folder with small full datasets whose hashes the manifest copy records."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    manifest_path = data_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for name, files in _fake_full_files(tmp_path).items():
        (cache / name).mkdir(parents=True)
        for file, raw in files.items():
            (cache / name / file).write_bytes(raw)
        digest = {f: "sha256:" + hashlib.sha256(raw).hexdigest() for f, raw in files.items()}
        manifest["full_files"][name] = digest
    manifest_path.write_text(json.dumps(manifest))
    return cache


FULL_LOADERS = {
    "mnist": lambda: data.load_mnist("auto"),
    "fashion_mnist": lambda: data.load_fashion_mnist("full"),
    "imdb": lambda: data.load_imdb(),
}
CACHED_FILES = [
    ("mnist", "mnist.npz"),
    *[
        ("fashion_mnist", f"{s}-{k}-idx{d}-ubyte.gz")
        for s in ("train", "t10k")
        for k, d in (("images", 3), ("labels", 1))
    ],
    ("imdb", "imdb.npz"),
    ("imdb", "imdb_word_index.json"),
]


@pytest.mark.parametrize("name", FULL_LOADERS)
def test_intact_cached_full_files_are_used(name, full_cache, capsys):
    (x_train, y_train), _ = FULL_LOADERS[name]()
    assert len(x_train) == len(y_train) == (2 if name == "imdb" else 12)
    assert f"full set ({len(x_train)} train" in capsys.readouterr().out


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
@pytest.mark.parametrize(("name", "file"), CACHED_FILES, ids=[f for _, f in CACHED_FILES])
def test_a_damaged_cached_full_file_names_itself_the_hashes_and_the_repair(
    name, file, corrupt, full_cache, data_copy
):
    path = full_cache / name / file
    expected = json.loads((data_copy / "manifest.json").read_text())["full_files"][name][file]
    other = full_cache / "imdb" / ("imdb_word_index.json" if file == "imdb.npz" else "imdb.npz")
    path.write_bytes(corrupt(path.read_bytes(), other.read_bytes()))
    with pytest.raises(data.DataIntegrityError) as caught:
        FULL_LOADERS[name]()
    message = str(caught.value)
    assert f"{path} is corrupted: sha256 {sha256(path)}" in message
    assert expected.split(":")[1] in message
    assert "Delete it, then run `make fetch-data`" in message


# ---------------------------------------------------- Fashion-MNIST from the Debian package
@pytest.fixture
def debian_copy(data_copy, tmp_path, monkeypatch) -> Path:
    """A stand-in for /usr/share/datasets/fashion-mnist, re-gzipped like Debian's (other bytes)."""
    folder = tmp_path / "debian-fashion-mnist"
    folder.mkdir()
    manifest_path = data_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for file, raw in _fake_full_files(tmp_path)["fashion_mnist"].items():
        content = gzip.decompress(raw)
        (folder / file).write_bytes(gzip.compress(content, compresslevel=6, mtime=1))
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        manifest["full_files"]["fashion_mnist_debian"][file] = digest
    manifest_path.write_text(json.dumps(manifest))
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", folder)
    return folder


def test_an_intact_debian_copy_is_used(debian_copy, capsys):
    (x_train, _), (x_test, _) = data.load_fashion_mnist("auto")
    assert x_train.shape == (12, 28, 28) and x_test.shape == (5, 28, 28)
    assert str(debian_copy) in capsys.readouterr().out


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
@pytest.mark.parametrize("file", [f for n, f in CACHED_FILES if n == "fashion_mnist"])
def test_a_damaged_debian_file_is_a_named_error_not_a_gzip_error(file, corrupt, debian_copy):
    path = debian_copy / file
    other = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07")  # a valid one-label IDX file
    path.write_bytes(corrupt(path.read_bytes(), other))
    with pytest.raises(data.DataIntegrityError) as caught:
        data.load_fashion_mnist("auto")
    message = str(caught.value)
    assert f"{path} is corrupted" in message
    assert "`sudo apt-get install --reinstall dataset-fashion-mnist`" in message
    if corrupt in (replaced, emptied):  # still gzip: the content hash tells
        found = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        assert f"content sha256:{found}" in message and "expected sha256:" in message
