"""Rule 1 of the house: course_lib/torch/X.py and course_lib/tf/X.py expose the same public API.

Discovers the modules itself, so every twin module added later is covered without editing this file.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

import course_lib
from tests.conftest import REPO_ROOT

TWIN_DIRS = {fw: REPO_ROOT / "course_lib" / fw for fw in ("torch", "tf")}
MODULES = sorted({p.stem for d in TWIN_DIRS.values() for p in d.glob("*.py") if not p.stem.startswith("_")})


def test_both_twins_have_the_same_modules():
    names = {fw: {p.stem for p in d.glob("*.py") if not p.stem.startswith("_")} for fw, d in TWIN_DIRS.items()}
    only_torch, only_tf = names["torch"] - names["tf"], names["tf"] - names["torch"]
    assert names["torch"] == names["tf"], f"only torch: {only_torch}, only tf: {only_tf}"


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
            # torch's Module.forward is Keras's Layer.call: the framework's own hook, named by the framework
            hooks = {"call": "forward"}
            methods_a = {hooks.get(m, m) for m in vars(a) if not m.startswith("_") and callable(getattr(a, m))}
            methods_b = {hooks.get(m, m) for m in vars(b) if not m.startswith("_") and callable(getattr(b, m))}
            assert methods_a == methods_b, f"{module_name}.{name}: public methods differ"


def test_load_returns_each_twin(framework):
    twin = course_lib.load(framework)
    assert twin.FRAMEWORK == framework
    assert twin.utils.to_numpy(3.0) == 3.0
    with pytest.raises(AttributeError, match="no module or attribute"):
        _ = twin.no_such_module


def _returned_dict_keys(path) -> dict[str, set[str]]:
    """function name -> string keys of the dict literals its `return` statements build, read with ast."""
    import ast

    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Dict):
                    keys = {k.value for k in inner.value.keys if isinstance(k, ast.Constant)}
                    found.setdefault(node.name, set()).update(keys)
    return found


@pytest.mark.parametrize("module_name", MODULES)
def test_twin_functions_return_the_same_dict_keys(module_name):
    keys = {fw: _returned_dict_keys(d / f"{module_name}.py") for fw, d in TWIN_DIRS.items()}
    public = {name: k for name, k in keys["torch"].items() if not name.startswith("_")}
    for name, torch_keys in public.items():
        assert keys["tf"].get(name) == torch_keys, f"{module_name}.{name}: returned keys differ"


def _kind(value):
    """A framework-neutral description of a returned value: builtins by type, framework objects as 'model'."""
    from pathlib import Path

    if isinstance(value, dict):
        return {key: _kind(item) for key, item in value.items()}
    if isinstance(value, list):
        return ["list", sorted({type(item).__name__ for item in value})]
    if isinstance(value, (bool, int, float, str, Path)):
        return "Path" if isinstance(value, Path) else type(value).__name__
    return "model" if callable(value) else type(value).__name__


def test_train_product_gan_returns_the_same_keys_and_types_in_both_twins(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from dataclasses import replace

    from course_lib.config import ProductGANConfig

    config = ProductGANConfig(name="keys", width=8, latent_dim=8, batch_size=8, steps=2, limit=16, log_every=1,
                              checkpoint_every=2, sample_every=1000, keep_checkpoints=1)
    kinds = {}
    for framework in ("torch", "tf"):
        result = course_lib.load(framework).product_train.train_product_gan(
            replace(config, runs_dir=str(tmp_path / framework)), progress=False)
        kinds[framework] = _kind(result)
    assert kinds["torch"] == kinds["tf"]
    assert set(kinds["torch"]) == {"generator", "ema_generator", "discriminator", "history", "run_dir", "step",
                                   "images_per_second", "cuda_graph"}
