"""Every notebook opened in JupyterLab in a real (headless) browser, run top to bottom in quick mode with torch:
no cell shows an error, the math is typeset by MathJax with no raw `$` left, every slider moves its picture, and
full-page screenshots land in build/browser/. Run with `make browser-test`.
"""

from __future__ import annotations

import re
import time

import pytest

from browser_tests.conftest import REPO_ROOT

NOTEBOOKS = sorted(p.name for p in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN_TIMEOUT_S = 420
ERROR_OUTPUTS = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
SLIDER_HANDLES = ".widget-slider .noUi-handle, .widget-slider .ui-slider-handle"  # ipywidgets 8, 7
PENDING_PROMPTS = ("() => [...document.querySelectorAll('.jp-InputPrompt')]"
                   ".filter(p => p.textContent.includes('*')).length")
MARKDOWN_TEXT = """() => [...document.querySelectorAll('.jp-RenderedMarkdown')].map(node => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('code, pre, mjx-container, .MathJax, script').forEach(n => n.remove());
    return copy.textContent; }).join('\\n')"""
RAW_MATH = re.compile(r"\$\$|(?<![\\\w])\$[^\s$][^$\n]*\$")


def _markdown_has_math(name):
    import nbformat

    notebook = nbformat.read(REPO_ROOT / "notebooks" / name, as_version=4)
    return any(cell.cell_type == "markdown" and "$" in cell.source for cell in notebook.cells)


def _session_state(lab, name):
    for session in lab.api("/api/sessions"):
        if session.get("path", "").endswith(name):
            return session["kernel"]["execution_state"]
    return None


def _wait_for_kernel(lab, page, name, seconds):
    """Idle by the server's sessions API and no cell waiting in the page, twice in a row a second apart."""
    deadline, calm = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        busy = _session_state(lab, name) != "idle" or page.evaluate(PENDING_PROMPTS) > 0
        calm = 0 if busy else calm + 1
        if calm >= 2:
            return
        time.sleep(1)
    running = page.evaluate("""() => { const p = [...document.querySelectorAll('.jp-Cell')].find(
        c => (c.querySelector('.jp-InputPrompt') || {}).textContent?.includes('*'));
        return p ? (p.querySelector('.jp-InputArea-editor') || p).textContent.slice(0, 120) : ''; }""")
    raise TimeoutError(f"{name}: the kernel was still busy after {seconds} s, first waiting cell: {running!r}")


def _run_all(page):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _full_page_screenshot(page, path):
    page.evaluate("document.querySelectorAll('.jp-WindowedPanel-outer, .jp-NotebookPanel-notebook')"
                  ".forEach(n => { n.scrollTop = 0; })")
    height = page.evaluate("Math.max(...[...document.querySelectorAll('.jp-NotebookPanel-notebook, "
                           ".jp-WindowedPanel-outer')].map(n => n.scrollHeight), 800)")
    page.set_viewport_size({"width": 1280, "height": min(height + 200, 16000)})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _images_near(handle):
    return handle.evaluate("""h => { let node = h.closest('.jp-OutputArea') || h.closest('.jp-Cell');
        return [...node.querySelectorAll('img')].map(i => i.src); }""")


def _move_sliders(page, name, screenshots):
    """Press the right arrow on every slider; its cell's picture must change and no error may appear."""
    handles = page.locator(SLIDER_HANDLES)
    moved = 0
    for k in range(handles.count()):
        handle = handles.nth(k)
        handle.scroll_into_view_if_needed()
        before = _images_near(handle)
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
        deadline = time.monotonic() + 30
        while _images_near(handle) == before and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _images_near(handle) != before, f"{name}: slider {k} moved but its picture did not change"
        moved += 1
    if moved:
        handles.first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"{name[:-6]}.widget-moved.png"))
    return moved


def _open(page, lab, name):
    # a workspace of its own per notebook, reset: otherwise the lab restores the earlier notebooks' tabs, and
    # "Run All Cells" may go to another tab than the one under test
    page.goto(f"{lab.base}/lab/workspaces/{name[:2]}/tree/{name}?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    sidebar_tab = page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]')
    if sidebar_tab.count():
        sidebar_tab.first.click()  # fold the file browser away: the notebook gets the page's width


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_renders_math_and_drives_widgets(name, lab, browser, screenshots, timings):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    started = time.monotonic()
    try:
        _open(page, lab, name)
        _wait_for_kernel(lab, page, name, 120)
        _run_all(page)
        time.sleep(2)
        _wait_for_kernel(lab, page, name, RUN_TIMEOUT_S)
        timings[name] = round(time.monotonic() - started, 1)
        errors = page.locator(ERROR_OUTPUTS)
        assert errors.count() == 0, f"{name}: a cell shows an error: {errors.first.inner_text()[:800]}"
        if _markdown_has_math(name):
            page.wait_for_selector(".jp-RenderedMarkdown mjx-container", timeout=30_000)
        leftover = RAW_MATH.findall(page.evaluate(MARKDOWN_TEXT))
        assert not leftover, f"{name}: raw math left in rendered markdown: {leftover[:5]}"
        _move_sliders(page, name, screenshots)
        assert page.locator(ERROR_OUTPUTS).count() == 0, f"{name}: moving a widget raised an error"
        _full_page_screenshot(page, screenshots / f"{name[:-6]}.png")
    except Exception:
        page.screenshot(path=str(screenshots / f"{name[:-6]}.FAILED.png"))
        raise
    finally:
        page.close()
