"""Benchmark the course: time, peak memory and model quality of every notebook.

Measures, in one run (see ``benchmarks/README.md``):

1. every ``notebooks/NN_*.ipynb`` in FULL mode (``COURSE_QUICK`` unset), each in a fresh kernel
   (nbclient): wall time, CPU time and peak RSS of the kernel's process tree, sampled every 0.2 s
   from a thread (plus the kernel's own high-water mark from ``/proc`` on Linux);
2. the whole course in QUICK mode (``COURSE_QUICK=1``) exactly as CI runs it (pytest
   ``--nbval-lax``): total time and the time of each notebook;
3. model quality and time to accuracy (``benchmarks/quality.py``, one fresh process per part).

Results go to ``benchmarks/results/latest.md`` and ``latest.json``, stamped with the machine,
library versions, date and git commit, with every budget marked PASS or MISS.

    make bench                                  # everything (about 40-60 min on 2 cores)
    make bench ARGS="--only 04 --store"         # notebook 04 only; also store its outputs
    make bench ARGS="--skip-notebooks"          # model quality and time to accuracy only
    make bench ARGS="--quick-only"              # the quick-mode course run only
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
RESULTS_DIR = ROOT / "benchmarks" / "results"
SCRATCH_DIR = ROOT / "benchmarks" / "_runs"  # git-ignored
QUALITY_SCRIPT = ROOT / "benchmarks" / "quality.py"
SCHEMA_VERSION = 1

GB = 10**9  # memory is reported in decimal gigabytes (10^9 bytes)

# Budgets from the benchmarks issue (a 2-core CPU like the course's reference machine).
BUDGETS = {
    "notebook_full_s": 300.0,  # each notebook, full mode: at most 5 minutes
    "notebook_peak_rss_bytes": 1.5 * GB,  # each notebook, full mode: at most 1.5 GB peak RSS
    "course_quick_s": 480.0,  # the whole course in quick mode: at most 8 minutes
    "cnn_speedup": 5.0,  # the course CNN reaches the baseline's accuracy >= 5x sooner
}

# Each notebook's own targets from its issue (informational; keyed by the two-digit prefix).
NOTEBOOK_TARGETS = {
    "01": {"full_s": 180, "quick_s": 45},
    "02": {"full_s": 120, "quick_s": 30},
    "03": {"full_s": 60},
    "04": {"full_s": 60, "quick_s": 30},
    "05": {"full_s": 180, "quick_s": 45},
    "06": {"full_s": 240, "quick_s": 45},
    "07": {"full_s": 300, "quick_s": 60},
    "08": {"full_s": 120, "quick_s": 30},
    "09": {"full_s": 300, "quick_s": 60},
    "10": {"full_s": 300, "quick_s": 60},
}

QUALITY_PARTS = ("cnn", "cnn_fashion", "rnn", "gan", "lm")
# Which quality parts belong to which notebook (for --only).
QUALITY_OF_NOTEBOOK = {"05": ("cnn", "cnn_fashion"), "06": ("rnn",), "07": ("gan",), "09": ("lm",)}

LIBRARIES = (
    "tensorflow",
    "keras",
    "numpy",
    "scikit-learn",
    "matplotlib",
    "ipywidgets",
    "jupyterlab",
    "nbclient",
    "nbval",
    "ipykernel",
    "jupyter_client",
    "psutil",
)


# --------------------------------------------------------------------------------------------
# Memory and CPU of a process tree
# --------------------------------------------------------------------------------------------


def _descendants(proc: Any) -> list[Any]:
    import psutil

    try:
        return list(proc.children(recursive=True))
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


def tree_rss(proc: Any) -> int:
    """Return the summed resident set size (bytes) of ``proc`` and all its descendants.

    Processes that vanish or deny access while being read count as 0 (a child can exit between
    listing and reading). Shared pages are counted once per process, so the sum can slightly
    overstate a tree whose processes share memory; for a notebook kernel (one big process and
    a few small helpers) the difference is small.

    Args:
        proc: a ``psutil.Process`` (or any object with ``memory_info().rss`` and
            ``children(recursive=True)``).

    Returns:
        Bytes (int, >= 0).
    """
    import psutil

    total = 0
    for member in [proc, *_descendants(proc)]:
        try:
            total += int(member.memory_info().rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return total


def tree_cpu_seconds(proc: Any) -> float:
    """Return user + system CPU seconds used so far by ``proc`` and its live descendants.

    Args:
        proc: a ``psutil.Process`` or an object with ``cpu_times()`` (``.user``, ``.system``)
            and ``children(recursive=True)``.

    Returns:
        Seconds (float, >= 0). Descendants that already exited are not counted.
    """
    import psutil

    total = 0.0
    for member in [proc, *_descendants(proc)]:
        try:
            times = member.cpu_times()
            total += float(times.user) + float(times.system)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return total


def read_high_water_mark(pid: int, proc_root: Path = Path("/proc")) -> int | None:
    """Return a process's peak RSS (``VmHWM``) in bytes from ``/proc/<pid>/status`` (Linux).

    Args:
        pid: process id.
        proc_root: the proc file system (a fake folder in tests).

    Returns:
        Bytes, or None where the file or field is not there (macOS, Windows, exited process).
    """
    try:
        text = (proc_root / str(pid) / "status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+)\s+kB", text, flags=re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


class TreeSampler:
    """Sample a process tree's RSS and CPU time from a background thread.

    ``peak_rss`` is the largest summed RSS seen; ``cpu_seconds`` the last CPU reading.
    Sampling every ``interval`` seconds can miss a spike shorter than the interval; the
    root process's own kernel-kept peak (``VmHWM``) is folded in to bound that from below.

    Args:
        pid: root process id.
        interval: seconds between samples.
        process_factory: builds the process object from ``pid`` (``psutil.Process``; a fake
            in tests).
    """

    def __init__(
        self,
        pid: int,
        interval: float = 0.2,
        process_factory: Callable[[int], Any] | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be > 0 seconds, got {interval!r}.")
        if process_factory is None:
            import psutil

            process_factory = psutil.Process
        self.pid = pid
        self.interval = interval
        self._proc = process_factory(pid)
        self.peak_rss = 0
        self.cpu_seconds = 0.0
        self.high_water_mark: int | None = None
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def sample(self) -> None:
        """Take one sample now (the thread calls this every ``interval`` seconds)."""
        rss = tree_rss(self._proc)
        if rss:
            self.peak_rss = max(self.peak_rss, rss)
            self.cpu_seconds = max(self.cpu_seconds, tree_cpu_seconds(self._proc))
            hwm = read_high_water_mark(self.pid)
            if hwm is not None:
                self.high_water_mark = max(self.high_water_mark or 0, hwm)
            self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> TreeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    @property
    def peak(self) -> int:
        """Best estimate of the tree's peak RSS in bytes (sampled peak or root's VmHWM)."""
        return max(self.peak_rss, self.high_water_mark or 0)


# --------------------------------------------------------------------------------------------
# Machine and software stamp
# --------------------------------------------------------------------------------------------


def cpu_model(cpuinfo: str | None = None) -> str:
    """Return the CPU model name (``/proc/cpuinfo`` on Linux, else ``platform``).

    Args:
        cpuinfo: the text of ``/proc/cpuinfo`` (read from the machine when None).
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    for key in ("model name", "Model", "Hardware", "cpu model"):
        match = re.search(rf"^{key}\s*:\s*(.+)$", cpuinfo, flags=re.MULTILINE)
        if match:
            return re.sub(r"\s+", " ", match.group(1)).strip()
    if sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                timeout=5,
            )
            if out.stdout.strip():
                return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown"


