"""course_lib: the library behind the course "Generative models for product images".

`import course_lib` imports neither PyTorch nor TensorFlow: pick a twin with `course_lib.load("torch")` or
`course_lib.load("tf")` (the frameworks and their facts: course_lib.frameworks). Framework-free parts (data,
reference, metrics, viz, grading, toy, product, training) take and return numpy. The layers and the rules that
keep them: docs/architecture.md.
"""

from __future__ import annotations

import importlib

from course_lib.frameworks import FRAMEWORKS, load
from course_lib.records import read_records, record, records_path, set_records_path
from course_lib.session import NotebookSession, quick_mode, setup_notebook
from course_lib.version import __version__

__all__ = [
    "FRAMEWORKS",
    "NotebookSession",
    "__version__",
    "load",
    "quick_mode",
    "read_records",
    "record",
    "records_path",
    "set_records_path",
    "setup_notebook",
]


_SUBPACKAGES = ("atomic", "config", "data", "environment", "errors", "frameworks", "grading", "health",
                "latents", "metrics", "product", "reference", "toy", "training", "validation", "viz")


def __getattr__(name):
    # `course_lib.grading.check(...)` works after a bare `import course_lib`, without importing everything upfront.
    if name in _SUBPACKAGES:
        return importlib.import_module(f"course_lib.{name}")
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBPACKAGES))
