"""Tests of the benchmark harness's pure pieces (no notebook runs, no timing assertions)."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest

REPO = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        f"_bench_{name}", REPO / "benchmarks" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


run = _load("run")
quality = _load("quality")

MB = 2**20


class FakeProcess:
    """Enough of psutil.Process for the tree functions."""

    def __init__(self, rss: int, cpu: tuple[float, float] = (0.0, 0.0), children=(), gone=False):
        self.rss, self.cpu, self._children, self.gone = rss, cpu, list(children), gone

    def memory_info(self):
        if self.gone:
            raise psutil.NoSuchProcess(pid=99)
        return SimpleNamespace(rss=self.rss)

    def cpu_times(self):
        if self.gone:
            raise psutil.NoSuchProcess(pid=99)
        return SimpleNamespace(user=self.cpu[0], system=self.cpu[1])

    def children(self, recursive: bool = False):
        direct = list(self._children)
        if not recursive:
            return direct
        everyone = []
        for child in direct:
            everyone += [child, *child.children(recursive=True)]
        return everyone


def _tree():
    grandchild = FakeProcess(5 * MB, cpu=(1.0, 0.5))
    vanished = FakeProcess(999 * MB, gone=True)
    child = FakeProcess(20 * MB, cpu=(2.0, 0.0), children=[grandchild, vanished])
    return FakeProcess(100 * MB, cpu=(10.0, 1.0), children=[child])


# ------------------------------------------------------------------------- process tree
def test_tree_rss_sums_every_descendant_and_skips_vanished_ones():
    assert run.tree_rss(_tree()) == 125 * MB


def test_tree_rss_of_a_process_without_children():
    assert run.tree_rss(FakeProcess(7 * MB)) == 7 * MB


def test_tree_rss_of_a_vanished_root_is_zero():
    assert run.tree_rss(FakeProcess(7 * MB, gone=True)) == 0


def test_tree_cpu_seconds_adds_user_and_system_time():
    assert run.tree_cpu_seconds(_tree()) == pytest.approx(14.5)


def test_tree_rss_of_the_real_current_process_is_positive():
    me = psutil.Process()
    assert run.tree_rss(me) >= me.memory_info().rss > 0


def test_read_high_water_mark_parses_vmhwm(tmp_path):
    (tmp_path / "123").mkdir()
    (tmp_path / "123" / "status").write_text(
        "Name:\tpython\nVmPeak:\t 9000 kB\nVmHWM:\t  2048 kB\nVmRSS:\t 1000 kB\n"
    )
    assert run.read_high_water_mark(123, proc_root=tmp_path) == 2048 * 1024
    assert run.read_high_water_mark(456, proc_root=tmp_path) is None


def test_sampler_keeps_the_peak_across_samples():
    root = FakeProcess(100 * MB, cpu=(1.0, 0.0))
    sampler = run.TreeSampler(10**9, process_factory=lambda pid: root)
    sampler.sample()
    root.rss, root.cpu = 300 * MB, (2.0, 0.0)
    sampler.sample()
    root.rss = 50 * MB
    sampler.sample()
    assert sampler.peak_rss == 300 * MB
    assert sampler.peak == 300 * MB
    assert sampler.cpu_seconds == pytest.approx(2.0)
    assert sampler.samples == 3


def test_sampler_ignores_samples_of_an_exited_process():
    root = FakeProcess(100 * MB)
    sampler = run.TreeSampler(10**9, process_factory=lambda pid: root)
    sampler.sample()
    root.gone = True
    sampler.sample()
    assert sampler.peak_rss == 100 * MB and sampler.samples == 1


def test_sampler_thread_samples_until_stopped():
    root = FakeProcess(64 * MB)
    sampler = run.TreeSampler(10**9, interval=0.01, process_factory=lambda pid: root).start()
    for _ in range(500):  # wait for the first samples (no timing assertion)
        if sampler.samples >= 2:
            break
        threading.Event().wait(0.01)
    sampler.stop()
    taken = sampler.samples
    assert taken >= 2 and sampler.peak == 64 * MB
    threading.Event().wait(0.05)
    assert sampler.samples == taken  # stopped means stopped


def test_sampler_rejects_a_non_positive_interval():
    with pytest.raises(ValueError, match="interval"):
        run.TreeSampler(1, interval=0, process_factory=lambda pid: FakeProcess(1))


# ------------------------------------------------------------------------- machine stamp
def test_cpu_model_from_x86_and_arm_cpuinfo():
    x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC  7B13 64-Core Processor\n"
    assert run.cpu_model(x86) == "AMD EPYC 7B13 64-Core Processor"
    arm = "processor\t: 0\nBogoMIPS\t: 48.00\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n"
    assert run.cpu_model(arm) == "Raspberry Pi 4 Model B Rev 1.4"


def test_machine_stamp_has_what_the_results_page_shows():
    stamp = run.machine_stamp()
    assert {"cpu_model", "cores_logical", "cores_usable", "ram_bytes", "os"} <= set(stamp)
    assert stamp["cores_logical"] >= stamp["cores_usable"] >= 1
    assert stamp["ram_bytes"] > 0


def test_library_versions_reports_missing_packages():
    versions = run.library_versions(["psutil", "surely-not-installed-package-xyz"])
    assert versions["psutil"] == psutil.__version__
    assert versions["surely-not-installed-package-xyz"] == "missing"
    assert versions["python"].count(".") == 2


def test_same_machine_tolerates_small_ram_differences_only():
    a = {"cpu_model": "X", "cores_logical": 2, "cores_usable": 2, "ram_bytes": 8 * 10**9}
    assert run.same_machine(a, {**a, "ram_bytes": 8 * 10**9 - 10**6})
    assert not run.same_machine(a, {**a, "ram_bytes": 16 * 10**9})
    assert not run.same_machine(a, {**a, "cores_usable": 1})


# ------------------------------------------------------------------------- notebooks
def _touch_notebooks(folder: Path, names):
    for name in names:
        (folder / name).write_text("{}")


def test_discover_notebooks_orders_and_filters(tmp_path):
    _touch_notebooks(
        tmp_path, ["04_cnn.ipynb", "00_welcome.ipynb", "10_extra.ipynb", "notes.ipynb"]
    )
    every = run.discover_notebooks(folder=tmp_path)
    assert [p.name for p in every] == ["00_welcome.ipynb", "04_cnn.ipynb", "10_extra.ipynb"]
    chosen = run.discover_notebooks(["4", "00_welcome"], folder=tmp_path)
    assert [p.stem for p in chosen] == ["00_welcome", "04_cnn"]
    assert [p.stem for p in run.discover_notebooks(["10,04"], folder=tmp_path)] == [
        "04_cnn",
        "10_extra",
    ]


def test_discover_notebooks_names_what_exists_when_nothing_matches(tmp_path):
    _touch_notebooks(tmp_path, ["00_welcome.ipynb"])
    with pytest.raises(ValueError, match="have: 00_welcome"):
        run.discover_notebooks(["07"], folder=tmp_path)


def test_kernel_env_full_mode_unsets_quick_and_quick_mode_sets_it():
    base = {"COURSE_QUICK": "1", "PATH": "/bin", "MPLBACKEND": "Agg"}
    full = run.kernel_env(quick=False, base=base)
    assert "COURSE_QUICK" not in full and full["PATH"] == "/bin"
    assert "MPLBACKEND" not in full  # the inline backend stores figures in the outputs
    assert full["COURSE_STATIC_WIDGETS"] == "1"
    assert run.kernel_env(quick=True, base={})["COURSE_QUICK"] == "1"
    assert base["COURSE_QUICK"] == "1"  # the caller's environment is not changed


def test_untagged_errors_skips_raises_exception_cells():
    nb = nbformat.v4.new_notebook()
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])
    tagged = nbformat.v4.new_code_cell("1/0", metadata={"tags": ["raises-exception"]})
    tagged.outputs = [
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])
    ]
    broken = nbformat.v4.new_code_cell("raise ValueError('boom')")
    broken.outputs = [error]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# x"),
        tagged,
        nbformat.v4.new_code_cell("1"),
        broken,
    ]
    assert run.untagged_errors(nb) == [{"cell": 3, "error": "ValueError: boom"}]


def test_parse_junit_sums_cell_times_per_notebook():
    xml = (
        '<?xml version="1.0"?><testsuites><testsuite name="pytest">'
        '<testcase classname="notebooks/04_cnn.ipynb" name="Cell 0" time="1.25" />'
        '<testcase classname="notebooks/04_cnn.ipynb" name="Cell 1" time="2.5"><failure message="x"/></testcase>'
        '<testcase classname="06_rnn.ipynb" name="Cell 0" time="0.5" />'
        '<testcase classname="06_rnn.ipynb" name="Cell 1" time="0.25"><skipped/></testcase>'
        "</testsuite></testsuites>"
    )
    per = run.parse_junit(xml)
    assert per["04_cnn"] == {"cells_s": 3.8, "cells": 2, "failed": 1, "skipped": 0}
    assert per["06_rnn"] == {"cells_s": 0.8, "cells": 2, "failed": 0, "skipped": 1}


# ------------------------------------------------------------------------- results
def _results(**overrides):
    machine = {
        "cpu_model": "Test CPU",
        "cores_logical": 2,
        "cores_usable": 2,
        "ram_bytes": 8 * 10**9,
    }
    notebook = {
        "notebook": "04_cnn",
        "mode": "full",
        "status": "ok",
        "errors": [],
        "wall_s": 150.0,
        "cpu_s": 280.0,
        "peak_rss_bytes": 1.2 * run.GB,
        "measured_at": "2026-01-01T00:00:00Z",
        "load_before": 0.1,
    }
    results = {
        "schema": run.SCHEMA_VERSION,
        "date": "2026-01-01T00:00:00Z",
        "machine": machine,
        "software": {"python": "3.11.7", "tensorflow": "2.21.0"},
        "git": {"commit": "abc123", "dirty": False},
        "smoke": False,
        "notebooks": {"04_cnn": notebook},
        "quick": {
            "complete": True,
            "total_s": 300.0,
            "returncode": 0,
            "notebooks": {"04_cnn": {"cells_s": 30.0}},
            "summary": "40 passed",
        },
        "quality": {},
    }
    results.update(overrides)
    return results


def _tta(baseline_s, course_s, course_reached=True, repeats=1):
    """A ``cnn`` quality part as ``quality.part_cnn`` writes it, with ``repeats`` equal seeds."""
    speedup = baseline_s / course_s if course_reached else None
    repeat = {
        "seed": 42,
        "target_accuracy": 0.985,
        "speedup": speedup,
        "baseline": {"seconds_to_target": baseline_s},
        "course": {
            "seconds_to_target": course_s if course_reached else None,
            "best_accuracy": 0.98,
        },
    }
    return {
        "status": "ok",
        "metrics": [],
        "time_to_accuracy": {
            "data": "MNIST",
            "target_accuracy": 0.985,
            "speedup": speedup,
            "speedups": [speedup] * repeats,
            "repeats": [dict(repeat, seed=42 + i) for i in range(repeats)],
        },
    }


def _by_budget(results):
    return {c["budget"].split(":")[0].split(" reaches")[0]: c for c in run.budget_checks(results)}


def test_budget_checks_pass_when_every_figure_is_within_budget():
    checks = run.budget_checks(_results(quality={"cnn": _tta(120.0, 20.0)}))
    assert [c["result"] for c in checks] == ["PASS", "PASS", "PASS", "PASS"]
    assert "6.0×" in checks[3]["measured"] and "≥ 5× sooner" in checks[3]["budget"]


def test_budget_checks_and_page_name_every_seed_of_a_repeated_measurement():
    results = _results(quality={"cnn": _tta(120.0, 30.0, repeats=3)})
    assert "4.0× (median of 3 seeds: 4.0×, 4.0×, 4.0×)" in run.budget_checks(results)[3]["measured"]
    assert run.budget_checks(results)[3]["result"] == "MISS"  # the budget is 5x
    page = run.format_markdown(results)
    assert "(median of 3 seeds: 4.0×, 4.0×, 4.0×); budget ≥ 5×" in page
    assert "| 44 | course |" in page


def test_budget_checks_miss_and_name_the_culprit():
    results = _results(quality={"cnn": _tta(100.0, 50.0)})
    results["notebooks"]["07_gan"] = {
        **results["notebooks"]["04_cnn"],
        "notebook": "07_gan",
        "wall_s": 420.0,
        "peak_rss_bytes": 1.7 * run.GB,
    }
    results["quick"]["total_s"] = 500.0
    checks = run.budget_checks(results)
    assert [c["result"] for c in checks] == ["MISS", "MISS", "MISS", "MISS"]
    assert "07_gan 420 s" in checks[0]["measured"] and "over budget: 07" in checks[0]["measured"]
    assert "07_gan 1.70 GB" in checks[1]["measured"]


def test_budget_checks_report_a_failed_notebook_and_a_course_cnn_that_never_gets_there():
    results = _results(quality={"cnn": _tta(100.0, 1.0, course_reached=False)})
    results["notebooks"]["06_rnn"] = {
        "notebook": "06_rnn",
        "mode": "full",
        "status": "error",
        "errors": [],
    }
    checks = run.budget_checks(results)
    assert checks[0]["result"] == "MISS" and "failed to run: 06_rnn" in checks[0]["measured"]
    assert checks[3]["result"] == "MISS" and "never reached" in checks[3]["measured"]


def test_budget_checks_are_not_applicable_when_not_measured_or_partial():
    results = _results(notebooks={}, quality={})
    results["quick"]["complete"] = False
    assert [c["result"] for c in run.budget_checks(results)] == ["n/a"] * 4


def test_budget_checks_miss_when_nbval_failed_even_if_fast():
    results = _results()
    results["quick"]["returncode"] = 1
    assert run.budget_checks(results)[2]["result"] == "MISS"


def test_format_markdown_shows_stamp_budgets_and_rows():
    page = run.format_markdown(_results(quality={"cnn": _tta(120.0, 30.0)}))
    assert page.startswith("# Benchmark results")
    assert "Test CPU" in page and "`abc123`" in page and "TensorFlow 2.21.0" in page
    assert "| Each notebook, full mode: ≤ 5 min | slowest: 04_cnn 150 s | **PASS** |" in page
    assert "[04_cnn](../../notebooks/04_cnn.ipynb)" in page
    assert "150 s (2.5 min)" in page and "1.20 GB" in page
    assert "SMOKE" not in page and "busy" not in page


def test_format_markdown_flags_smoke_runs_and_a_busy_machine():
    results = _results(smoke=True)
    results["notebooks"]["04_cnn"]["load_before"] = 3.5
    page = run.format_markdown(results)
    assert "SMOKE RUN" in page and "busy" in page


def test_format_markdown_renders_quality_sections():
    cnn = _tta(120.0, 30.0)
    cnn["metrics"] = [
        {
            "model": "course CNN",
            "data": "MNIST",
            "name": "test accuracy",
            "value": 0.9891,
            "target": 0.98,
            "percent": True,
        }
    ]
    for key in ("baseline", "course"):
        cnn["time_to_accuracy"]["repeats"][0][key].update(
            description=key, params=1000, epochs_run=3, final_accuracy=0.99
        )
    gan = {
        "status": "ok",
        "metrics": [
            {
                "model": "course DCGAN",
                "data": "MNIST",
                "name": "Fréchet distance",
                "value": 1.5,
                "higher_is_better": False,
            }
        ],
        "equal_cpu": {
            "data": "MNIST",
            "cpu_budget_s": 200.0,
            "real_vs_real": 0.05,
            "course": {"description": "course", "distance": 1.5, "distance_curve": [3.0, 1.5]},
            "tutorial": {"description": "tutorial", "distance": 3.0, "distance_curve": [3.0]},
            "distance_ratio": 2.0,
        },
    }
    rnn = {"status": "error", "error": "ValueError: nope"}
    page = run.format_markdown(_results(quality={"cnn": cnn, "gan": gan, "rnn": rnn}))
    assert "| course CNN | MNIST | test accuracy | 98.91% | ≥ 98.00% | PASS |" in page
    assert "Time to accuracy" in page and "Speed-up of the course CNN: **4.0×**" in page
    assert "| 42 | course | 1,000 | 98.50% | 99.00% |" in page
    assert "GAN at equal CPU time" in page and "**2.00**" in page and "3, 1.5" in page
    assert "error: ValueError: nope" in page


def test_merge_keeps_old_notebooks_from_the_same_machine_only():
    old = _results()
    new = _results(
        notebooks={"07_gan": {**old["notebooks"]["04_cnn"], "notebook": "07_gan"}}, quick=None
    )
    merged = run.merge_results(old, new)
    assert set(merged["notebooks"]) == {"04_cnn", "07_gan"}
    assert merged["quick"] == old["quick"]
    other = _results(machine={**old["machine"], "cpu_model": "Other CPU"}, notebooks={})
    assert run.merge_results(old, other)["notebooks"] == {}
    assert run.merge_results(None, new) is new


def test_merge_does_not_mix_smoke_runs_with_measurements():
    assert run.merge_results(_results(), _results(smoke=True, notebooks={}))["notebooks"] == {}


def test_write_results_round_trips_json_and_writes_markdown(tmp_path):
    results = _results()
    json_path, md_path = run.write_results(results, tmp_path / "out" / "latest")
    assert json.loads(json_path.read_text()) == json.loads(json.dumps(results))
    assert md_path.read_text() == run.format_markdown(results)


def test_command_line_rejects_contradictory_flags():
    with pytest.raises(SystemExit):
        run._parse_args(["--quick-only", "--skip-notebooks"])
    with pytest.raises(SystemExit):
        run._parse_args(["--store", "--quick-only"])
    args = run._parse_args(["--only", "03", "--only", "04,05", "--store"])
    assert args.only == ["03", "04,05"] and args.store and not args.smoke


# ------------------------------------------------------------------------- quality helpers
def test_first_reaching_returns_the_first_epoch_at_or_above_target():
    assert quality.first_reaching([0.9, 0.97, 0.96, 0.98], [10, 20, 30, 40], 0.97) == (2, 20)
    assert quality.first_reaching([0.9, 0.95], [10, 20], 0.97) == (None, None)
    with pytest.raises(ValueError, match="one entry per epoch"):
        quality.first_reaching([0.9], [1, 2], 0.5)


def test_quality_parts_follow_only_unless_named():
    paths = [Path("notebooks/05_cnn.ipynb"), Path("notebooks/08_metrics.ipynb")]
    assert run.quality_parts_for(paths) == list(run.QUALITY_PARTS)
    assert run.quality_parts_for(paths, restricted=True) == ["cnn", "cnn_fashion"]
    assert run.quality_parts_for(paths[1:], restricted=True) == []
    assert run.quality_parts_for(paths, ["gan", "gan"], restricted=True) == ["gan"]


def test_stated_full_run_reads_the_overview_sentence():
    def notebook(text):
        return {
            "cells": [
                {"cell_type": "code", "source": "Full run: no"},
                {"cell_type": "markdown", "source": text},
            ]
        }

    assert (
        run.stated_full_run(notebook("- **Full run:** about 3 min on a 2-core CPU."))
        == "about 3 min"
    )
    assert (
        run.stated_full_run(notebook("Full run: about 1 minute on a 2-core CPU."))
        == "about 1 minute"
    )
    assert run.stated_full_run(
        notebook(["Time.\n", "Full run: well under a minute (see below)."])
    ) == ("well under a minute")
    assert run.stated_full_run(notebook("Full run: about 1.5 minutes on a 2-core CPU (93 s).")) == (
        "about 1.5 minutes"
    )
    assert run.stated_full_run(notebook("Full run: 12 s. Next sentence.")) == "12 s"
    assert run.stated_full_run(notebook("No timing here.")) is None


def test_median_counts_a_run_that_never_reached_the_target_as_zero():
    assert quality._median([4.0, 2.0, 3.0]) == 3.0
    assert quality._median([4.0, None, 3.0]) == 3.0
    assert quality._median([]) is None
    assert quality._ratio(30.0, 10.0) == 3.0 and quality._ratio(30.0, None) is None


def test_fastest_epoch_skips_the_first_one():
    assert run._fastest_epoch([3.0, 5.0, 6.5, 9.0]) == 1.5
    assert run._fastest_epoch([3.0]) is None and run._fastest_epoch([]) is None


# --------------------------------------------------------------------------- notebook 06
def test_rnn_train_and_evaluate_smoke():
    result = quality.train_and_evaluate(
        "gru", train_size=300, sequence_length=20, max_tokens=500, units=4, embedding_dim=4,
        epochs=1,
    )  # fmt: skip
    assert result["kind"] == "gru" and result["n_test"] == 1157
    assert result["n_train"] + result["n_validation"] == 300
    for key in ("accuracy", "precision", "recall", "f1"):
        assert 0.0 <= result[key] <= 1.0
    assert result["epochs_run"] == 1 and result["best_epoch"] == 1
    assert result["best_val_loss"] > 0 and result["train_cpu_seconds"] > 0
