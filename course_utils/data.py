"""Dataset loaders that work offline: bundled real samples, full datasets when they can be had.

``source`` is ``"bundled"`` (the sample in ``data/``), ``"full"`` (a local copy or a checksummed
download, else :class:`DataUnavailableError` says how to get it) or ``"auto"`` (full if it can be
had). Loaders print which data is in use and why, and return ``(x_train, y_train), (x_test, y_test)``:
images uint8 ``(n, 28, 28)`` with uint8 labels, texts ``str`` arrays with int64 labels. Every file
is checked (:func:`verified_path`) before use; the network is probed once per process, briefly.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import json
import socket
import struct
import threading
import zlib
from pathlib import Path
from typing import Any, NamedTuple

import filelock
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
DOWNLOAD_DEADLINE_S = 600  # a whole file, however slowly a server sends it
PROBE_TIMEOUT_S = 1  # bounds the probe, name lookup included (a hanging DNS is not waited for)

_DEBIAN_FIX = "Reinstall it: `sudo apt-get install --reinstall dataset-fashion-mnist`."
_BUNDLED_FILES = {"mnist": "mnist_sample.npz", "fashion_mnist": "fashion_mnist_sample.npz",
                  "spam": "spam_assassin.jsonl.gz"}  # fmt: skip
_FULL_HINT = {
    "mnist": "run `make fetch-data` once online (11 MB), or copy Keras' mnist.npz into {cache}",
    "fashion_mnist": "run `make fetch-data` once online (30 MB), "
    "or `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu)",
    "imdb": "run `make fetch-data` once online (17 MB)",
}


class DataUnavailableError(RuntimeError):
    """The requested data cannot be had here (no bundled copy, no local copy, no network)."""


class DataIntegrityError(ValueError):
    """A data file is present but does not match its recorded checksum (the message says the fix)."""


class DataInfo(NamedTuple):
    """Which copies of a dataset are here (returned by :func:`describe_sources`)."""

    bundled: bool
    full_local: bool


def _check_choice(value: Any, valid: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, one of {', '.join(valid)}; got {value!r}.")
    if value not in valid:
        raise ValueError(f"Unknown {what} {value!r}. Valid {what}s: {', '.join(valid)}.")
    return value


def _mismatch(path: Path, found: str, expected: str, fix: str) -> DataIntegrityError:
    return DataIntegrityError(f"{path} is corrupted: {found}, expected {expected}. {fix}")


def _manifest() -> tuple[dict[str, tuple], dict[str, dict[str, str]]]:
    """data/manifest.json: (bundled file -> (file, SHA-256, repair), full dataset -> file hashes)."""
    path = config.data_dir() / "manifest.json"
    if not path.exists():
        raise DataUnavailableError(f"{path} is missing: use a course clone or set COURSE_DATA_DIR.")
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        listed = {**recorded["files"], **recorded["other_files"]}
        bundled = {k: (e["file"], e["sha256"], e.get("repair")) for k, e in listed.items()}
        full = {n: dict(recorded["full_files"][n]) for n in (*_FULL_HINT, "fashion_mnist_debian")}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        fix = "Restore it with `git checkout -- data/manifest.json`."
        found = f"unreadable ({type(error).__name__}: {error})"
        raise _mismatch(path, found, "JSON with every file's checksum", fix) from None
    return bundled | {entry[0]: entry for entry in bundled.values()}, full


def verified_path(name: str) -> Path:
    """Path of a file in data/ (manifest key such as ``"interview_qa"``, or file name) whose SHA-256
    matches data/manifest.json; else DataIntegrityError (DataUnavailableError if it is absent)."""
    bundled, _ = _manifest()
    file, expected, repair = bundled[_check_choice(name, tuple(bundled), "bundled file")]
    path = config.data_dir() / file
    fix = f"Restore it with `git checkout -- data/{file}`, or {repair or 'rebuild it with `make data`'}."
    if not path.exists():
        raise DataUnavailableError(f"Bundled file {path} is missing. {fix}")
    if (actual := pooch.file_hash(path)) != expected:
        raise _mismatch(path, f"SHA-256 {actual}", f"{expected} (data/manifest.json)", fix)
    return path


def load_pretrained_generator() -> Any:
    """Load notebook 07's DCGAN generator (latent ``(batch, 64)`` -> digits in [-1, 1]), verified."""
    import keras

    return keras.models.load_model(verified_path("gan_generator"))


