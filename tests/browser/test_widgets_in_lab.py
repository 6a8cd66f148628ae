"""Every notebook run in JupyterLab in headless Chromium, every widget used as a learner uses it.

`make test-browser` runs this file (it is marked ``browser``, so ``make unit`` leaves it out). The
approach is Galata's (JupyterLab's own UI tests: Playwright driving JupyterLab), from Python:

* a JupyterLab from ``.venv`` on a free port of 127.0.0.1 with a token, in quick and offline mode,
  serving a copy of ``notebooks/`` (so nothing is written into the repository), with autosave off
  and notebook windowing off (every cell stays in the page);
* one page per notebook: it must show no raw widget repr before it runs; then *Run > Run All
  Cells* from the menu, wait for an idle kernel, and fail on any error output or stderr output
  (outside cells tagged ``raises-exception``, whose seed-code warnings the prose explains), any
  unexpected ``Out[...]`` repr and any browser console error;
* every widget: it renders, no label, button or drop-down value is cut off, and each control is
  changed once, from the keyboard where it takes keys (arrow keys on sliders, typing and Enter in
  boxes, Space on buttons; a drop-down's next option is picked, as JupyterLab keeps the arrow keys)
  and its output must change: an image or the text, and for the controls in :data:`EXPECTED` the
  specific line the lesson talks about. Drop-downs and boxes are put back after their step, option
  buttons (modes) come last, and controls a mode reveals get a second pass. Each control has a name
  a screen reader reads (its aria-label, its ``<label for>``, its text; for ipywidgets' sliders,
  whose handle carries no name, the widget's description label);
* a screenshot per notebook in ``build/browser/NN.png``.

Web requests to anything but the local JupyterLab (the badges in the notebooks' first cells) are
answered with an empty image, so the test never needs the network. The lab's process group and
the browser are closed also on failure; the whole run is bounded by ``COURSE_BROWSER_TIMEOUT``
seconds (and the Makefile's ``timeout`` around pytest).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))
SHOTS = ROOT / "build" / "browser"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
DEADLINE = time.monotonic() + float(os.environ.get("COURSE_BROWSER_TIMEOUT", "2400"))

# What a control must change, beyond "the widget's output changes", keyed by notebook stem and
# the control's description. ("line", prefix): the output line starting with prefix changes;
# ("image",): an image changes.
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "00_welcome": {"index": ("image",)},
    "01_startup_strategy": {
        "parameters": ("line", "Training compute"),
        "tokens": ("line", "Training compute"),
        "peak TFLOP/s": ("line", "Accelerator-hours"),
        "utilisation": ("line", "Accelerator-hours"),
        "price per hour": ("line", "Cost"),
        "accelerators": ("line", "Accelerator-hours"),
        "dtype": ("line", "Memory"),
    },
    "05_cnn_training": {
        name: ("image",) for name in ("image", "square row", "square col", "square size")
    },
    "06_rnn_text_classification": {"message": ("image",)},
    "07_gan_image_generation": {"t": ("image",), "path": ("image",)},
    "08_evaluation_metrics": {
        "threshold": ("line", "threshold"),
        "cost FP": ("line", "cost"),
        "cost FN": ("line", "cost"),
    },
}
# Reprs that must never end a cell: objects, figures, artists, widgets, the setup's dataclass.
BAD_REPR = re.compile(
    r"object at 0x|^<Figure size|^<Axes|^<matplotlib|^\[<matplotlib|^Text\(|^<IPython|^Environment\("
    r"|^(interactive|VBox|HBox|Output)\(children=|^<keras\.|^<tensorflow\.|^<KerasTensor"
)
RAW_WIDGET = re.compile(r"\b(interactive|VBox|HBox)\(children=|Error displaying widget")
CONTROLS = (
    "[role=slider], select, input[type=text], input[type=number], textarea,"
    " .widget-toggle-button, button.jupyter-button"
)


def remaining() -> float:
    """Seconds left of the whole run's time bound; fails the test when none is left."""
    left = DEADLINE - time.monotonic()
    if left <= 0:
        pytest.fail("COURSE_BROWSER_TIMEOUT reached", pytrace=False)
    return left


