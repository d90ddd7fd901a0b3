"""Rule 1 of the house: course_lib/torch/X.py and course_lib/tf/X.py expose the same public API.

Discovers the modules itself, so every twin module added later is covered without editing this file.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import course_lib
from tests.conftest import REPO_ROOT

TWIN_DIRS = {fw: REPO_ROOT / "course_lib" / fw for fw in ("torch", "tf")}
MODULES = sorted({p.stem for d in TWIN_DIRS.values() for p in d.glob("*.py") if not p.stem.startswith("_")})


def test_both_twins_have_the_same_modules():
    names = {fw: {p.stem for p in d.glob("*.py") if not p.stem.startswith("_")} for fw, d in TWIN_DIRS.items()}
    assert names["torch"] == names["tf"], f"only torch: {names['torch'] - names['tf']}, only tf: {names['tf'] - names['torch']}"


def _public(module):
    assert hasattr(module, "__all__"), f"{module.__name__} must define __all__"
    return {name: getattr(module, name) for name in module.__all__}


def _signature(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        return [(p.name, p.kind, p.default if p.default is inspect.Parameter.empty or isinstance(
            p.default, (int, float, str, bool, type(None), tuple)) else "<object>")
            for p in inspect.signature(target).parameters.values()]
    except (TypeError, ValueError):
        return None


def _documented_args(doc: str) -> list[str]:
    lines = doc.splitlines()
    if "Args:" not in lines:
        return []
    names = []
    for line in lines[lines.index("Args:") + 1:]:
        if line and not line.startswith(" "):
            break
        if line.startswith("    ") and not line.startswith("     ") and ":" in line:
            names.append(line.strip().split(":")[0])
    return names


@pytest.mark.parametrize("module_name", MODULES)
def test_twin_modules_expose_the_same_names_signatures_and_docstrings(module_name):
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    torch_mod = importlib.import_module(f"course_lib.torch.{module_name}")
    tf_mod = importlib.import_module(f"course_lib.tf.{module_name}")
    torch_api, tf_api = _public(torch_mod), _public(tf_mod)
    assert sorted(torch_api) == sorted(tf_api)
    for name in torch_api:
        a, b = torch_api[name], tf_api[name]
        assert inspect.isclass(a) == inspect.isclass(b), f"{module_name}.{name}: class in one twin only"
        if callable(a):
            assert _signature(a) == _signature(b), f"{module_name}.{name}: signatures differ"
            doc_a, doc_b = inspect.getdoc(a) or "", inspect.getdoc(b) or ""
            assert doc_a and doc_b, f"{module_name}.{name}: both twins need a docstring"
            # The text may differ where the layout does (NCHW vs NHWC); the documented arguments may not.
            assert _documented_args(doc_a) == _documented_args(doc_b), f"{module_name}.{name}: docstring Args differ"
        if inspect.isclass(a):
            methods_a = {m for m in vars(a) if not m.startswith("_") and callable(getattr(a, m))}
            methods_b = {m for m in vars(b) if not m.startswith("_") and callable(getattr(b, m))}
            assert methods_a == methods_b, f"{module_name}.{name}: public methods differ"


def test_load_returns_each_twin(framework):
    twin = course_lib.load(framework)
    assert twin.FRAMEWORK == framework
    assert twin.utils.to_numpy(3.0) == 3.0
    with pytest.raises(AttributeError, match="no module or attribute"):
        twin.no_such_module
