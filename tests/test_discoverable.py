"""The library can be found from `import course_lib`: lazy subpackages, twin listings, `__all__` everywhere,
and every dotted `course_lib.` name a docstring or the README mentions exists."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "course_lib"
DOTTED = re.compile(r"\bcourse_lib(?:\.[A-Za-z_]\w*)+")


def _public_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(part.startswith("_") and part != "__init__.py" for part in path.relative_to(PACKAGE).parts):
            continue
        yield path


def _docstrings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            text = ast.get_docstring(node)
            if text:
                yield text


def _resolve(dotted: str):
    """Import the longest importable module prefix, then follow attributes; the object, or raise."""
    parts = dotted.rstrip(".").split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            obj = getattr(obj, attribute)
        return obj
    raise ModuleNotFoundError(dotted)


def _mentioned_names():
    names = set()
    for path in _public_modules():
        for text in _docstrings(path):
            names.update(DOTTED.findall(text))
    names.update(DOTTED.findall((REPO_ROOT / "README.md").read_text(encoding="utf-8")))
    # a trailing file suffix (course_lib.foo.py) is a path written with dots, not a name
    return sorted(n for n in names if not n.endswith((".py", ".ipynb", ".json")))


@pytest.mark.parametrize("dotted", _mentioned_names())
def test_every_mentioned_name_exists(dotted):
    pytest.importorskip("torch") if ".torch" in dotted else None
    pytest.importorskip("tensorflow") if ".tf" in dotted else None
    _resolve(dotted)


def test_every_public_module_defines_all():
    missing = []
    for path in _public_modules():
        if "grading" in path.parts:  # the grading package is checked by its own tests
            continue
        if not any(isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
                   for node in ast.parse(path.read_text(encoding="utf-8")).body):
            missing.append(str(path.relative_to(REPO_ROOT)))
    assert not missing, f"modules without __all__: {missing}"


def test_subpackages_after_a_bare_import_without_frameworks():
    code = ("import sys, course_lib\n"
            "for name in ('config', 'data', 'errors', 'health', 'metrics', 'product', 'reference', 'validation', "
            "'viz'):\n"
            "    assert getattr(course_lib, name).__name__ == 'course_lib.' + name, name\n"
            "assert 'torch' not in sys.modules and 'tensorflow' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


@pytest.mark.parametrize("framework", ["torch", "tf"])
def test_dir_of_a_twin_lists_its_modules(framework):
    pytest.importorskip("torch" if framework == "torch" else "tensorflow")
    import course_lib

    listing = dir(course_lib.load(framework))
    assert {"losses", "vae", "layers", "data", "dirac", "utils"} <= set(listing)


def test_metric_caches_go_to_the_user_cache(tmp_path, monkeypatch):
    from course_lib.metrics import evaluation

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    assert evaluation._cache_dir() == tmp_path / "metrics"
    monkeypatch.delenv("COURSE_CACHE_DIR")
    assert evaluation._cache_dir() == Path.home() / ".cache" / "course_lib" / "metrics"
    assert REPO_ROOT not in evaluation._cache_dir().parents
