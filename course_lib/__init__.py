"""course_lib: the library behind the course "Generative models for product images".

`import course_lib` imports neither PyTorch nor TensorFlow: pick a twin with `course_lib.load("torch")` or
`course_lib.load("tf")`. Framework-free parts (data, reference, metrics, viz, grading) take and return numpy.
"""

from __future__ import annotations

import importlib

from course_lib.records import record, read_records, records_path, set_records_path
from course_lib.session import NotebookSession, quick_mode, setup_notebook

__version__ = "0.1.0"

FRAMEWORKS = ("torch", "tf")

# The pip extra that brings each framework, and the module whose absence means the framework is missing.
_FRAMEWORK_PACKAGES = {"torch": ("torch", "torch"), "tf": ("tensorflow", "tf")}

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


_SUBPACKAGES = ("atomic", "config", "data", "environment", "errors", "grading", "health", "metrics", "product",
                "reference", "validation", "viz")


def __getattr__(name):
    # `course_lib.grading.check(...)` works after a bare `import course_lib`, without importing everything upfront.
    if name in _SUBPACKAGES:
        return importlib.import_module(f"course_lib.{name}")
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBPACKAGES))


def load(framework: str):
    """Return the twin for `framework`: the module `course_lib.torch` or `course_lib.tf`.

    Args:
        framework: "torch" or "tf".
    Returns:
        The twin package; its submodules (losses, models, train, utils, ...) share names and signatures.
    Raises:
        ValueError: for an unknown framework name.
        ImportError: when the framework is not installed, naming the pip extra to install.
    """
    if not isinstance(framework, str) or framework.lower() not in FRAMEWORKS:
        raise ValueError(
            f"Unknown framework {framework!r}: expected one of {FRAMEWORKS} "
            '(set FRAMEWORK = "torch" or FRAMEWORK = "tf" in the parameters cell).'
        )
    framework = framework.lower()
    module_name, extra = _FRAMEWORK_PACKAGES[framework]
    try:
        importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(
            f"course_lib.load({framework!r}) needs {module_name}, which is not installed "
            f"({error}). Install it with: pip install 'course_lib[{extra}]' "
            f"(or run `make setup` in the course repository)."
        ) from error
    return importlib.import_module(f"course_lib.{framework}")
