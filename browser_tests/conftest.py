"""A JupyterLab on a loopback port and a headless Debian Chromium driven by Playwright, for the browser test.

The server runs on copies of the notebooks in a temporary folder (the repository's notebooks stay untouched),
with a token, JupyterLab's news and update checks off, and notebook windowing off so that every cell is in the
page. Kernels get COURSE_QUICK=1 and one math thread.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
]
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
SCREENSHOTS = REPO_ROOT / "build" / "browser"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_settings(folder: Path) -> None:
    for relative, values in LAB_SETTINGS.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


class Lab:
    """The running server: its base URL, token, folder, and a JSON getter for its REST API."""

    def __init__(self, base: str, token: str, root: Path):
        self.base, self.token, self.root = base, token, root

    def api(self, path: str):
        request = urllib.request.Request(f"{self.base}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def wait_until_up(self, process: subprocess.Popen, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {process.returncode}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"jupyter lab did not answer on {self.base} within {seconds} s")


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    for notebook in sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copy(notebook, root / notebook.name)
    _write_settings(root / ".settings")
    token, port = secrets.token_hex(16), _free_port()
    env = dict(os.environ, COURSE_QUICK="1", OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3",
               COURSE_RECORD_PATH=str(root / "records.json"), JUPYTER_PLATFORM_DIRS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("COURSE_HEADLESS", None)  # this run has a real front end: the widgets must be live
    env.pop("MPLBACKEND", None)  # the tests' Agg would keep the kernels from showing any figure
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               f"--LabApp.user_settings_dir={root / '.settings'}", f"--LabApp.workspaces_dir={root / '.ws'}",
               "--ServerApp.open_browser=False", "--LabApp.news_url=None", "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI and containers run as root; the server only listens on loopback
    log = open(root / "jupyter.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    server = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        server.wait_until_up(process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def timings(screenshots):
    """Seconds from opening each notebook to its kernel going idle after "Run All"; written for the report."""
    measured: dict[str, float] = {}
    yield measured
    (screenshots / "timings.json").write_text(json.dumps(measured, indent=1, sort_keys=True))
    if measured:
        print("\nbrowser seconds per notebook: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(measured.items())))
