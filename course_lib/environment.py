"""Environment check for notebooks: fails fast, with the exact fix, when a framework is missing or too old."""

from __future__ import annotations

import importlib.metadata
import platform
import re
import sys

from course_lib.frameworks import REGISTRY, validate

__all__ = ["MINIMUM_VERSIONS", "EnvironmentProblem", "check_environment"]

# Oldest versions the twins are written for (Keras 3 APIs, torch.nn.utils.parametrizations, ...): the
# frameworks' from course_lib.frameworks, Python's and numpy's for every framework.
MINIMUM_VERSIONS = {"python": (3, 11), "numpy": (1, 26),
                    **{package: version for entry in REGISTRY.values() for package, version in entry.packages}}
_FIX_NOTES = {"torch": "   (in the course repository: make setup)",
              "tensorflow": "   (CPU only: pip install tensorflow-cpu)"}


def _fix(package: str) -> str:
    minimum = ".".join(map(str, MINIMUM_VERSIONS[package]))
    return f"pip install '{package}>={minimum}'" + _FIX_NOTES.get(package, "")


class EnvironmentProblem(RuntimeError):
    """A package the chosen framework needs is missing or too old."""


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text.split("+")[0])[:3])


def _installed_version(package: str) -> str | None:
    names = {"tensorflow": ["tensorflow", "tensorflow-cpu", "tf-nightly"]}.get(package, [package])
    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def check_environment(framework: str) -> dict:
    """Versions of Python, numpy and the framework's packages; raises EnvironmentProblem with the fix.

    Args:
        framework: "torch" or "tf".
    Returns:
        {"python": "3.11.7", "numpy": "...", "torch": "...", "platform": "..."} for the packages checked.
    """
    framework = validate(framework)
    report = {"python": platform.python_version(), "platform": platform.platform()}
    if sys.version_info[:2] < MINIMUM_VERSIONS["python"]:
        raise EnvironmentProblem(f"Python {report['python']} is too old: the course needs Python 3.11 or newer.")
    problems = []
    for package in ["numpy"] + [name for name, _ in REGISTRY[framework].packages]:
        version = _installed_version(package)
        report[package] = version
        if version is None:
            problems.append(f"{package} is not installed. Fix: {_fix(package)}")
        elif _version_tuple(version) < MINIMUM_VERSIONS[package]:
            minimum = ".".join(map(str, MINIMUM_VERSIONS[package]))
            problems.append(f"{package} {version} is older than {minimum}. Fix: {_fix(package)}")
    if problems:
        raise EnvironmentProblem("The environment is not ready for FRAMEWORK = "
                                 f"{framework!r}:\n  " + "\n  ".join(problems) +
                                 "\nThen restart the kernel and run the notebook again.")
    return report