def _checked(path: Path, known: str) -> bool:
    """Whether a full file is here; one that is must match its published hash."""
    algorithm, expected = known.split(":")
    if path.exists() and (found := pooch.file_hash(path, algorithm)) != expected:
        fix = "Delete it, then run `make fetch-data` online to download it again."
        raise _mismatch(path, f"{algorithm} {found}", f"{expected} (published)", fix)
    return path.exists()


@functools.cache
def _probe(host: str) -> bool:
    """Can we open a TCP connection to ``host``? Asked once per process, answered within
    PROBE_TIMEOUT_S even when the name lookup hangs (that thread is left to finish alone)."""
    reached = []

    def connect() -> None:
        with contextlib.suppress(OSError), socket.create_connection((host, 443), PROBE_TIMEOUT_S):
            reached.append(True)

    probe = threading.Thread(target=connect, daemon=True)
    probe.start()
    probe.join(PROBE_TIMEOUT_S)
    return bool(reached)


def _network_available(host: str = "storage.googleapis.com") -> bool:
    return not config.is_offline() and _probe(host)


def _local_full_files(name: str) -> dict[str, Path] | None:
    """Paths of a full copy already here (each cached file checked), or None."""
    known = _manifest()[1][name]
    debian = {f: DEBIAN_FASHION_DIR / f for f in known}
    if name == "fashion_mnist" and all(path.exists() for path in debian.values()):
        return debian  # _read_idx checks their content
    cached = {f: config.cache_dir() / name / f for f in known}
    if all([_checked(cached[f], known[f]) for f in known]):  # a list: check every file here
        return cached
    keras_copy = Path.home() / ".keras" / "datasets" / "mnist.npz"  # one Keras downloaded
    if name == "mnist" and _checked(keras_copy, known["mnist.npz"]):
        return {"mnist.npz": keras_copy}
    return None


def _bounded_download(url: str, output_file: str, _pooch: Any) -> None:
    """pooch's download step with notebook 02's deadline, minimum rate and redirect rules."""
    from . import data_safety  # the downloader notebook 02 teaches (pooch checks the hash)

    with data_safety.new_session() as session, open(output_file, "wb") as file:
        limits = {"deadline": DOWNLOAD_DEADLINE_S, "max_bytes": 200 * 2**20}
        data_safety.fetch_once(session, url, file, timeout=(3.05, DOWNLOAD_TIMEOUT_S), **limits)


def _full_files(name: str, source: str) -> tuple[dict[str, Path] | None, str]:
    """Find or fetch the full files: (paths, "") or, if ``source="auto"``, (None, why not)."""
    if (local := _local_full_files(name)) is not None:
        return local, ""
    reason = "COURSE_OFFLINE=1 is set" if config.is_offline() else "no network connection"
    if _network_available():
        try:
            folder, known = config.cache_dir() / name, _manifest()[1][name]
            folder.mkdir(parents=True, exist_ok=True)
            get = functools.partial(pooch.retrieve, path=folder, downloader=_bounded_download)
            with filelock.FileLock(folder / ".lock"):  # kernels sharing a cache: one download
                return {f: Path(get(KERAS_MIRROR + f, h, f)) for f, h in known.items()}, ""
        except Exception as error:  # network errors, timeouts, checksum mismatch
            reason = f"download failed: {type(error).__name__}: {error}"
    if source == "full":
        hint = _FULL_HINT[name].format(cache=config.cache_dir() / name)
        raise DataUnavailableError(f"Full {name} is not available ({reason}). To get it: {hint}.")
    return None, reason


def _sizes(splits: tuple) -> str:
    return f"{len(splits[0][0]):,} train / {len(splits[1][0]):,} test"


