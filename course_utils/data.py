"""Dataset loaders that work offline: bundled real samples, full datasets when they can be had.

Every loader takes ``source``: ``"bundled"`` (the small real sample shipped in ``data/``,
SHA-256 checked), ``"full"`` (the full dataset from a local copy or downloaded with pooch, checksum
and short timeout; :class:`DataUnavailableError` says what to do if it cannot be had) or
``"auto"`` (default: full if it is cached, installed or downloadable, else bundled). Each prints
one line saying which data is in use. Images come back as ``keras.datasets`` returns them:
``(x_train, y_train), (x_test, y_test)``, ``x`` uint8 ``(n, 28, 28)``, ``y`` uint8 ``(n,)``.
Text datasets return ``x`` as a NumPy array of ``str`` and ``y`` as int64 labels (1 = spam, or
a positive review).
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

    name: str
    bundled: bool
    full_local: bool


# --------------------------------------------------------------------------- files
def _check_choice(value: Any, valid: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, one of {', '.join(valid)}; got {value!r}.")
    if value not in valid:
        raise ValueError(f"Unknown {what} {value!r}. Valid {what}s: {', '.join(valid)}.")
    return value


def _verified(section: str, name: str, rebuild: str) -> Path:
    """Path of a file listed in data/manifest.json, after checking it exists and its SHA-256."""
    import pooch

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
    """Load ``data/gan_generator.keras``, notebook 05's DCGAN generator, after checking its SHA-256.

    Returns:
        A ``keras.Model`` from latent vectors ``(batch, 64)`` to digits ``(batch, 28, 28, 1)`` in [-1, 1].

    Raises:
        DataUnavailableError: the file is missing (rebuild it with ``make pretrained-gan``).
        DataIntegrityError: its SHA-256 differs from ``data/manifest.json``.
    """
    import keras

    return keras.models.load_model(_verified("other_files", "gan_generator", "make pretrained-gan"))


def _matches(path: Path, known: str) -> bool:
    import pooch

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


def _full_dir(name: str) -> Path:
    return config.cache_dir() / name


def _local_full_files(name: str) -> dict[str, Path] | None:
    """Paths of an already-present, checksum-valid full copy, or None."""
    known = _FULL_FILES[name]
    if name == "fashion_mnist" and DEBIAN_FASHION_DIR.is_dir():
        paths = {f: DEBIAN_FASHION_DIR / f for f in known}
        if all(p.exists() for p in paths.values()):
            return paths  # Debian re-gzips the files, so their bytes differ; content is checked on load
    cached = {f: _full_dir(name) / f for f in known}
    if all(_matches(cached[f], known[f]) for f in known):
        return cached
    keras_copy = Path.home() / ".keras" / "datasets" / "mnist.npz"  # one Keras downloaded
    if name == "mnist" and _matches(keras_copy, known["mnist.npz"]):
        return {"mnist.npz": keras_copy}
    return None


def _full_files(name: str, source: str) -> dict[str, Path] | None:
    """Find or fetch the full files; None (auto) or DataUnavailableError (full) if impossible."""
    import pooch

    local = _local_full_files(name)
    if local is not None:
        return local
    hint = _FULL_HINT[name].format(cache=_full_dir(name))
    if not _network_available():
        reason = "COURSE_OFFLINE=1 is set" if config.is_offline() else "no network connection"
        if source == "full":
            raise DataUnavailableError(
                f"Full {name} is not available ({reason}). To get it: {hint}."
            )
        return None
    try:
        downloader = pooch.HTTPDownloader(timeout=DOWNLOAD_TIMEOUT_S, progressbar=True)
        paths = {}
        for file, known in _FULL_FILES[name].items():
            target = {"fname": file, "path": _full_dir(name), "downloader": downloader}
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


# --------------------------------------------------------------------------- image loaders
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
        return tuple(
            (f[f"x_{split}"], f[f"y_{split}"].astype(np.uint8)) for split in ("train", "test")
        )


def _load_images(name: str, source: str, verbose: bool) -> tuple:
    _check_choice(source, SOURCES, "source")
    label = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}[name]
    files = _full_files(name, source) if source != "bundled" else None
    if files is None:
        path = _verified("files", name, "make data")
        splits = _read_npz(path)
        hint = _FULL_HINT[name].format(cache=_full_dir(name))
        message = f"bundled sample ({_sizes(splits)}, data/{path.name}). For the full set: {hint}."
    elif name == "mnist":
        splits = _read_npz(files["mnist.npz"])
        message = f"full set ({_sizes(splits)}) from {files['mnist.npz'].parent}."
    else:
        splits = tuple(
            (
                _read_idx(files[f"{s}-images-idx3-ubyte.gz"]),
                _read_idx(files[f"{s}-labels-idx1-ubyte.gz"]),
            )
            for s in ("train", "t10k")
        )
        message = f"full set ({_sizes(splits)}) from {next(iter(files.values())).parent}."
    for x, y in splits:
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DataIntegrityError(f"{name}: unexpected array shapes {x.shape}/{y.shape}.")
    if verbose:
        print(f"Data: {label}, {message}")
    return splits


def load_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load MNIST handwritten digits as ``keras.datasets.mnist.load_data()`` returns them.

    ``source="bundled"`` is 10,000 real digits (8,000 train / 2,000 test), ``"full"`` 60,000 /
    10,000; ``verbose`` prints which data is in use. Labels are 0-9.

    Raises:
        ValueError: unknown ``source``.
        DataUnavailableError: ``source="full"`` and the full set cannot be had.
        DataIntegrityError: a file's checksum does not match.
    """
    return _load_images("mnist", source, verbose)


