"""Notebook setup: seeds, plot style, version checks and the quick/full-mode banner."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from . import config, data

MIN_VERSIONS = {"tensorflow": (2, 16), "keras": (3, 0), "ipywidgets": (8, 0)}


@dataclass(frozen=True)
class Environment:
    """Facts about this machine and its libraries (see :func:`environment_report`)."""

    python: str
    tensorflow: str
    keras: str
    ipywidgets: str
    cpu_cores: int
    ram_gb: float
    mode: str


def _version_tuple(version: str) -> tuple[int, ...]:
    """``"2.16.0rc1"`` -> ``(2, 16)``: the leading digits of the first two parts."""
    return tuple(int(re.match(r"\d*", part).group() or 0) for part in version.split(".")[:2])


def check_versions(versions: dict[str, str]) -> None:
    """Raise a clear RuntimeError if a library (name -> installed version) is too old."""
    too_old = [
        f"{name} {versions[name]} (need >= {'.'.join(map(str, minimum))})"
        for name, minimum in MIN_VERSIONS.items()
        if name in versions and _version_tuple(versions[name]) < minimum
    ]
    if too_old:
        raise RuntimeError(
            f"This course needs newer libraries: {'; '.join(too_old)}. Fix: run `make lab` from "
            "the repository (it installs the tested versions), or `pip install -e .` in your "
            "environment, then restart the kernel."
        )


def environment_report() -> Environment:
    """Collect Python/library versions, CPU cores, RAM and the course mode."""
    import ipywidgets
    import keras
    import psutil
    import tensorflow as tf

    return Environment(
        python=platform.python_version(),
        tensorflow=tf.__version__,
        keras=keras.__version__,
        ipywidgets=ipywidgets.__version__,
        cpu_cores=os.cpu_count() or 1,
        ram_gb=round(psutil.virtual_memory().total / 2**30, 1),
        mode=config.pick(full="full", quick="quick"),
    )


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hide what C++ libraries write to file descriptor 2 (TensorFlow's start-up log lines).

    TensorFlow 2.20+ logs them through absl, which ignores TF_CPP_MIN_LOG_LEVEL.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no real fd 2 (some embedded shells): nothing to hide
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def setup_notebook(seed: int = 42, *, verbose: bool = True) -> Environment:
    """Prepare a notebook (once, in the Setup cell): quiet logs, seeds, plot style, versions.

    Sets ``KERAS_BACKEND=tensorflow`` if unset, imports TensorFlow quietly, seeds Python, NumPy
    and TensorFlow; if ``verbose``, prints the mode and the datasets present. Returns the
    :class:`Environment` facts.

    Raises:
        TypeError: ``seed`` is not an int.
        RuntimeError: TensorFlow/Keras/ipywidgets are older than the course needs.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {seed!r}.")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _quiet_native_stderr():
        import keras
        import tensorflow as tf

        tf.config.list_physical_devices()
    from . import plotting

    env = environment_report()
    check_versions({"tensorflow": env.tensorflow, "keras": env.keras, "ipywidgets": env.ipywidgets})
    keras.utils.set_random_seed(seed)
    plotting.use_course_style()
    if verbose:
        have = ", ".join(
            f"{name} ({'full' if info.full_local else 'bundled'})"
            for name, info in data.describe_sources().items()
            if info.bundled or info.full_local
        )
        mode = "FULL mode: the complete lesson"
        if config.is_quick():
            mode = "QUICK mode (COURSE_QUICK=1): small data and few epochs, numbers will be lower"
        print(
            f"{mode} | Python {env.python}, TensorFlow {env.tensorflow}, Keras {env.keras} | "
            f"{env.cpu_cores} CPU cores, {env.ram_gb:g} GB RAM | data here: {have} | seed {seed}"
        )
    return env


def environment_rows(env: Environment, widgets_ok: bool) -> list[tuple[str, str, str]]:
    """Rows of (item, value, verdict) for notebook 00's environment table.

    ``widgets_ok`` says whether ipywidgets imported and a widget could be created.
    """
    cores_ok = env.cpu_cores >= 2
    rows = [
        ("Python", env.python, "ok" if _version_tuple(env.python) >= (3, 10) else "need 3.10+"),
        ("TensorFlow", env.tensorflow, "ok"),
        ("Keras", env.keras, "ok" if env.keras.startswith("3.") else "need Keras 3"),
        ("ipywidgets", env.ipywidgets, "ok" if widgets_ok else "widgets will not display"),
        ("CPU cores", str(env.cpu_cores), "ok" if cores_ok else "slow: full mode takes longer"),
        ("RAM", f"{env.ram_gb:g} GB", "ok" if env.ram_gb >= 2 else "tight: use COURSE_QUICK=1"),
        ("Mode", env.mode, "ok"),
    ]
    for name, info in data.describe_sources().items():
        here = info.bundled or info.full_local
        state = (
            "full set here" if info.full_local else "bundled sample" if here else "needs network"
        )
        rows.append((f"Data: {name}", state, "ok" if here else "optional"))
    return rows
