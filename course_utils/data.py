"""Dataset loaders that work offline: bundled real samples, full datasets when they can be had.

``source`` is ``"bundled"`` (the sample in ``data/``), ``"full"`` (a local copy or a checksummed
download, else :class:`DataUnavailableError` says how to get it) or ``"auto"`` (full if it can be
had). Loaders print which data is in use and return ``(x_train, y_train), (x_test, y_test)``:
images uint8 ``(n, 28, 28)`` with uint8 labels, texts ``str`` arrays with int64 labels.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pooch

from . import config

SOURCES = ("auto", "bundled", "full")
DATASETS = ("mnist", "fashion_mnist", "spam", "imdb")

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

KERAS_MIRROR = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
DOWNLOAD_TIMEOUT_S = 20
PROBE_TIMEOUT_S = 3

# Full datasets: file name -> known hash (the ones Keras and the dataset authors publish).
_FULL_FILES: dict[str, dict[str, str]] = {
    "mnist": {
        "mnist.npz": "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
    },
    "imdb": {
        "imdb.npz": "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
        "imdb_word_index.json": "md5:bfafd718b763782e994055a2d397834f",
    },
}
_BUNDLED_FILES = {
    "mnist": "mnist_sample.npz",
    "fashion_mnist": "fashion_mnist_sample.npz",
    "spam": "spam_assassin.jsonl.gz",
}
_FULL_HINT = {
    "mnist": "connect to the internet and rerun (it is downloaded once, 11 MB), "
    "or copy Keras' mnist.npz into {cache}",
    "fashion_mnist": "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), "
    "or connect to the internet and rerun (30 MB, downloaded once)",
    "imdb": "connect to the internet and rerun (it is downloaded once, 17 MB)",
}


class DataUnavailableError(RuntimeError):
    """The requested data cannot be had here (no bundled copy, no local copy, no network)."""


class DataIntegrityError(ValueError):
    """A data file is present but its checksum does not match: it is corrupted or altered."""


@dataclass(frozen=True)
class DataInfo:
    """Which copies of a dataset are here (returned by :func:`describe_sources`)."""

    bundled: bool
    full_local: bool


def _check_choice(value: Any, valid: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, one of {', '.join(valid)}; got {value!r}.")
    if value not in valid:
        raise ValueError(f"Unknown {what} {value!r}. Valid {what}s: {', '.join(valid)}.")
    return value


def _verified(section: str, name: str, rebuild: str) -> Path:
    """Path of a file listed in data/manifest.json, after checking it exists and its SHA-256."""
    manifest = config.data_dir() / "manifest.json"
    if not manifest.exists():
        raise DataUnavailableError(
            f"{manifest} is missing. The bundled data ships with the course repository: "
            "run from a full clone, or set COURSE_DATA_DIR to its data/ folder."
        )
    entry = json.loads(manifest.read_text())[section][name]
    path = config.data_dir() / entry["file"]
    fix = f"Restore it with `git checkout -- data/{entry['file']}` or rebuild it with `{rebuild}`."
    if not path.exists():
        raise DataUnavailableError(f"Bundled file {path} is missing. {fix}")
    actual = pooch.file_hash(path)
    if actual != entry["sha256"]:
        raise DataIntegrityError(
            f"Bundled file {path} is corrupted: its SHA-256 is {actual}, expected "
            f"{entry['sha256']} (data/manifest.json). {fix}"
        )
    return path


def load_pretrained_generator() -> Any:
    """Load notebook 07's DCGAN generator (latent ``(batch, 64)`` -> digits in [-1, 1]).

    Raises:
        DataUnavailableError: ``data/gan_generator.keras`` is missing (``make pretrained-gan``).
        DataIntegrityError: its SHA-256 differs from ``data/manifest.json``.
    """
    import keras

    return keras.models.load_model(_verified("other_files", "gan_generator", "make pretrained-gan"))


def _matches(path: Path, known: str) -> bool:
    algorithm, expected = known.split(":")
    return path.exists() and pooch.file_hash(path, algorithm) == expected


def _network_available(host: str = "storage.googleapis.com") -> bool:
    """Quick probe: can we open a TCP connection to the mirror within a few seconds?"""
    if config.is_offline():
        return False
    try:
        with socket.create_connection((host, 443), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _local_full_files(name: str) -> dict[str, Path] | None:
    """Paths of an already-present, checksum-valid full copy, or None."""
    known = _FULL_FILES[name]
    if name == "fashion_mnist" and DEBIAN_FASHION_DIR.is_dir():
        paths = {f: DEBIAN_FASHION_DIR / f for f in known}
        if all(p.exists() for p in paths.values()):
            return paths  # Debian re-gzips the files, so their bytes differ; content is checked on load
    cached = {f: config.cache_dir() / name / f for f in known}
    if all(_matches(cached[f], known[f]) for f in known):
        return cached
    keras_copy = Path.home() / ".keras" / "datasets" / "mnist.npz"  # one Keras downloaded
    if name == "mnist" and _matches(keras_copy, known["mnist.npz"]):
        return {"mnist.npz": keras_copy}
    return None


def _full_files(name: str, source: str) -> dict[str, Path] | None:
    """Find or fetch the full files; None (auto) or DataUnavailableError (full) if impossible."""
    if (local := _local_full_files(name)) is not None:
        return local
    hint = _FULL_HINT[name].format(cache=config.cache_dir() / name)
    if not _network_available():
        reason = "COURSE_OFFLINE=1 is set" if config.is_offline() else "no network connection"
        if source == "full":
            message = f"Full {name} is not available ({reason}). To get it: {hint}."
            raise DataUnavailableError(message)
        return None
    try:
        downloader = pooch.HTTPDownloader(timeout=DOWNLOAD_TIMEOUT_S, progressbar=True)
        paths = {}
        for file, known in _FULL_FILES[name].items():
            target = {"fname": file, "path": config.cache_dir() / name, "downloader": downloader}
            paths[file] = Path(pooch.retrieve(KERAS_MIRROR + file, known, **target))
        return paths
    except Exception as error:  # network errors, timeouts, checksum mismatch
        failure = f"{type(error).__name__}: {error}"
        if source == "full":
            raise DataUnavailableError(
                f"Downloading full {name} failed ({failure}). To get it: {hint}."
            ) from error
        print(f"Download of full {name} failed ({type(error).__name__}); using the bundled sample.")
        return None


def _sizes(splits: tuple) -> str:
    return f"{len(splits[0][0]):,} train / {len(splits[1][0]):,} test"


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    _zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if dtype_code != 0x08:
        raise DataIntegrityError(f"{path} is not an unsigned-byte IDX file (type {dtype_code:#x}).")
    shape = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def _read_npz(path: Path) -> tuple:
    with np.load(path, allow_pickle=False) as f:
        return tuple((f[f"x_{s}"], f[f"y_{s}"].astype(np.uint8)) for s in ("train", "test"))


def _load_images(name: str, source: str, verbose: bool) -> tuple:
    _check_choice(source, SOURCES, "source")
    label = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}[name]
    files = _full_files(name, source) if source != "bundled" else None
    if files is None:
        path = _verified("files", name, "make data")
        splits = _read_npz(path)
        hint = _FULL_HINT[name].format(cache=config.cache_dir() / name)
        message = f"bundled sample ({_sizes(splits)}, data/{path.name}). For the full set: {hint}."
    else:
        if name == "mnist":
            splits = _read_npz(files["mnist.npz"])
        else:  # the IDX files in _FULL_FILES order: train images, train labels, test images, labels
            arrays = [_read_idx(path) for path in files.values()]
            splits = (arrays[0], arrays[1]), (arrays[2], arrays[3])
        message = f"full set ({_sizes(splits)}) from {next(iter(files.values())).parent}."
    for x, y in splits:
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DataIntegrityError(f"{name}: unexpected array shapes {x.shape}/{y.shape}.")
    if verbose:
        print(f"Data: {label}, {message}")
    return splits


def load_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load MNIST digits: bundled 8,000 train / 2,000 test, full 60,000 / 10,000 (labels 0-9).

    Raises:
        ValueError: unknown ``source``.
        DataUnavailableError: ``source="full"`` and the full set cannot be had.
        DataIntegrityError: a file's checksum does not match.
    """
    return _load_images("mnist", source, verbose)