def load_fashion_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load Fashion-MNIST (Zalando's clothing images; class names in ``FASHION_MNIST_CLASSES``).

    ``source="bundled"`` is 6,000 train / 2,000 test images (stratified); ``"full"`` is 60,000 /
    10,000, from the Debian package ``dataset-fashion-mnist`` or downloaded. Otherwise as
    :func:`load_mnist`.
    """
    return _load_images("fashion_mnist", source, verbose)


# --------------------------------------------------------------------------- text loaders
def load_spam_records() -> list[dict[str, Any]]:
    """Return the bundled SpamAssassin emails as dicts.

    Each record has ``id`` (``"<group>/<number>"``), ``group`` (easy-ham-1, easy-ham-2,
    hard-ham-1, spam-1, spam-2), ``label`` (1 = spam), ``subject`` and ``body`` (plain text).
    See ``data/README.md`` for how they were cleaned.
    """
    with gzip.open(_verified("files", "spam", "make data"), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def load_spam(
    source: str = "auto", *, test_fraction: float = 0.2, seed: int = 42, verbose: bool = True
) -> tuple:
    """Load the SpamAssassin emails as text, split (stratified, ``seed``) into training and test sets.

    The bundled file is the whole cleaned corpus (5,783 emails after dropping exact duplicates
    and sexually explicit spam), so every ``source`` gives the same data and no message is in
    both sets. ``test_fraction`` of the messages are held out. ``x`` holds subject, blank line
    and body; ``y`` is 1 for spam, 0 for ham.

    Raises:
        ValueError: unknown ``source`` or ``test_fraction`` outside (0, 1).
    """
    from sklearn.model_selection import train_test_split

    _check_choice(source, SOURCES, "source")
    if not isinstance(test_fraction, float | int) or not 0 < test_fraction < 1:
        raise ValueError(
            f"test_fraction must be a number between 0 and 1 (exclusive), got {test_fraction!r}."
        )
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
    """Load the IMDB movie-review sentiment dataset as text (25,000 train / 25,000 test).

    There is no bundled sample: IMDB needs the network once (then it is cached); offline, use
    :func:`load_spam`. ``x`` is lower-case review text (the words of Keras' IMDB word index),
    ``y`` is 1 for a positive review.

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
    # The file's hash was verified above, so unpickling its ragged arrays is safe.
    with np.load(files["imdb.npz"], allow_pickle=True) as f:
        splits = tuple(
            (
                np.array([" ".join(words.get(i, "[UNK]") for i in seq) for seq in f[f"x_{split}"]]),
                f[f"y_{split}"].astype(np.int64),
            )
            for split in ("train", "test")
        )
    if verbose:
        print(f"Data: IMDB reviews, full set ({_sizes(splits)}) from {files['imdb.npz'].parent}.")
    return splits


def load_dataset(name: str, source: str = "auto", **kwargs: Any) -> tuple:
    """Load a course dataset by name (one of ``DATASETS``); ``kwargs`` go to its loader.

    Raises:
        ValueError: unknown ``name`` (the message lists the valid names) or ``source``.
    """
    _check_choice(name, DATASETS, "dataset name")
    loaders = {
        "mnist": load_mnist,
        "fashion_mnist": load_fashion_mnist,
        "spam": load_spam,
        "imdb": load_imdb,
    }
    return loaders[name](source, **kwargs)


def describe_sources() -> dict[str, DataInfo]:
    """Which datasets are present here without any download: bundled and/or full local copy."""
    info = {}
    for name in DATASETS:
        bundled = name in _BUNDLED_FILES and (config.data_dir() / _BUNDLED_FILES[name]).exists()
        full = bundled if name == "spam" else _local_full_files(name) is not None
        info[name] = DataInfo(name, bundled, full)
    return info


def subsample(
    x: np.ndarray, y: np.ndarray, n: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` examples of ``(x, y)`` in their order, keeping the class proportions of ``y``.

    Quick mode uses it to shrink data; with ``n >= len(x)`` the data is returned unchanged.

    Raises:
        ValueError: ``n`` is not a positive integer or ``x`` and ``y`` differ in length.
    """
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
