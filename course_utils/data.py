"""Dataset loaders that work offline: bundled real samples, full datasets when they can be had.

Every loader takes ``source``:

* ``"bundled"``: the small real sample shipped in ``data/`` (always there, SHA-256 checked).
* ``"full"``: the full dataset, from a local copy or downloaded (pooch, checksum, short timeout);
  raises :class:`DataUnavailableError` with what to do if it cannot be had.
* ``"auto"`` (default): full if it is cached, installed locally or downloadable, else bundled.

Each prints one line saying which data is in use and how to get the full set. Images come back
shaped like ``keras.datasets``: ``(x_train, y_train), (x_test, y_test)`` with ``x`` uint8
``(n, 28, 28)`` and ``y`` uint8 labels ``(n,)``. Text datasets return ``x`` as a NumPy array of
``str`` and ``y`` as int64 labels (1 = positive class: spam, or a positive review).
"""

from __future__ import annotations

import gzip
import hashlib
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
    """Where the data in use came from (returned by :func:`describe_sources`)."""

    name: str
    bundled: bool
    full_local: bool


# --------------------------------------------------------------------------- helpers
def _check_choice(value: Any, valid: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, one of {', '.join(valid)}; got {value!r}.")
    if value not in valid:
        raise ValueError(f"Unknown {what} {value!r}. Valid {what}s: {', '.join(valid)}.")
    return value


def _file_hash(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest() -> dict:
    path = config.data_dir() / "manifest.json"
    if not path.exists():
        raise DataUnavailableError(
            f"{path} is missing. The bundled data ships with the course repository: "
            "run from a full clone, or set COURSE_DATA_DIR to its data/ folder."
        )
    return json.loads(path.read_text())


def bundled_path(name: str) -> Path:
    """Return the verified path of a bundled data file.

    Args:
        name: ``"mnist"``, ``"fashion_mnist"`` or ``"spam"``.

    Raises:
        ValueError: ``name`` has no bundled file.
        DataUnavailableError: the file is missing.
        DataIntegrityError: the file's SHA-256 differs from ``data/manifest.json``.
    """
    _check_choice(name, tuple(_BUNDLED_FILES), "bundled dataset")
    return _verified(_manifest()["files"][name], "make data")


def _verified(entry: dict, rebuild: str) -> Path:
    """Path of a file listed in data/manifest.json, after checking that it exists and its SHA-256."""
    path = config.data_dir() / entry["file"]
    fix = f"Restore it with `git checkout -- data/{entry['file']}` or rebuild it with `{rebuild}`."
    if not path.exists():
        raise DataUnavailableError(f"Bundled file {path} is missing. {fix}")
    actual = _file_hash(path)
    if actual != entry["sha256"]:
        raise DataIntegrityError(
            f"Bundled file {path} is corrupted: its SHA-256 is {actual}, expected "
            f"{entry['sha256']} (data/manifest.json). {fix}"
        )
    return path


def load_pretrained_generator() -> Any:
    """Load ``data/gan_generator.keras``: notebook 05's DCGAN generator, made by ``make pretrained-gan``.

    The file's SHA-256 is checked against ``data/manifest.json`` before Keras reads it.

    Returns:
        A ``keras.Model`` from latent vectors ``(batch, 64)`` to digits ``(batch, 28, 28, 1)`` in [-1, 1].

    Raises:
        DataUnavailableError: the file is missing.
        DataIntegrityError: its SHA-256 differs from the manifest's.
    """
    import keras

    path = _verified(_manifest()["other_files"]["gan_generator"], "make pretrained-gan")
    return keras.models.load_model(path)


def _matches(path: Path, known: str) -> bool:
    algorithm, expected = known.split(":")
    return path.exists() and _file_hash(path, algorithm) == expected


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
    if all(_matches(p, h) for p, h in zip(cached.values(), known.values(), strict=True)):
        return cached
    if name == "mnist":  # reuse a copy Keras already downloaded
        keras_copy = Path.home() / ".keras" / "datasets" / "mnist.npz"
        if _matches(keras_copy, known["mnist.npz"]):
            return {"mnist.npz": keras_copy}
    return None


def _download_full(name: str) -> dict[str, Path]:
    import pooch

    paths = {}
    for fname, known in _FULL_FILES[name].items():
        downloader = pooch.HTTPDownloader(timeout=DOWNLOAD_TIMEOUT_S, progressbar=True)
        paths[fname] = Path(
            pooch.retrieve(
                KERAS_MIRROR + fname,
                known_hash=known,
                fname=fname,
                path=_full_dir(name),
                downloader=downloader,
            )
        )
    return paths


def _full_files(name: str, source: str) -> dict[str, Path] | None:
    """Find or fetch the full files; None (auto) or DataUnavailableError (full) if impossible."""
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
        return _download_full(name)
    except Exception as error:  # network errors, timeouts, checksum mismatch
        if source == "full":
            raise DataUnavailableError(
                f"Downloading full {name} failed ({type(error).__name__}: {error}). To get it: {hint}."
            ) from error
        print(f"Download of full {name} failed ({type(error).__name__}); using the bundled sample.")
        return None


def _announce(message: str, verbose: bool) -> None:
    if verbose:
        print(message)


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    _zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if dtype_code != 0x08:
        raise DataIntegrityError(f"{path} is not an unsigned-byte IDX file (type {dtype_code:#x}).")
    shape = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def _load_npz_images(
    path: Path,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"].astype(np.uint8)), (
            f["x_test"],
            f["y_test"].astype(np.uint8),
        )


def _validate_images(name: str, splits: tuple) -> tuple:
    (x_train, y_train), (x_test, y_test) = splits
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DataIntegrityError(f"{name}: unexpected array shapes {x.shape}/{y.shape}.")
    return splits


# --------------------------------------------------------------------------- image loaders
def _load_images(name: str, source: str, verbose: bool) -> tuple:
    source = _check_choice(source, SOURCES, "source")
    label = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}[name]
    if source in ("auto", "full"):
        files = _full_files(name, source)
        if files is not None:
            if name == "mnist":
                splits = _load_npz_images(files["mnist.npz"])
            else:
                splits = (
                    (
                        _read_idx(files["train-images-idx3-ubyte.gz"]),
                        _read_idx(files["train-labels-idx1-ubyte.gz"]),
                    ),
                    (
                        _read_idx(files["t10k-images-idx3-ubyte.gz"]),
                        _read_idx(files["t10k-labels-idx1-ubyte.gz"]),
                    ),
                )
            splits = _validate_images(name, splits)
            where = files[next(iter(files))].parent
            _announce(
                f"Data: {label}, full set ({len(splits[0][0]):,} train / {len(splits[1][0]):,} test) from {where}.",
                verbose,
            )
            return splits
    path = bundled_path(name)
    splits = _validate_images(name, _load_npz_images(path))
    hint = _FULL_HINT[name].format(cache=_full_dir(name))
    _announce(
        f"Data: {label}, bundled sample ({len(splits[0][0]):,} train / {len(splits[1][0]):,} test, "
        f"data/{path.name}). For the full set: {hint}.",
        verbose,
    )
    return splits


def load_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load MNIST handwritten digits.

    Args:
        source: ``"auto"``, ``"bundled"`` (10,000 real digits: 8,000 train / 2,000 test) or
            ``"full"`` (60,000 / 10,000).
        verbose: print one line saying which data is in use.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 28, 28)`` with values
        0-255 and uint8 labels ``(n,)`` in 0-9, as ``keras.datasets.mnist.load_data()``.

    Raises:
        ValueError: unknown ``source``.
        DataUnavailableError: ``source="full"`` and the full set cannot be had.
        DataIntegrityError: a file's checksum does not match.
    """
    return _load_images("mnist", source, verbose)


def load_fashion_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load Fashion-MNIST (Zalando's clothing images; class names in ``FASHION_MNIST_CLASSES``).

    Args:
        source: ``"auto"``, ``"bundled"`` (6,000 train / 2,000 test, stratified) or ``"full"``
            (60,000 / 10,000, from the Debian package ``dataset-fashion-mnist`` or downloaded).
        verbose: print one line saying which data is in use.

    Returns:
        ``(x_train, y_train), (x_test, y_test)`` shaped as :func:`load_mnist`.

    Raises:
        ValueError: unknown ``source``.
        DataUnavailableError: ``source="full"`` and the full set cannot be had.
        DataIntegrityError: a file's checksum does not match.
    """
    return _load_images("fashion_mnist", source, verbose)


