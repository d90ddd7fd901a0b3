"""Packaging: environment.yml and pyproject.toml agree; the constraints pin what CI installs."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.conftest import REPO_ROOT

# tensorflow-cpu is the light build of the same `tensorflow` package (same import, same versions).
SAME_PACKAGE = {"tensorflow-cpu": "tensorflow"}


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return SAME_PACKAGE.get(name, name)


def _pyproject():
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = _pyproject()
    declared = {_name(r) for r in project["dependencies"]}
    for _, requirements in project["optional-dependencies"].items():
        declared |= {_name(r) for r in requirements if not r.startswith("course_lib")}
    environment = yaml.safe_load((REPO_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    listed = {_name(r) for r in pip_section if not r.startswith("-e")}
    assert listed == declared, f"only in environment.yml: {listed - declared}; only in pyproject: {declared - listed}"
    assert "-e ." in pip_section, "environment.yml must install course_lib itself"
    assert "python=3.11" in environment["dependencies"]


def test_all_extra_gathers_every_other_extra():
    extras = _pyproject()["optional-dependencies"]
    assert set(extras) >= {"torch", "tf", "notebooks", "dev", "all"}
    gathered = re.search(r"\[(.*)\]", extras["all"][0]).group(1).split(",")
    assert set(gathered) == set(extras) - {"all"}


def test_ci_constraints_pin_the_on_disk_torch_and_the_cpu_tensorflow():
    pins = dict(line.split("==")
                for line in (REPO_ROOT / "requirements" / "ci-constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert pins["torch"] == "2.13.0"
    assert "tensorflow-cpu" in pins
    declared = {_name(r) for r in _pyproject()["dependencies"]}
    for extra in _pyproject()["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    assert {_name(p) for p in pins} <= declared, "the constraints only narrow declared dependencies"


def test_makefile_and_ci_use_the_readme_commands():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()
    makefile = (REPO_ROOT / "Makefile").read_text()
    for target in ("setup:", "run:", "test:"):
        assert f"\n{target}" in makefile


def test_readme_has_a_colab_badge_for_every_notebook():
    from tools import set_repository

    notebooks = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    table = set_repository.badge_table(set_repository.REPOSITORY, notebooks)
    assert table in (REPO_ROOT / "README.md").read_text(encoding="utf-8"), (
        "README badges are stale: run `python tools/set_repository.py`")
    for nb in notebooks:
        assert f"/{set_repository.REPOSITORY}@{set_repository.TAG}" in nb.read_text(encoding="utf-8")