def load_fashion_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load Fashion-MNIST (class names in ``FASHION_MNIST_CLASSES``) like :func:`load_mnist`.

    Bundled: 6,000 train / 2,000 test (stratified); full: 60,000 / 10,000, from the Debian package
    ``dataset-fashion-mnist`` or downloaded.
    """
    return _load_images("fashion_mnist", source, verbose)


def load_spam_records() -> list[dict[str, Any]]:
    """The bundled SpamAssassin emails as dicts (cleaned as ``data/README.md`` says).

    Keys: ``id`` (``"<group>/<number>"``), ``group`` (easy-ham-1, easy-ham-2, hard-ham-1, spam-1,
    spam-2), ``label`` (1 = spam), ``subject`` and ``body`` (plain text).
    """
    with gzip.open(_verified("files", "spam", "make data"), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def load_spam(
    source: str = "auto", *, test_fraction: float = 0.2, seed: int = 42, verbose: bool = True
) -> tuple:
    """Load the SpamAssassin emails as text, split (stratified, ``seed``) into training and test sets.

    The bundled file is the whole cleaned corpus (5,783 emails), so every ``source`` gives the
    same data. ``x`` holds subject, blank line and body; ``y`` is 1 for spam, 0 for ham.
    """
    from sklearn.model_selection import train_test_split

    _check_choice(source, SOURCES, "source")
    if not isinstance(test_fraction, float | int) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number in (0, 1), got {test_fraction!r}.")
    records = load_spam_records()
    texts = np.array([r["subject"] + "\n\n" + r["body"] for r in records])
    labels = np.array([r["label"] for r in records], dtype=np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        texts, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    splits = (x_train, y_train), (x_test, y_test)
    if verbose:
        print(
            f"Data: SpamAssassin emails, whole cleaned corpus bundled ({_sizes(splits)}, "
            f"{labels.mean():.0%} spam, data/spam_assassin.jsonl.gz)."
        )
    return splits


def load_imdb(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load the IMDB movie reviews as lower-case text (25,000 train / 25,000 test; 1 = positive).

    There is no bundled sample: IMDB needs the network once (then it is cached).

    Raises:
        ValueError: unknown ``source``.
        DataUnavailableError: no cached copy and no network, or ``source="bundled"``.
    """
    _check_choice(source, SOURCES, "source")
    if source == "bundled":
        raise DataUnavailableError(
            "IMDB has no bundled sample. Use source='auto' with a network connection, "
            "or load_spam() for an offline text dataset."
        )
    files = _full_files("imdb", "full")
    word_index = json.loads(files["imdb_word_index.json"].read_text())
    words = {index: word for word, index in word_index.items()}

    def split(archive: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
        texts = [" ".join(words.get(i, "[UNK]") for i in seq) for seq in archive[f"x_{name}"]]
        return np.array(texts), archive[f"y_{name}"].astype(np.int64)

    # The file's hash was verified above, so unpickling its ragged arrays is safe.
    with np.load(files["imdb.npz"], allow_pickle=True) as archive:
        splits = split(archive, "train"), split(archive, "test")
    if verbose:
        print(f"Data: IMDB reviews, full set ({_sizes(splits)}) from {files['imdb.npz'].parent}.")
    return splits


def load_dataset(name: str, source: str = "auto", **kwargs: Any) -> tuple:
    """Load a course dataset by name (one of ``DATASETS``); ``kwargs`` go to its loader."""
    _check_choice(name, DATASETS, "dataset name")
    loaders = dict(
        mnist=load_mnist, fashion_mnist=load_fashion_mnist, spam=load_spam, imdb=load_imdb
    )
    return loaders[name](source, **kwargs)


def describe_sources() -> dict[str, DataInfo]:
    """Which datasets are present here without any download: bundled and/or full local copy."""
    info = {}
    for name in DATASETS:
        bundled = name in _BUNDLED_FILES and (config.data_dir() / _BUNDLED_FILES[name]).exists()
        full = bundled if name == "spam" else _local_full_files(name) is not None
        info[name] = DataInfo(bundled, full)
    return info


def subsample(
    x: np.ndarray, y: np.ndarray, n: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` examples of ``(x, y)`` in their order and class proportions (all if ``n >= len(x)``)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    if n >= len(x):
        return x, y
    from sklearn.model_selection import train_test_split

    idx, _ = train_test_split(np.arange(len(x)), train_size=n, random_state=seed, stratify=y)
    idx = np.sort(idx)
    return x[idx], y[idx]