# --------------------------------------------------------------------------- text loaders
def load_spam_records() -> list[dict[str, Any]]:
    """Return the bundled SpamAssassin emails as dicts.

    Each record has ``id`` (``"<group>/<number>"``), ``group`` (easy-ham-1, easy-ham-2,
    hard-ham-1, spam-1, spam-2), ``label`` (1 = spam), ``subject`` and ``body`` (plain text).
    See ``data/README.md`` for how they were cleaned.
    """
    path = bundled_path("spam")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _split_text(
    texts: np.ndarray, labels: np.ndarray, test_fraction: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        texts, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)


def load_spam(
    source: str = "auto", *, test_fraction: float = 0.2, seed: int = 42, verbose: bool = True
) -> tuple:
    """Load the SpamAssassin spam/ham emails as text, split into training and test sets.

    The bundled file is the whole cleaned corpus (5,783 emails after dropping exact duplicates
    and sexually explicit spam), so ``"bundled"``, ``"full"`` and ``"auto"`` return the same data.
    Exact duplicates were removed before splitting, so no message is in both sets.

    Args:
        source: ``"auto"``, ``"bundled"`` or ``"full"`` (all the same here).
        test_fraction: share of messages held out for testing, in (0, 1).
        seed: random seed of the stratified split.
        verbose: print one line saying which data is in use.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` a NumPy array of ``str`` (subject, blank
        line, body), ``y`` int64 labels (1 = spam, 0 = ham).

    Raises:
        ValueError: unknown ``source`` or ``test_fraction`` outside (0, 1).
    """
    _check_choice(source, SOURCES, "source")
    if not isinstance(test_fraction, float | int) or not 0 < test_fraction < 1:
        raise ValueError(
            f"test_fraction must be a number between 0 and 1 (exclusive), got {test_fraction!r}."
        )
    records = load_spam_records()
    texts = np.array([r["subject"] + "\n\n" + r["body"] for r in records])
    labels = np.array([r["label"] for r in records], dtype=np.int64)
    splits = _split_text(texts, labels, test_fraction, seed)
    _announce(
        f"Data: SpamAssassin emails, whole cleaned corpus bundled ({len(splits[0][0]):,} train / "
        f"{len(splits[1][0]):,} test, {labels.mean():.0%} spam, data/spam_assassin.jsonl.gz).",
        verbose,
    )
    return splits


