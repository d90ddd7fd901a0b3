"""Committed notebooks are light, stripped, parameterised, and their exercises are registered."""

from __future__ import annotations

import json
import re

import pytest

from course_lib.grading import registered_exercises
from course_lib.grading.exercise import retired_exercises
from tests.conftest import REPO_ROOT
from tools import strip_notebooks

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
MAX_BYTES = 80_000  # prose, LaTeX and exercises; outputs are what must stay out


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_there_are_notebooks():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stripped_and_light(path):
    assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes; strip bulky outputs"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert strip_notebooks.stripped(notebook) == notebook, (
        f"{path.name} carries outputs: run `python tools/strip_notebooks.py {path.relative_to(REPO_ROOT)}` "
        "(or install the pre-commit hook)")
    for cell in notebook["cells"]:
        if "nbval-check-output" in _tags(cell):
            assert cell["outputs"] and cell["execution_count"], "a checked cell must keep its reference output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_follows_the_conventions(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    assert "colab-setup" in _tags(code[0]) and "google.colab" in "".join(code[0]["source"])
    assert "parameters" in _tags(code[1])
    parameters = "".join(code[1]["source"])
    for name in ("FRAMEWORK = ", "QUICK = ", "SEED = ", "RECORDS_PATH = "):
        assert name in parameters, f"parameters cell of {path.name} lacks {name.strip()}"
    assert 'FRAMEWORK = "torch"' in parameters, "the stored notebook runs PyTorch; the test suite sets each framework"
    assert "setup_notebook(" in "".join(code[2]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_exercises_have_stub_check_and_registered_spec(path):
    cells = _cells(path)
    by_id: dict[str, dict[str, list]] = {}
    for cell in cells:
        for tag in _tags(cell):
            if re.fullmatch(r"ex-\d\d-\d+", tag):
                role = "exercise" if "exercise" in _tags(cell) else "check" if "check" in _tags(cell) else "other"
                by_id.setdefault(tag, {}).setdefault(role, []).append(cell)
    specs = {e.id: e for e in registered_exercises(path.stem)}
    assert set(by_id) == set(specs), f"{path.name}: tagged {sorted(by_id)} but registered {sorted(specs)}"
    retired = set(retired_exercises(path.stem[:2]))  # a retired id keeps its number: no cell, no gap
    numbers = sorted(int(i.split("-")[2]) for i in set(by_id) | retired)
    assert numbers == list(range(1, len(numbers) + 1)), "exercise ids (active and retired) are numbered from 1"
    assert all(i.startswith(f"ex-{path.stem[:2]}-") for i in by_id)
    for exercise_id, roles in by_id.items():
        assert len(roles.get("exercise", [])) == 1 and len(roles.get("check", [])) == 1, exercise_id
        stub = "".join(roles["exercise"][0]["source"])
        answer = specs[exercise_id].answer_name
        assert re.search(rf"(def {answer}\(|^{answer}\s*=)", stub, re.M), f"{exercise_id}: stub must define {answer}"
        assert f'check("{exercise_id}"' in "".join(roles["check"][0]["source"])


def test_strip_tool_keeps_checked_outputs_only():
    notebook = {"metadata": {"papermill": {}}, "cells": [
        {"cell_type": "code", "metadata": {"tags": ["nbval-check-output"]}, "outputs": [{"x": 1}], "execution_count": 3,
         "source": ""},
        {"cell_type": "code", "metadata": {"execution": {}}, "outputs": [{"x": 2}], "execution_count": 4,
         "source": ""}]}
    clean = strip_notebooks.stripped(notebook)
    assert clean["cells"][0]["outputs"] == [{"x": 1}] and clean["cells"][0]["execution_count"] == 3
    assert clean["cells"][1]["outputs"] == [] and clean["cells"][1]["execution_count"] is None
    assert clean["cells"][1]["metadata"] == {} and "papermill" not in clean["metadata"]
