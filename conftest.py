"""Repository-wide pytest set-up, for tests/ and for nbval over notebooks/.

Runs before any framework import: silences TensorFlow's C++ logs here and in every notebook kernel started
from this process, and makes kernels import this checkout's course_lib whatever is installed.

Notebook stderr policy (nbval --nbval-lax): only cells tagged `nbval-check-output` are compared, and nbval fails
such a cell on any new stderr output. Those cells print deterministic numbers only and come after the framework
import, so TensorFlow's one-time oneDNN banner (which TF_CPP_MIN_LOG_LEVEL cannot hide) never lands in them;
stderr in every other cell (progress bars, warnings) is not compared.
"""

from __future__ import annotations

import os
import pathlib

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("COURSE_HEADLESS", "1")  # explorers draw static figures here and in nbval/papermill kernels
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))

collect_ignore_glob = ["tests/fixtures/*", "build/*", "runs/*"]


def pytest_collection_modifyitems(config, items):
    # nbval cells are marked `notebooks` like the papermill runs, so `-m "not notebooks"` gives the unit tests.
    # (With xdist, `--dist loadscope` keeps each notebook's cells together, in order, on one worker.)
    for item in items:
        if ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.notebooks)