def _die_with_parent() -> None:
    """In the lab's process: get SIGTERM when pytest dies (e.g. killed by the Makefile's timeout)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG (Linux)
    except (AttributeError, OSError):
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab on 127.0.0.1 serving a copy of the notebooks; yields its base URL and token."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    settings = root / "settings" / "@jupyterlab"
    for plugin, value in (
        ("notebook-extension/tracker", {"windowingMode": "none"}),
        ("docmanager-extension/plugin", {"autosave": False}),
    ):
        (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
        (settings / plugin).with_suffix(".jupyterlab-settings").write_text(json.dumps(value))
    port, token = _free_port(), os.urandom(16).hex()
    env = dict(os.environ, COURSE_QUICK="1", COURSE_OFFLINE="1")
    env.update(JUPYTERLAB_SETTINGS_DIR=str(root / "settings"), JUPYTER_CONFIG_DIR=str(root / "cfg"))
    env.pop("COURSE_STATIC_WIDGETS", None)  # the live widgets are under test
    env.pop("MPLBACKEND", None)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--expose-app-in-browser"]
    command += ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--allow-root"]
    command += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    log = (root / "lab.log").open("w")
    process = subprocess.Popen(
        command,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(root / 'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 60 s")
        yield url, token
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the lab and its kernels
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test-browser`, which installs it")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


def _blank_external(route) -> None:
    route.fulfill(
        status=200, content_type="image/svg+xml", body="<svg xmlns='http://www.w3.org/2000/svg'/>"
    )


def _wait_for_run(page) -> None:
    """Wait until the kernel is idle and no cell is queued or running (Run All stops at an error)."""
    state = """() => {
        const panel = window.jupyterapp.shell.currentWidget;
        const kernel = panel.sessionContext.session?.kernel;
        const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
        return {idle: kernel?.status === 'idle', busy: prompts.filter(p => p.innerText.includes('*')).length};
    }"""
    quiet_since = None
    while remaining():
        now = page.evaluate(state)
        if now["idle"] and now["busy"] == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 2:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(250)


def _snapshot(view) -> dict:
    """The text and images a widget's outputs show (not its controls)."""
    return view.evaluate(
        """v => {
        const outs = [...v.querySelectorAll('.widget-output, .widget-html, .widget-htmlmath')];
        const imgs = [...v.querySelectorAll('img')];
        return {text: outs.map(o => o.innerText).join('\\n'),
                images: imgs.map(i => i.src), sizes: imgs.map(i => i.src.length)};
    }"""
    )


def _cut_off(view) -> list[str]:
    """Labels, buttons and drop-down values in the widget whose text does not fit its box."""
    return view.evaluate(
        """v => {
        const cut = [...v.querySelectorAll('label.widget-label, .widget-toggle-button, button')]
            .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map(e => e.innerText);
        const ruler = document.createElement('span');
        document.body.appendChild(ruler);
        for (const s of v.querySelectorAll('select')) {
            ruler.style.font = getComputedStyle(s).font;
            ruler.textContent = s.options[s.selectedIndex]?.text || '';
            if (ruler.offsetWidth > s.clientWidth - 20) cut.push(ruler.textContent);  // 20: arrow
        }
        ruler.remove();
        return cut;
    }"""
    )


def _name(control) -> str:
    """The control's accessible name: aria-label, or the widget's description label."""
    return control.evaluate(
        """c => {
        const own = c.getAttribute('aria-label') || c.getAttribute('title') || '';
        if (own && own !== 'null') return own;
        if (c.id) { const l = document.querySelector(`label[for="${c.id}"]`); if (l) return l.innerText; }
        if (c.matches('button, .widget-toggle-button')) return c.innerText;
        const box = c.closest('.widget-inline-hbox, .widget-toggle-buttons, .jupyter-widgets');
        const label = box && box.querySelector(':scope > label.widget-label');
        return label ? label.innerText : '';
    }"""
    ).strip()


