"""course_lib.frameworks: the one registry of framework facts, and everything that reads it."""

import re
import tomllib

import numpy as np
import pytest

from course_lib import environment, frameworks
from course_lib.errors import InputError
from tests.conftest import REPO_ROOT


def test_registry_names_each_twin_and_validates_once():
    assert frameworks.FRAMEWORKS == ("torch", "tf")
    assert all((REPO_ROOT / "course_lib" / name / "__init__.py").exists() for name in frameworks.FRAMEWORKS)
    assert frameworks.validate("TF") == "tf"
    with pytest.raises(InputError, match=r"Unknown framework 'jax'.*\('torch', 'tf'\)"):
        frameworks.validate("jax")
    assert frameworks.checkpoint_extension("torch") == "pt" and frameworks.checkpoint_extension("tf") == "npz"


def test_pyproject_extras_and_environment_check_agree_with_the_registry():
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for entry in frameworks.REGISTRY.values():
        pins = dict(re.fullmatch(r"([\w-]+)>=([\d.]+)", spec).groups() for spec in extras[entry.extra])
        for package, minimum in entry.packages:
            assert tuple(int(p) for p in pins[package].split(".")) == minimum, (entry.name, package)
            assert environment.MINIMUM_VERSIONS[package] == minimum


def test_every_framework_choice_in_the_code_reads_the_registry():
    # a literal choices=["torch", "tf"] would drift from the registry when a framework is added
    offenders = [str(path.relative_to(REPO_ROOT)) for folder in ("course_lib", "benchmarks", "tools")
                 for path in (REPO_ROOT / folder).rglob("*.py")
                 if re.search(r"choices=\[\s*[\"']torch[\"']", path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_twin_utils_limit_threads_and_to_tensor(fw):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    tensor = fw.utils.to_tensor(x)
    x[0, 0] = 99.0  # a copy: later writes do not show through
    np.testing.assert_array_equal(fw.utils.to_numpy(tensor), np.arange(6, dtype=np.float32).reshape(3, 2))
    previous = fw.utils.limit_threads(1)
    assert isinstance(previous, int)
    fw.utils.limit_threads(max(previous, 1))
    with pytest.raises(ValueError, match="positive number of threads"):
        fw.utils.limit_threads(0)
