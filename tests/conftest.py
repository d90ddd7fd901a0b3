"""Shared fixtures. Framework tests take the `framework` fixture and run once per twin.

The environment (TensorFlow logs, PYTHONPATH for notebook kernels) is set in the repository's conftest.py;
tests import a framework only when they use it.
"""

from __future__ import annotations

import pathlib
import random

import numpy as np
import pytest

from course_lib import frameworks

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

FRAMEWORKS = list(frameworks.FRAMEWORKS)


@pytest.fixture(params=FRAMEWORKS)
def framework(request):
    """"torch" or "tf"; skips cleanly when that framework is not installed."""
    name = request.param
    pytest.importorskip(frameworks.get(name).module)
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