def _operate(page, control) -> str:
    """Change the control once, from the keyboard where it takes keys; return what was done."""
    kind = control.evaluate(
        "c => c.getAttribute('role') === 'slider' ? 'slider' : c.tagName.toLowerCase()"
    )
    control.focus()
    if kind == "slider":
        at_max = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        return "pressed an arrow key on the slider"
    if kind == "select":  # (JupyterLab's notebook shortcuts take the arrow keys from a <select>)
        index = control.evaluate("s => (s.selectedIndex + 1) % s.options.length")
        control.select_option(index=index)
        return f"picked option {index} of the drop-down"
    if kind == "textarea":
        page.keyboard.press("End")
        page.keyboard.type(" Meeting moved to 3pm, see you there.")
        page.keyboard.press("Tab")  # leaving the box sends the text (continuous_update=False)
        return "typed a sentence and left the box"
    if kind == "input":
        value = control.input_value()
        new = value + "x"
        if value.isdigit():
            new = str(int(value) * 2 + 1)
        elif re.fullmatch(r"[\d.e+-]+", value):
            new = str(float(value) * 2 + 1)
        control.press("Control+a")
        page.keyboard.type(new)
        page.keyboard.press("Enter")
        return f"typed {new} and Enter"
    page.keyboard.press("Space")  # a button or a toggle button
    return "pressed Space on it"


def _restore(page, control, value: str) -> None:
    """Put a drop-down or a text box back to ``value``, so a filter does not narrow later steps."""
    if control.evaluate("c => c.tagName.toLowerCase()") == "select":
        control.select_option(value=value)
    else:
        control.focus()
        control.press("Control+a")
        page.keyboard.type(value)
        page.keyboard.press("Enter")


def _changed(before: dict, after: dict, expectation: tuple[str, ...] | None) -> str | None:
    """Why ``after`` does not show the change the lesson promises; None when it does."""
    if after == before:
        return "nothing in the widget's output changed"
    for old, new in zip(before["sizes"], after["sizes"], strict=False):
        if new < 0.4 * old:
            return f"an image shrank from {old} to {new} bytes (drawn blank?)"
    if expectation and expectation[0] == "image" and after["images"] == before["images"]:
        return "no image changed"
    if expectation and expectation[0] == "line":

        def line(snapshot):
            return [
                s for s in snapshot["text"].splitlines() if s.strip().startswith(expectation[1])
            ]

        if not line(after) or line(after) == line(before):
            return f"the line starting {expectation[1]!r} did not change: {line(after)}"
    return None


def _use_widget(page, view, label: str, expected: dict, done: list[str]) -> list[str]:
    """Operate every visible control of ``view`` once; return the problems found.

    Option buttons (which switch a widget's mode) come last, and controls that a mode shows
    are used in a further pass.
    """
    problems, used = [], set()
    controls = view.locator(CONTROLS)
    for _ in range(3):
        toggles = controls.evaluate_all("cs => cs.map(c => c.matches('.widget-toggle-button'))")
        order = sorted((p for p in range(len(toggles)) if p not in used), key=lambda p: toggles[p])
        order = [p for p in order if controls.nth(p).is_visible()]
        for position in order:
            control = controls.nth(position)
            used.add(position)
            if not control.is_visible() or "mod-active" in (control.get_attribute("class") or ""):
                continue  # hidden by a mode chosen meanwhile, or the option already chosen
            name = _name(control)
            problems += [] if name else [f"{label} control {position} has no name"]
            before = _snapshot(view)
            old = control.evaluate("c => c.matches('select, input') ? c.value : null")
            action = _operate(page, control)
            start = time.monotonic()
            why = _changed(before, _snapshot(view), expected.get(name))
            while why and time.monotonic() - start < 20 and remaining():
                page.wait_for_timeout(300)
                why = _changed(before, _snapshot(view), expected.get(name))
            done.append(f"{label}, {name!r}: {action}: {why or 'output changed'}")
            if why:
                problems.append(f"{label}, control {name!r}: {action}, but {why}")
            if old is not None:  # a drop-down or box: back to its value (it was tried once)
                _restore(page, control, old)
                start = time.monotonic()  # wait for the redraw, so the next step starts settled
                while _snapshot(view) != before and time.monotonic() - start < 15 and remaining():
                    page.wait_for_timeout(300)
    return problems


