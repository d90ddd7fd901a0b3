"""Shared fixtures. Framework tests take the `framework` fixture and run once per twin.

Order matters: the environment is set before any framework import (silences TensorFlow's C++ logs in this
process and in every notebook kernel started from it), and torch is imported before tensorflow.
"""

from __future__ import annotations

import os
import pathlib
import random

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
# Notebook kernels started by papermill/nbval must import this checkout's course_lib, whatever is installed.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

FRAMEWORKS = ["torch", "tf"]


@pytest.fixture(params=FRAMEWORKS)
def framework(request):
    """"torch" or "tf"; skips cleanly when that framework is not installed."""
    name = request.param
    pytest.importorskip("torch" if name == "torch" else "tensorflow")
    return name


@pytest.fixture
def fw(framework):
    """The twin module for the current framework, seeded with 0."""
    import course_lib

    twin = course_lib.load(framework)
    twin.utils.set_seed(0)
    return twin


@pytest.fixture(autouse=True)
def _seed_everything():
    random.seed(0)
    np.random.seed(0)


def pytest_configure(config):
    # torch before tensorflow in one process (see shared/NOTES.md); both are optional.
    for module in ("torch", "tensorflow"):
        try:
            __import__(module)
        except ImportError:
            pass