def load_imdb(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load the IMDB movie-review sentiment dataset as text (25,000 train / 25,000 test).

    There is no bundled sample: IMDB needs the network once (then it is cached), or use
    ``load_spam`` offline.

    Args:
        source: ``"auto"`` or ``"full"``; ``"bundled"`` raises DataUnavailableError.
        verbose: print one line saying which data is in use.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` arrays of review text (lower case, the
        words of Keras' IMDB word index), ``y`` int64 labels (1 = positive review).

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
        arrays = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}

    def decode(sequences: np.ndarray) -> np.ndarray:
        return np.array([" ".join(words.get(i, "[UNK]") for i in seq) for seq in sequences])

    splits = (
        (decode(arrays["x_train"]), arrays["y_train"].astype(np.int64)),
        (decode(arrays["x_test"]), arrays["y_test"].astype(np.int64)),
    )
    _announce(
        f"Data: IMDB reviews, full set (25,000 train / 25,000 test) from {files['imdb.npz'].parent}.",
        verbose,
    )
    return splits


_LOADERS = {
    "mnist": load_mnist,
    "fashion_mnist": load_fashion_mnist,
    "spam": load_spam,
    "imdb": load_imdb,
}


def load_dataset(name: str, source: str = "auto", **kwargs: Any) -> tuple:
    """Load a course dataset by name; see the per-dataset loaders for details.

    Args:
        name: one of ``DATASETS``: ``"mnist"``, ``"fashion_mnist"``, ``"spam"``, ``"imdb"``.
        source: ``"auto"``, ``"bundled"`` or ``"full"``.
        **kwargs: passed on to the loader.

    Raises:
        ValueError: unknown ``name`` (the message lists the valid names) or ``source``.
    """
    _check_choice(name, DATASETS, "dataset name")
    return _LOADERS[name](source, **kwargs)


def describe_sources() -> dict[str, DataInfo]:
    """Which datasets are present here without any download: bundled and/or full local copy."""
    info = {}
    for name in DATASETS:
        bundled = name in _BUNDLED_FILES and (config.data_dir() / _BUNDLED_FILES[name]).exists()
        full_local = (
            name == "spam"
            and bundled
            or (name in _FULL_FILES and _local_full_files(name) is not None)
        )
        info[name] = DataInfo(name=name, bundled=bundled, full_local=bool(full_local))
    return info


def subsample(
    x: np.ndarray, y: np.ndarray, n: int, *, seed: int = 0, stratify: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` examples of ``(x, y)``, class-balanced by default (used by quick mode).

    Args:
        x: examples, first axis ``n_examples``.
        y: integer labels ``(n_examples,)``.
        n: how many to keep; if ``n >= len(x)`` the data is returned unchanged.
        seed: random seed.
        stratify: keep the class proportions of ``y``.

    Raises:
        ValueError: ``n`` is not a positive integer or ``x`` and ``y`` differ in length.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}.")
    if n >= len(x):
        return x, y
    rng = np.random.default_rng(seed)
    if not stratify:
        idx = rng.choice(len(x), n, replace=False)
    else:
        from sklearn.model_selection import train_test_split

        idx, _ = train_test_split(np.arange(len(x)), train_size=n, random_state=seed, stratify=y)
    idx = np.sort(idx)
    return x[idx], y[idx]
