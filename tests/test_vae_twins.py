"""The VAE twin modules expose the same names, signatures and docstrings (house rule 1)."""

import inspect

import pytest

import course_lib

MODULES = ["vae", "vae_models", "vae_train"]


def _public(module):
    return {name: getattr(module, name) for name in module.__all__}


@pytest.mark.parametrize("module", MODULES)
def test_twin_modules_match(module):
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    th = getattr(course_lib.load("torch"), module)
    tf_ = getattr(course_lib.load("tf"), module)
    assert th.__all__ == tf_.__all__
    for name, obj in _public(th).items():
        twin = getattr(tf_, name)
        target = obj.__init__ if inspect.isclass(obj) else obj
        twin_target = twin.__init__ if inspect.isclass(twin) else twin
        if callable(target):
            assert inspect.signature(target) == inspect.signature(twin_target), name
        assert inspect.getdoc(obj) == inspect.getdoc(twin), name
        if inspect.isclass(obj):
            for method in ("encode", "decode", "log_likelihood", "forward", "analytic_elbo"):
                if hasattr(obj, method):
                    assert inspect.signature(getattr(obj, method)) == inspect.signature(getattr(twin, method))
