"""The PyTorch twin of course_lib. Its submodules mirror course_lib/tf/ name for name.

Submodules load on first use (`fw.losses`, `fw.utils`, ...), so `course_lib.load("torch")` stays cheap and
a new twin module needs no edit here.
"""

import importlib
import pkgutil

import torch as _framework  # noqa: F401  (fail here, early, when torch is missing)

__all__ = ["FRAMEWORK"]  # submodules load lazily; dir() lists them

FRAMEWORK = "torch"


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
