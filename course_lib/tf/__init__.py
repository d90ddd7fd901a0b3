"""The TensorFlow twin of course_lib. Its submodules mirror course_lib/torch/ name for name.

Submodules load on first use (`fw.losses`, `fw.utils`, ...), so `course_lib.load("tf")` stays cheap and
a new twin module needs no edit here.
"""

import importlib
import os as _os
import pkgutil

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TF C++ info logs in notebooks
import tensorflow as _framework  # noqa: E402,F401  (fail here, early, when tensorflow is missing)

__all__ = ["FRAMEWORK"]  # submodules load lazily; dir() lists them

FRAMEWORK = "tf"


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"{__name__}.{name}":
            raise AttributeError(f"course_lib.{FRAMEWORK} has no module or attribute {name!r}") from None
        raise
    globals()[name] = module
    return module


def __dir__():
    # dir(course_lib.load(...)) lists the twin's modules, loaded or not
    modules = {info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")}
    return sorted(set(globals()) | modules)
