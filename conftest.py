"""Repository-wide pytest set-up, for tests/ (and for `pytest --nbval-lax notebooks/`, run by hand).

Runs before any framework import: silences TensorFlow's C++ logs here and in every notebook kernel started
from this process, and makes kernels import this checkout's course_lib whatever is installed.

Notebook stderr policy (nbval's --nbval-lax, which the Colab replica's runner applies in make test): only cells
tagged `nbval-check-output` are compared, and such a cell fails on any new stderr output. Those cells print
deterministic numbers only and come after the framework import, so TensorFlow's one-time oneDNN banner (which
TF_CPP_MIN_LOG_LEVEL cannot hide) never lands in them; stderr in every other cell (progress bars, warnings) is
not compared.
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


# Scopes that take a minute or more on 2 cores (`pytest --durations=40`). xdist hands scopes to the workers in
# collection order, so these go first: the many short scopes then fill in at the end and no worker sits idle
# while the other finishes a long notebook (longest first: the classic makespan heuristic).
LONG_SCOPES = ("tests/test_notebooks.py", "tests/test_grading_run.py", "tests/test_grading_attacks.py",
               "tests/test_product_gan.py", "tests/test_grading_safety.py", "tests/test_widget_cells_headless.py")


def _long_first(item) -> int:
    return next((rank for rank, prefix in enumerate(LONG_SCOPES) if item.nodeid.startswith(prefix)), len(LONG_SCOPES))


def pytest_collection_modifyitems(config, items):
    # nbval cells are marked `notebooks` like the papermill runs, so `-m "not notebooks"` gives the unit tests.
    # (With xdist, `--dist loadscope` keeps each notebook's cells together, in order, on one worker; the sort
    # below is stable, so it keeps that order.)
    for item in items:
        if ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.notebooks)
    items.sort(key=_long_first)