def _cgroup_memory_limit() -> int | None:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            raw = Path(path).read_text().strip()
        except OSError:
            continue
        if raw.isdigit() and int(raw) < 2**60:
            return int(raw)
    return None


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str]:
    """Return installed versions (``importlib.metadata``; "missing" when not installed)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def git_commit(root: Path = ROOT) -> dict[str, Any]:
    """Return ``{"commit": sha, "dirty": bool}`` (tracked files only), or unknowns."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": sha or "unknown", "dirty": bool(status)}


def machine_stamp() -> dict[str, Any]:
    """Describe this machine: CPU model, cores, RAM, OS (what the timings depend on)."""
    import psutil

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    return {
        "cpu_model": cpu_model(),
        "cores_logical": os.cpu_count() or 1,
        "cores_physical": psutil.cpu_count(logical=False),
        "cores_usable": usable,
        "ram_bytes": int(psutil.virtual_memory().total),
        "memory_limit_bytes": _cgroup_memory_limit(),
        "os": platform.platform(terse=True),
        "gpu": "none used (CPU only)",
    }


def same_machine(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True when two machine stamps describe the same hardware (CPU model, cores, RAM)."""
    keys = ("cpu_model", "cores_logical", "cores_usable")
    if any(first.get(key) != second.get(key) for key in keys):
        return False
    ram_a, ram_b = first.get("ram_bytes") or 0, second.get("ram_bytes") or 0
    return abs(ram_a - ram_b) <= 0.02 * max(ram_a, ram_b, 1)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


# --------------------------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------------------------


def _load_execute_notebook_module() -> Any:
    """Import ``scripts/execute_notebook.py`` (its ``scrub_outputs``), which is not a package."""
    spec = importlib.util.spec_from_file_location(
        "_course_execute_notebook", ROOT / "scripts" / "execute_notebook.py"
    )
    if spec is None or spec.loader is None:
        raise ImportError("cannot load scripts/execute_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def discover_notebooks(only: Iterable[str] = (), folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Return ``folder/NN_*.ipynb`` in order, restricted to the prefixes in ``only`` if given.

    Args:
        only: two-digit prefixes ("05") or notebook names ("05_cnn_training").
        folder: the notebooks folder.

    Raises:
        ValueError: an ``only`` entry matches no notebook.
    """
    notebooks = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())
    wanted = [w.strip() for item in only for w in str(item).split(",") if w.strip()]
    if not wanted:
        return notebooks
    chosen = []
    for item in wanted:
        key = item.removesuffix(".ipynb")
        if key.isdigit():
            key = f"{int(key):02d}"
        matches = [p for p in notebooks if p.stem == key or p.stem.startswith(key + "_")]
        if not matches:
            names = ", ".join(p.stem for p in notebooks) or "none"
            raise ValueError(f"--only {item!r} matches no notebook in {folder}; have: {names}.")
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen)