def _check_outputs(cells: list[dict]) -> list[str]:
    """Problems in the executed notebook's outputs."""
    problems = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        where = f"cell {index} ({''.join(cell['source'])[:60]!r})"
        for output in cell.get("outputs", []):
            kind = output["output_type"]
            if kind == "error" and "raises-exception" not in tags:
                problems.append(f"{where}: {output['ename']}: {output['evalue']}")
            # A seed snippet's warnings (cells tagged raises-exception) are explained in the prose.
            if kind == "stream" and output["name"] == "stderr" and "raises-exception" not in tags:
                problems.append(f"{where}: stderr {''.join(output['text'])[:300]!r}")
            if kind == "execute_result":
                text = "".join(output["data"].get("text/plain", ""))
                if BAD_REPR.search(text):
                    problems.append(f"{where}: unexpected Out[...] repr {text[:120]!r}")
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_and_its_widgets_in_jupyterlab(notebook: Path, lab, browser):
    url, token = lab
    console: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route(lambda address: not address.startswith(url), _blank_external)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{url}/lab/tree/notebooks/{notebook.name}?reset&token={token}")
        page.wait_for_function(
            "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
        )
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        page.wait_for_timeout(1500)
        stored = page.locator(".jp-NotebookPanel .jp-OutputArea-output").all_inner_texts()
        raw = [text[:100] for text in stored if RAW_WIDGET.search(text)]
        problems = [f"before running, the notebook shows a raw widget repr: {text}" for text in raw]

        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator(".lm-Menu .lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        _wait_for_run(page)
        model = page.evaluate("() => window.jupyterapp.shell.currentWidget.model.toJSON()")
        code = [c for c in model["cells"] if c["cell_type"] == "code" and "".join(c["source"])]
        not_run = [i for i, c in enumerate(code) if c.get("execution_count") is None]
        problems += _check_outputs(model["cells"])
        assert not not_run, f"Run All stopped; {len(not_run)} cells did not run: {problems}"

        views = page.locator(  # the top-level widget views in the cells' output areas
            ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:has(> .jupyter-widgets)"
        )
        shown = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                    for c in code for o in c.get("outputs", []))  # fmt: skip
        assert views.count() == shown, f"{shown} widgets displayed, {views.count()} on the page"
        done: list[str] = []
        for number in range(views.count()):
            view = views.nth(number)
            view.scroll_into_view_if_needed()
            assert view.is_visible() and view.inner_text().strip() or view.locator("img").count()
            assert not RAW_WIDGET.search(view.inner_text()), view.inner_text()[:200]
            problems += [f"widget {number}: text cut off: {text!r}" for text in _cut_off(view)]
            assert view.locator(CONTROLS).count(), f"widget {number} shows no control"
            problems += _use_widget(
                page, view, f"widget {number}", EXPECTED.get(notebook.stem, {}), done
            )
        problems += [f"browser console: {message[:300]}" for message in console]
        print(f"{notebook.stem}: {views.count()} widgets;", "\n  ".join(["", *done]))
        assert not problems, "\n".join(problems)
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=SHOTS / f"{notebook.stem[:2]}.png", full_page=True)
            page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
        except Exception:  # the screenshot and shut-down are best effort; the finally still closes
            pass
        context.close()