def _read_idx(path: Path) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as error:
        raise _mismatch(path, f"unreadable ({error})", "a gzip file", _DEBIAN_FIX) from None
    if path.parent == DEBIAN_FASHION_DIR:  # Debian re-gzips: check the uncompressed content
        expected = _manifest()[1]["fashion_mnist_debian"][path.name]
        if (found := "sha256:" + hashlib.sha256(raw).hexdigest()) != expected:
            raise _mismatch(path, f"content {found}", expected, _DEBIAN_FIX)
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
    files, why = _full_files(name, source) if source != "bundled" else (None, "as asked")
    if files is None:
        splits = _read_npz(path := verified_path(name))
        hint = _FULL_HINT[name].format(cache=config.cache_dir() / name)
        message = (
            f"bundled sample ({_sizes(splits)}, data/{path.name}; {why}). For the full set: {hint}."
        )
    else:
        if name == "mnist":
            splits = _read_npz(files["mnist.npz"])
        else:  # sorted: t10k-images, t10k-labels, train-images, train-labels
            x_test, y_test, x_train, y_train = [_read_idx(files[f]) for f in sorted(files)]
            splits = (x_train, y_train), (x_test, y_test)
        message = f"full set ({_sizes(splits)}) from {next(iter(files.values())).parent}."
    for x, y in splits:
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DataIntegrityError(f"{name}: unexpected array shapes {x.shape}/{y.shape}.")
    if verbose:
        print(f"Data: {label}, {message}")
    return splits


def load_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load MNIST digits: bundled 8,000 train / 2,000 test, full 60,000 / 10,000 (labels 0-9).

    Raises ValueError for an unknown ``source``, DataUnavailableError when ``source="full"`` cannot
    be had, DataIntegrityError when a file fails its checksum (the message says how to repair it).
    """
    return _load_images("mnist", source, verbose)


def load_fashion_mnist(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load Fashion-MNIST like :func:`load_mnist` (classes in ``FASHION_MNIST_CLASSES``): bundled
    6,000 / 2,000 (stratified), full 60,000 / 10,000 (Debian's ``dataset-fashion-mnist`` or download)."""
    return _load_images("fashion_mnist", source, verbose)


def load_spam_records() -> list[dict[str, Any]]:
    """The bundled SpamAssassin emails as dicts (cleaned as ``data/README.md`` says).

    Keys: ``id`` (``"<group>/<number>"``), ``group`` (easy-ham-1, easy-ham-2, hard-ham-1, spam-1,
    spam-2), ``label`` (1 = spam), ``subject`` and ``body`` (plain text).
    """
    with gzip.open(verified_path("spam"), "rt", encoding="utf-8") as f:
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
    texts = [r["subject"] + "\n\n" + r["body"] for r in records]
    labels = np.array([r["label"] for r in records], dtype=np.int64)
    parts = train_test_split(  # split positions first: the text arrays are built once, each
        np.arange(len(texts)), test_size=test_fraction, random_state=seed, stratify=labels
    )
    splits = tuple((np.array([texts[i] for i in part]), labels[part]) for part in parts)
    if verbose:
        print(
            f"Data: SpamAssassin emails, whole cleaned corpus bundled ({_sizes(splits)}, "
            f"{labels.mean():.0%} spam, data/spam_assassin.jsonl.gz)."
        )
    return splits


def load_imdb(source: str = "auto", *, verbose: bool = True) -> tuple:
    """Load the IMDB movie reviews as lower-case text (25,000 train / 25,000 test; 1 = positive).

    There is no bundled sample: IMDB needs the network once (then it is cached); without it, or
    with ``source="bundled"``, DataUnavailableError says how to get it.
    """
    _check_choice(source, SOURCES, "source")
    if source == "bundled":
        raise DataUnavailableError(
            "IMDB has no bundled sample. Use source='auto' with a network connection, "
            "or load_spam() for an offline text dataset."
        )
    files, _ = _full_files("imdb", "full")
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
        try:
            full = bundled if name == "spam" else _local_full_files(name) is not None
        except (DataIntegrityError, DataUnavailableError):  # a loader says which file and the fix
            full = False
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