def kernel_env(quick: bool, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment for a notebook kernel: full mode unsets ``COURSE_QUICK``.

    Args:
        quick: True for quick mode (``COURSE_QUICK=1``), False for full mode.
        base: the environment to start from (``os.environ`` when None).
    """
    env = dict(os.environ if base is None else base)
    env.pop("COURSE_QUICK", None)
    if quick:
        env["COURSE_QUICK"] = "1"
    env.pop("MPLBACKEND", None)  # the kernel's inline backend stores figures in the outputs
    env["COURSE_STATIC_WIDGETS"] = "1"  # headless: widgets also show a static rendering
    env.setdefault("PYTHONHASHSEED", "0")
    # notebook 03's quiz reads saved progress: runs must not depend on this machine's file
    env["COURSE_QA_PROGRESS"] = str(Path(tempfile.mkdtemp()) / "no-progress-yet.json")
    return env


def untagged_errors(nb: Any) -> list[dict[str, Any]]:
    """Return the error outputs of cells NOT tagged ``raises-exception`` (what breaks a run)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(
                    {
                        "cell": index,
                        "error": f"{output.get('ename', '?')}: {output.get('evalue', '')}"[:300],
                    }
                )
    return found


def stated_full_run(nb: Any) -> str | None:
    """Return what a notebook's Overview says a full run takes ("about 3 min"), if it says.

    Args:
        nb: a notebook (``nbformat`` node, or a dict with ``cells``).

    Returns:
        The text after "Full run:" up to "on a" or the end of the sentence, e.g.
        ``"about 2 min"``, or None when no markdown cell states it.
    """
    for cell in nb["cells"]:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        # A full stop ends the sentence; a decimal point ("1.5 minutes") does not.
        match = re.search(r"Full run\W*:?\W*\s*(.+?)(?:\s+on a\b|[;(\n]|\.(?!\d)|$)", source)
        if match:
            return match.group(1).strip()
    return None


def run_notebook(
    path: Path, *, quick: bool = False, timeout: int = 900, store: bool = False
) -> dict[str, Any]:
    """Execute one notebook in a fresh kernel and measure it.

    Args:
        path: the ``.ipynb`` file.
        quick: run in quick mode (default: full mode).
        timeout: seconds any one cell may take.
        store: write the executed notebook (outputs scrubbed of absolute paths) back to
            ``path`` when the run had no error outside ``raises-exception`` cells. Only
            allowed in full mode.

    Returns:
        A result dict: wall/CPU seconds, peak RSS bytes, slowest cells, status, errors.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    if store and quick:
        raise ValueError("store=True needs full mode: stored outputs must come from a full run.")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    sampler: dict[str, TreeSampler] = {}
    cell_times: dict[int, float] = {}
    cell_started: dict[int, float] = {}

    def on_start(**_: Any) -> None:
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        if pid is None:  # older jupyter_client
            pid = getattr(getattr(client.km, "kernel", None), "pid", None)
        if pid is not None:
            sampler["tree"] = TreeSampler(int(pid)).start()

    def on_cell_start(cell_index: int, **_: Any) -> None:
        cell_started[cell_index] = time.perf_counter()

    def on_cell_done(cell_index: int, **_: Any) -> None:
        if cell_index in cell_started:
            cell_times[cell_index] = time.perf_counter() - cell_started[cell_index]

    client.on_notebook_start = on_start
    client.on_cell_start = on_cell_start
    client.on_cell_executed = on_cell_done

    status, errors = "ok", []
    load_before = _load()
    start = time.perf_counter()
    try:
        client.execute(env=kernel_env(quick))
    except CellTimeoutError as exc:
        status, errors = "timeout", [{"cell": None, "error": str(exc).splitlines()[0][:300]}]
    except CellExecutionError as exc:
        status = "error"
        errors = untagged_errors(nb) or [{"cell": None, "error": str(exc)[-300:]}]
    except Exception as exc:  # noqa: BLE001 - a broken kernel must not stop the other notebooks
        status, errors = "error", [{"cell": None, "error": f"{type(exc).__name__}: {exc}"[:300]}]
    finally:
        wall = time.perf_counter() - start
        tree = sampler.get("tree")
        if tree is not None:
            tree.stop()
    if status == "ok":
        errors = untagged_errors(nb)
        if errors:
            status = "error"
    slowest = sorted(cell_times.items(), key=lambda item: -item[1])[:3]
    result = {
        "notebook": path.stem,
        "mode": "quick" if quick else "full",
        "status": status,
        "errors": errors,
        "wall_s": round(wall, 1),
        "cpu_s": round(tree.cpu_seconds, 1) if tree else None,
        "peak_rss_bytes": tree.peak if tree else None,
        "rss_samples": tree.samples if tree else 0,
        "code_cells": sum(1 for c in nb.cells if c.get("cell_type") == "code"),
        "stated_full_run": stated_full_run(nb),
        "slowest_cells": [{"cell": i, "s": round(s, 1)} for i, s in slowest],
        "load_before": load_before,
        "load_after": _load(),
        "measured_at": _now(),
        "stored": False,
    }
    if store and status == "ok":
        _load_execute_notebook_module().scrub_outputs(nb)
        nbformat.write(nb, path)
        result["stored"] = True
    return result


def parse_junit(xml_text: str) -> dict[str, dict[str, Any]]:
    """Sum an nbval JUnit XML report per notebook.

    Args:
        xml_text: the report written by ``pytest --junitxml``.

    Returns:
        notebook stem -> ``{"cells_s": float, "cells": int, "failed": int, "skipped": int}``.
        ``cells_s`` is the time inside cells; kernel start-up is not in it.
    """
    root = ET.fromstring(xml_text)
    per: dict[str, dict[str, Any]] = {}
    for case in root.iter("testcase"):
        source = case.get("file") or case.get("classname") or "unknown"
        # nbval names a cell's test case "04_name.ipynb" or "notebooks/04_name.ipynb".
        match = re.search(r"([^/\\.]+)\.ipynb", source)
        stem = match.group(1) if match else source
        entry = per.setdefault(stem, {"cells_s": 0.0, "cells": 0, "failed": 0, "skipped": 0})
        entry["cells"] += 1
        entry["cells_s"] += float(case.get("time") or 0.0)
        if case.find("failure") is not None or case.find("error") is not None:
            entry["failed"] += 1
        if case.find("skipped") is not None:
            entry["skipped"] += 1
    for entry in per.values():
        entry["cells_s"] = round(entry["cells_s"], 1)
    return per


def _display_path(path: Path) -> str:
    """``path`` relative to the repository when inside it (shorter, machine-neutral)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _run_sampled(command: list[str], env: dict[str, str]) -> tuple[Any, str, float, Any]:
    """Run ``command`` in the repository, sampling its process tree's memory; return
    ``(process, combined output, wall seconds, sampler)``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = TreeSampler(proc.pid).start()
    output, _ = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    return proc, output, wall, sampler


def run_quick_course(
    notebooks: list[Path], *, timeout: int = 900, complete: bool = True
) -> dict[str, Any]:
    """Run the given notebooks in quick mode under nbval, as CI does, and time them.

    Args:
        notebooks: the notebooks (all of them for the whole-course figure).
        timeout: ``--nbval-cell-timeout`` seconds.
        complete: whether ``notebooks`` is the whole course (else the total is partial).

    Returns:
        Total wall seconds, peak RSS of the pytest process tree, and per-notebook cell times.
    """
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SCRATCH_DIR) as tmp:
        report = Path(tmp) / "nbval.xml"
        env = kernel_env(quick=True)
        env["COURSE_OFFLINE"] = "1"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--nbval-lax",
            f"--nbval-cell-timeout={timeout}",
            "-p",
            "no:randomly",
            f"--junitxml={report}",
            *[_display_path(p) for p in notebooks],
        ]
        load_before = _load()
        proc, output, wall, sampler = _run_sampled(command, env)
        per = parse_junit(report.read_text()) if report.exists() else {}
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    inside = re.search(r" in ([\d.]+)s", summary)
    return {
        "command": "COURSE_QUICK=1 COURSE_OFFLINE=1 COURSE_STATIC_WIDGETS=1 pytest --nbval-lax "
        + " ".join(command[9:]),
        "complete": complete,
        "notebooks": {p.stem: per.get(p.stem, {"cells_s": None}) for p in notebooks},
        "total_s": round(wall, 1),
        "pytest_reported_s": float(inside.group(1)) if inside else None,
        "peak_rss_bytes": sampler.peak,
        "returncode": proc.returncode,
        "summary": summary[:200],
        "load_before": load_before,
        "load_after": _load(),
        "measured_at": _now(),
    }


# --------------------------------------------------------------------------------------------
# Model quality (benchmarks/quality.py, one fresh process per part)
# --------------------------------------------------------------------------------------------


def quality_parts_for(
    notebooks: Iterable[Path], chosen: Iterable[str] = (), *, restricted: bool = False
) -> list[str]:
    """Return the quality parts to run.

    Args:
        notebooks: the notebooks of this run.
        chosen: parts named with ``--quality`` (they win).
        restricted: ``--only`` was given: run only the parts of those notebooks.
    """
    chosen = list(dict.fromkeys(chosen))
    if chosen:
        return chosen
    if not restricted:
        return list(QUALITY_PARTS)
    prefixes = {p.stem[:2] for p in notebooks}
    return [part for part in QUALITY_PARTS if any(
        part in QUALITY_OF_NOTEBOOK.get(prefix, ()) for prefix in prefixes
    )]  # fmt: skip


def run_quality_part(part: str, *, smoke: bool = False) -> dict[str, Any]:
    """Run one part of ``benchmarks/quality.py`` in a fresh Python process and read its JSON.

    Args:
        part: one of ``QUALITY_PARTS``.
        smoke: tiny settings (to test the harness, not to measure).
    """
    if part not in QUALITY_PARTS:
        raise ValueError(f"part must be one of {QUALITY_PARTS}, got {part!r}.")
    SCRATCH_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SCRATCH_DIR) as tmp:
        out = Path(tmp) / f"{part}.json"
        command = [sys.executable, str(QUALITY_SCRIPT), "--part", part, "--out", str(out)]
        if smoke:
            command.append("--smoke")
        env = kernel_env(quick=False)
        env["COURSE_OFFLINE"] = "1"
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        load_before = _load()
        proc, output, wall, sampler = _run_sampled(command, env)
        if out.exists():
            result = json.loads(out.read_text())
        else:
            tail = "\n".join(output.strip().splitlines()[-6:])
            result = {"status": "error", "error": f"exit code {proc.returncode}: {tail}"[-600:]}
    result.update(
        {
            "part": part,
            "wall_s": round(wall, 1),
            "peak_rss_bytes": sampler.peak,
            "load_before": load_before,
            "load_after": _load(),
            "measured_at": _now(),
            "smoke": smoke,
        }
    )
    return result


# --------------------------------------------------------------------------------------------
# Results: merge, budgets, Markdown
# --------------------------------------------------------------------------------------------


def merge_results(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Merge a (possibly partial) run into the previous results.

    Entries measured now replace old ones; old entries for notebooks or parts not re-run are
    kept, each with its own ``measured_at`` and ``commit``, but only when the old results come
    from the same machine and schema (otherwise they are dropped). The quick-mode course run is
    one figure, so the newest one replaces the old one.
    """
    if not old or old.get("schema") != SCHEMA_VERSION:
        return new
    if not same_machine(old.get("machine", {}), new.get("machine", {})):
        return new
    if old.get("smoke") != new.get("smoke"):
        return new
    merged = dict(new)
    for section in ("notebooks", "quality"):
        combined = dict(old.get(section) or {})
        combined.update(new.get(section) or {})
        merged[section] = combined
    if not new.get("quick") and old.get("quick"):
        merged["quick"] = old["quick"]
    return merged


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def budget_checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Check the course budgets against the measured figures.

    Returns:
        One dict per budget: ``budget`` (text), ``measured`` (text), ``result``
        ("PASS", "MISS" or "n/a" when not measured), plus the numbers.
    """
    checks = []
    notebooks = [e for e in (results.get("notebooks") or {}).values() if e.get("mode") == "full"]
    ran = [e for e in notebooks if e.get("status") == "ok"]
    failed = [e["notebook"] for e in notebooks if e.get("status") != "ok"]

    def worst(key: str) -> tuple[dict[str, Any] | None, float | None]:
        values = [(e, e.get(key)) for e in ran if e.get(key) is not None]
        if not values:
            return None, None
        entry, value = max(values, key=lambda item: item[1])
        return entry, value

    entry, value = worst("wall_s")
    ok = None if value is None else value <= BUDGETS["notebook_full_s"] and not failed
    over = [e["notebook"][:2] for e in ran if (e.get("wall_s") or 0) > BUDGETS["notebook_full_s"]]
    measured = "not measured" if entry is None else f"slowest: {entry['notebook']} {value:.0f} s"
    if over:
        measured += f"; over budget: {', '.join(over)}"
    if failed:
        measured += f"; failed to run: {', '.join(failed)}"
    checks.append(
        {
            "budget": "Each notebook, full mode: ≤ 5 min",
            "measured": measured,
            "result": _verdict(ok),
            "value": value,
            "limit": BUDGETS["notebook_full_s"],
        }
    )

    entry, value = worst("peak_rss_bytes")
    ok = None if value is None else value <= BUDGETS["notebook_peak_rss_bytes"] and not failed
    measured = (
        "not measured" if entry is None else f"largest: {entry['notebook']} {value / GB:.2f} GB"
    )
    checks.append(
        {
            "budget": "Each notebook, full mode: ≤ 1.5 GB peak RSS",
            "measured": measured,
            "result": _verdict(ok),
            "value": value,
            "limit": BUDGETS["notebook_peak_rss_bytes"],
        }
    )

    quick = results.get("quick") or {}
    total = quick.get("total_s")
    if total is None:
        ok, measured = None, "not measured"
    elif not quick.get("complete"):
        ok, measured = None, f"{total:.0f} s for a partial run ({', '.join(quick['notebooks'])})"
    else:
        ok = total <= BUDGETS["course_quick_s"] and quick.get("returncode") == 0
        count = len(quick["notebooks"])
        measured = f"{total:.0f} s ({count} notebook{'s' if count != 1 else ''})"
        if quick.get("returncode") != 0:
            measured += f"; nbval failed: {quick.get('summary', '')}"
    checks.append(
        {
            "budget": "Whole course, quick mode (nbval): ≤ 8 min",
            "measured": measured,
            "result": _verdict(ok),
            "value": total,
            "limit": BUDGETS["course_quick_s"],
        }
    )

    cnn = (results.get("quality") or {}).get("cnn") or {}
    tta = cnn.get("time_to_accuracy") or {}
    speedup = tta.get("speedup")
    if cnn.get("status") != "ok" or not tta:
        ok, measured = None, "not measured" if not cnn else f"error: {cnn.get('error', '?')}"[:120]
    elif speedup is None:
        ok = False
        measured = (
            f"course CNN never reached the baseline's {tta.get('target_accuracy', 0):.2%} "
            f"(best {tta.get('course', {}).get('best_accuracy', 0):.2%})"
        )
    else:
        ok = speedup >= BUDGETS["cnn_speedup"]
        speedups = tta.get("speedups") or [speedup]
        measured = f"{speedup:.1f}× (median"
        if len(speedups) > 1:
            measured += f" of {len(speedups)} seeds: " + ", ".join(f"{v:.1f}×" for v in speedups)
        measured += ")"
    checks.append(
        {
            "budget": (
                "Course CNN reaches the keras.io baseline's final test accuracy "
                f"≥ {BUDGETS['cnn_speedup']:g}× sooner"
            ),
            "measured": measured,
            "result": _verdict(ok),
            "value": speedup,
            "limit": BUDGETS["cnn_speedup"],
        }
    )
    return checks


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 90:
        return f"{value:.0f} s ({value / 60:.1f} min)"
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def _fmt_gb(value: float | None) -> str:
    return "–" if value is None else f"{value / GB:.2f} GB"


def _fmt_number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.4g}"


def _fmt_count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "–"


def _fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2%}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def _slowest(entry: dict[str, Any]) -> str:
    cells = entry.get("slowest_cells") or []
    return ", ".join(f"#{c['cell']} {c['s']:.0f} s" for c in cells[:2]) or "–"


def _load_note(entries: Iterable[dict[str, Any]], cores: int) -> str | None:
    loads = [e.get("load_before") for e in entries if e.get("load_before") is not None]
    if loads and max(loads) > 0.5 * cores:
        return (
            f"⚠ The machine was busy during part of this run (1-min load average up to "
            f"{max(loads):.1f} on {cores} cores): those timings are inflated."
        )
    return None


def format_markdown(results: dict[str, Any]) -> str:
    """Render the results as the Markdown page ``benchmarks/results/latest.md``."""
    machine, software = results.get("machine", {}), results.get("software", {})
    git = results.get("git", {})
    commit = (git.get("commit") or "unknown")[:10] + (
        " (uncommitted changes)" if git.get("dirty") else ""
    )
    cores = machine.get("cores_usable") or machine.get("cores_logical") or 1
    lines = ["# Benchmark results", ""]
    if results.get("smoke"):
        lines += [
            "**SMOKE RUN: tiny settings to test the harness. These are not measurements.**",
            "",
        ]
    memory = f"{(machine.get('ram_bytes') or 0) / GB:.1f} GB RAM"
    if machine.get("memory_limit_bytes"):
        memory += f" (container limit {machine['memory_limit_bytes'] / GB:.1f} GB)"
    lines += [
        f"- **Machine:** {machine.get('cpu_model', '?')}, {machine.get('cores_logical', '?')} "
        f"logical cores ({machine.get('cores_usable', '?')} usable), {memory}, "
        f"{machine.get('os', '?')}, {machine.get('gpu', '')}",
        f"- **Software:** Python {software.get('python', '?')}, TensorFlow "
        f"{software.get('tensorflow', '?')}, Keras {software.get('keras', '?')}, NumPy "
        f"{software.get('numpy', '?')}, scikit-learn {software.get('scikit-learn', '?')}, "
        f"nbclient {software.get('nbclient', '?')}, nbval {software.get('nbval', '?')}",
        f"- **Run:** {results.get('date', '?')}, commit `{commit}`, command "
        f"`{results.get('command', 'make bench')}`",
        "",
    ]
    all_entries = [
        *(results.get("notebooks") or {}).values(),
        *(results.get("quality") or {}).values(),
    ]
    if results.get("quick"):
        all_entries.append(results["quick"])
    dates = sorted({(e.get("measured_at") or "")[:10] for e in all_entries if e.get("measured_at")})
    if len(dates) > 1:
        lines += [
            f"Sections were measured on different days ({dates[0]} to {dates[-1]}, each row "
            "keeps its own date in `latest.json`).",
            "",
        ]
    note = _load_note(all_entries, cores)
    if note:
        lines += [note, ""]

    lines += ["## Budgets", ""]
    lines += _table(
        ["Budget", "Measured", "Result"],
        [[c["budget"], c["measured"], f"**{c['result']}**"] for c in budget_checks(results)],
    )

    notebooks = results.get("notebooks") or {}
    quick = results.get("quick") or {}
    if notebooks or quick:
        lines += ["", "## Notebooks", ""]
        lines += [
            "Full mode: each notebook in a fresh kernel (nbclient), `COURSE_QUICK` unset. Peak "
            'RSS is the kernel\'s process tree. "Notebook says" is the full-run time its '
            'Overview states; "Slowest cells" gives cell indices (0-based, all cells counted). '
            "Quick mode: the time inside the notebook's cells during the whole-course nbval run "
            "(kernel start-up excluded).",
            "",
        ]
        stems = sorted(set(notebooks) | set(quick.get("notebooks") or {}))
        rows = []
        for stem in stems:
            entry = notebooks.get(stem) or {}
            target = NOTEBOOK_TARGETS.get(stem[:2], {})
            qentry = (quick.get("notebooks") or {}).get(stem) or {}
            status = entry.get("status", "–")
            if entry.get("errors"):
                first = entry["errors"][0]
                status += f" (cell {first.get('cell')}: {first.get('error', '')[:60]})"
            full_ok = None
            if entry.get("wall_s") is not None and entry.get("status") == "ok":
                full_ok = (
                    entry["wall_s"] <= BUDGETS["notebook_full_s"]
                    and (entry.get("peak_rss_bytes") or 0) <= BUDGETS["notebook_peak_rss_bytes"]
                )
            rows.append(
                [
                    f"[{stem}](../../notebooks/{stem}.ipynb)",
                    _fmt_s(entry.get("wall_s")),
                    _fmt_s(entry.get("cpu_s")),
                    _fmt_gb(entry.get("peak_rss_bytes")),
                    _verdict(full_ok),
                    _fmt_s(target.get("full_s")) if target.get("full_s") else "–",
                    entry.get("stated_full_run") or "–",
                    _fmt_s(qentry.get("cells_s")),
                    _fmt_s(target.get("quick_s")) if target.get("quick_s") else "–",
                    _slowest(entry),
                    status,
                    (entry.get("measured_at") or "")[:10] or "–",
                ]
            )
        lines += _table(
            [
                "Notebook",
                "Full: wall",
                "Full: CPU",
                "Full: peak RSS",
                "Budget 5 min / 1.5 GB",
                "Notebook's own target",
                "Notebook says",
                "Quick: cells",
                "Quick target",
                "Slowest cells (full)",
                "Status",
                "Measured",
            ],
            rows,
        )
        if quick:
            lines += [
                "",
                (
                    "Whole course in quick mode"
                    if quick.get("complete")
                    else f"Quick mode, only {', '.join(quick.get('notebooks') or [])}"
                )
                + f": **{_fmt_s(quick.get('total_s'))}** wall "
                f"(pytest + kernels, peak RSS {_fmt_gb(quick.get('peak_rss_bytes'))}); "
                f"nbval: {quick.get('summary') or '?'}.",
            ]

    quality = results.get("quality") or {}
    if quality:
        lines += ["", "## Model quality", ""]
        lines += _quality_lines(quality)
    lines += [
        "",
        "## Reproduce",
        "",
        "`make bench` on a quiet machine (nothing else running); `benchmarks/README.md` explains "
        "what each figure means. Raw numbers: `latest.json`.",
        "",
    ]
    return "\n".join(lines)


def _fastest_epoch(cumulative: list[float]) -> float | None:
    """The shortest epoch after the first (which also traces the graphs), from cumulative times."""
    durations = [b - a for a, b in zip(cumulative[:-1], cumulative[1:], strict=True)]
    return min(durations) if durations else None


def _time_to_accuracy_lines(tta: dict) -> list[str]:
    """Markdown for the CNN time-to-accuracy part: one row per seed and model, then the ratio."""
    repeats = tta.get("repeats") or [tta]  # results of older runs hold a single repeat
    lines = ["", "### Time to accuracy: course CNN vs the keras.io MNIST convnet", ""]
    lines += [
        f"Same data ({tta.get('data', '?')}), same process, same seed per repeat, test accuracy "
        "evaluated after every epoch. Each repeat's target is the baseline's final test accuracy "
        f"(median {_fmt_pct(tta.get('target_accuracy'))}). Seconds are training time only "
        "(test evaluation excluded), cumulated up to the first epoch at or above the target. "
        "The fastest epoch (after the first, which also builds the graphs) is the least noisy "
        "measure of an epoch's cost on a shared machine.",
        "",
    ]
    rows = []
    for repeat in repeats:
        for key in ("baseline", "course"):
            run = repeat.get(key)
            if not run:
                continue
            rows.append(
                [
                    str(repeat.get("seed", run.get("seed", "–"))),
                    run.get("description", key),
                    _fmt_count(run.get("params")),
                    _fmt_pct(repeat.get("target_accuracy")),
                    _fmt_pct(run.get("final_accuracy")),
                    _fmt_s(run.get("train_seconds")),
                    _fmt_s(_fastest_epoch(run.get("seconds_curve") or [])),
                    str(run.get("epochs_to_target") or "never"),
                    _fmt_s(run.get("seconds_to_target")),
                    _fmt_s(run.get("cpu_seconds_to_target")),
                ]
            )
    lines += _table(
        [
            "Seed",
            "Model",
            "Parameters",
            "Target",
            "Final test acc.",
            "Training time",
            "Fastest epoch",
            "Epochs to target",
            "Time to target",
            "CPU time to target",
        ],
        rows,
    )
    speedup = tta.get("speedup")
    if not speedup:
        return lines + ["", "Speed-up: the course CNN did not reach the target in every repeat."]
    speedups = tta.get("speedups") or [speedup]
    text = f"Speed-up of the course CNN: **{speedup:.1f}×** in wall time"
    if len(speedups) > 1:
        text += (
            f" (median of {len(speedups)} seeds: " + ", ".join(f"{v:.1f}×" for v in speedups) + ")"
        )
    text += f"; budget ≥ {BUDGETS['cnn_speedup']:.0f}×"
    if tta.get("speedup_cpu"):
        text += f"; {tta['speedup_cpu']:.1f}× in CPU time"
    return lines + ["", text + "."]


def _quality_lines(quality: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    rows = []
    for part in QUALITY_PARTS:
        entry = quality.get(part)
        if not entry:
            continue
        if entry.get("status") != "ok":
            rows.append([part, "–", "–", "–", "–", "–", f"{entry.get('status')}: "
                         f"{str(entry.get('error', ''))[:100]}"])  # fmt: skip
            continue
        for metric in entry.get("metrics", []):
            target = metric.get("target")
            value = metric.get("value")
            ok = None
            if target is not None and value is not None:
                ok = value >= target if metric.get("higher_is_better", True) else value <= target
            fmt = _fmt_pct if metric.get("percent") else _fmt_number
            rows.append(
                [
                    metric.get("model", part),
                    metric.get("data", "?"),
                    metric.get("name", "?"),
                    fmt(value),
                    "–"
                    if target is None
                    else ("≥ " if metric.get("higher_is_better", True) else "≤ ")
                    + fmt(target),  # fmt: skip
                    _verdict(ok),
                    metric.get("note", ""),
                ]
            )
    lines += _table(["Model", "Data", "Metric", "Value", "Target", "Result", "Note"], rows)

    costs = [
        [
            part,
            quality[part].get("status", "?"),
            _fmt_s(quality[part].get("wall_s")),
            _fmt_s(quality[part].get("process_cpu_s")),
            _fmt_gb(quality[part].get("peak_rss_bytes")),
            (quality[part].get("measured_at") or "")[:10] or "–",
        ]
        for part in QUALITY_PARTS
        if quality.get(part)
    ]
    lines += ["", "Cost of each part (one fresh process each, all training included):", ""]
    lines += _table(["Part", "Status", "Wall", "CPU", "Peak RSS", "Measured"], costs)

    cnn = quality.get("cnn") or {}
    tta = cnn.get("time_to_accuracy")
    if cnn.get("status") == "ok" and tta:
        lines += _time_to_accuracy_lines(tta)

    gan = quality.get("gan") or {}
    equal = gan.get("equal_cpu")
    if gan.get("status") == "ok" and equal:
        lines += [
            "",
            "### GAN at equal CPU time: course DCGAN vs the TensorFlow DCGAN tutorial",
            "",
        ]
        lines += [
            f"Both trained on {equal.get('data', '?')} for the same CPU time "
            f"({_fmt_s(equal.get('cpu_budget_s'))} of process CPU), then scored with the course's "
            f"Fréchet distance (lower is better; real vs real: "
            f"{equal.get('real_vs_real', float('nan')):.3g}).",
            "",
        ]
        rows = []
        for key in ("course", "tutorial"):
            run = equal.get(key) or {}
            curve = ", ".join(f"{d:.3g}" for d in run.get("distance_curve", [])[:20])
            rows.append(
                [
                    run.get("description", key),
                    _fmt_count(run.get("params")),
                    f"{run['epochs_run']:g}" if run.get("epochs_run") is not None else "–",
                    _fmt_s(run.get("cpu_seconds")),
                    _fmt_s(run.get("wall_seconds")),
                    _fmt_number(run.get("distance")),
                    _fmt_pct(run.get("classifier_confidence")),
                    _fmt_number(run.get("class_spread")),
                    curve or "–",
                ]
            )
        lines += _table(
            [
                "Model",
                "Parameters",
                "Epochs",
                "CPU time",
                "Wall time",
                "Fréchet distance",
                "Classifier confidence",
                "Class spread (1 = even)",
                "Distance after each epoch",
            ],
            rows,
        )
        ratio = equal.get("distance_ratio")
        if ratio:
            lines += [
                "",
                f"Tutorial distance / course distance: **{ratio:.2f}** (> 1: the course GAN is "
                "closer to the real digits for the same compute).",
            ]
    return lines


def write_results(results: dict[str, Any], prefix: Path) -> tuple[Path, Path]:
    """Write ``<prefix>.json`` and ``<prefix>.md``; return both paths."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    json_path, md_path = prefix.with_suffix(".json"), prefix.with_suffix(".md")
    json_path.write_text(json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    md_path.write_text(format_markdown(results))
    return json_path, md_path


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the course notebooks: time, peak memory, model quality.",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NN",
        help="only these notebooks (two-digit prefix; repeatable or comma-separated)",
    )
    parser.add_argument(
        "--skip-notebooks",
        action="store_true",
        help="do not run notebooks (neither full nor quick mode)",
    )
    parser.add_argument(
        "--skip-quality", action="store_true", help="skip model quality and time to accuracy"
    )
    parser.add_argument(
        "--quick-only", action="store_true", help="only the quick-mode course run (nbval)"
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="also store each full-mode run's outputs in the notebook (like `make execute`)",
    )
    parser.add_argument(
        "--quality",
        action="append",
        default=[],
        choices=QUALITY_PARTS,
        help="only these quality parts (repeatable; default: all, or those of the --only notebooks)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=int(os.environ.get("CELL_TIMEOUT", 900)),
        help="seconds a single cell may take (default: 900 or $CELL_TIMEOUT)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results path prefix (default: benchmarks/results/latest)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="do not merge with the previous results"
    )
    # Tiny training settings, to test the harness; results go to benchmarks/_runs/smoke.*.
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick_only and args.skip_notebooks:
        parser.error("--quick-only and --skip-notebooks exclude each other.")
    if args.store and (args.quick_only or args.skip_notebooks):
        parser.error("--store needs the full-mode notebook runs.")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    prefix = args.out or (SCRATCH_DIR / "smoke" if args.smoke else RESULTS_DIR / "latest")
    try:
        notebooks = discover_notebooks(args.only)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    every = discover_notebooks()
    git = git_commit()
    results: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "date": _now(),
        "command": "python benchmarks/run.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine_stamp(),
        "software": library_versions(),
        "git": git,
        "budgets": BUDGETS,
        "smoke": args.smoke,
        "notebooks": {},
        "quick": None,
        "quality": {},
    }
    load = _load()
    cores = results["machine"]["cores_usable"]
    print(
        f"Benchmark on {results['machine']['cpu_model']} ({cores} usable cores), "
        f"commit {git['commit'][:10]}{' +changes' if git['dirty'] else ''}, load {load}"
    )
    if load is not None and load > 0.5 * cores:
        print(f"warning: load average {load} on {cores} cores; timings will be inflated")

    def save() -> dict[str, Any]:
        old = None
        json_path = prefix.with_suffix(".json")
        if not args.fresh and json_path.exists():
            try:
                old = json.loads(json_path.read_text())
            except json.JSONDecodeError:
                old = None
        merged = merge_results(old, results)
        if old is not None and merged is not results:
            # Drop notebooks that no longer exist.
            names = {p.stem for p in every}
            merged["notebooks"] = {k: v for k, v in merged["notebooks"].items() if k in names}
        write_results(merged, prefix)
        return merged

    run_full = not args.skip_notebooks and not args.quick_only
    run_quick = not args.skip_notebooks
    run_quality = not args.skip_quality and not args.quick_only
    if (run_full or run_quick) and not notebooks:
        print("no notebooks found in notebooks/ (NN_*.ipynb)", file=sys.stderr)

    if run_full:
        for path in notebooks:
            print(f"== full mode: {path.name}", flush=True)
            entry = run_notebook(path, timeout=args.timeout, store=args.store)
            entry["commit"] = git["commit"]
            results["notebooks"][path.stem] = entry
            stored = ", outputs stored" if entry["stored"] else ""
            print(
                f"   {entry['status']}: {entry['wall_s']:.0f} s wall, {entry['cpu_s'] or 0:.0f} s "
                f"CPU, peak RSS {_fmt_gb(entry['peak_rss_bytes'])}{stored}",
                flush=True,
            )
            for error in entry["errors"][:3]:
                print(f"   cell {error['cell']}: {error['error']}", flush=True)
            save()

    if run_quick and notebooks:
        print(f"== quick mode (nbval): {len(notebooks)} notebook(s)", flush=True)
        quick = run_quick_course(
            notebooks, timeout=args.timeout, complete=len(notebooks) == len(every)
        )
        quick["commit"] = git["commit"]
        results["quick"] = quick
        print(f"   {quick['total_s']:.0f} s total; {quick['summary']}", flush=True)
        save()

    if run_quality:
        parts = quality_parts_for(notebooks, args.quality, restricted=bool(args.only))
        for part in parts:
            print(f"== quality: {part}{' (smoke)' if args.smoke else ''}", flush=True)
            entry = run_quality_part(part, smoke=args.smoke)
            entry["commit"] = git["commit"]
            results["quality"][part] = entry
            summary = "; ".join(
                f"{m['name']} {m['value']:.4g}"
                for m in entry.get("metrics", [])
                if m.get("value") is not None
            )
            print(
                f"   {entry.get('status')}: {entry['wall_s']:.0f} s. {summary or entry.get('error', '')}",
                flush=True,
            )
            save()

    merged = save()
    print(f"results: {_display_path(prefix.with_suffix('.md'))} and .json")
    for check in budget_checks(merged):
        print(f"   {check['result']:4}  {check['budget']}: {check['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
