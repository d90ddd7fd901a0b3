"""Every notebook, in quick mode, in both frameworks, on the Colab replica, as a student on Colab runs it.

Each notebook runs once per framework, and only here: in an environment holding Colab's versions
(requirements/colab-constraints.txt; TensorFlow on Colab's Python 3.13, torch on 3.11, see
tools/colab_replica/environment.py), from an empty working folder, with its Colab set-up cell's branch taken (a
stub `google.colab`) and its `%pip install` line run as written against a snapshot of this checkout
(tools/colab_replica/session.py). A run passes when the notebook runs top to bottom, what it recorded with
`course_lib.record` passes tests/notebook_checks/check_<stem>.py, cells tagged `nbval-check-output` print what
the committed notebook shows, and no package Colab pins changed. Each widget explorer's update path is driven under
Colab's ipywidgets in each environment. A failure names the notebook, the framework and the package.

`make colab-check` runs the same notebooks one at a time per environment with a fresh install each, and prints a
table; `make run` runs them in your own environment and keeps their pages and figures.
"""

from __future__ import annotations

import os
import pathlib

import pytest

from tools.colab_check import widget_problem
from tools.colab_replica.runner import run_notebook
from tools.colab_replica.session import prepare_replica

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CACHE = pathlib.Path(os.environ.get("COLAB_REPLICA_CACHE", REPO_ROOT / "build" / "colab"))
CELL_TIMEOUT_S = 600
# Longest first (quick-mode seconds of `make run` on the 2-core machine), so that neither pytest worker is left
# with a long notebook at the end: a scheduling order only, nothing is checked against it.
LONGEST_FIRST = ("02.tf", "04.tf", "01.tf", "02.torch", "04.torch", "05.tf", "01.torch", "03.tf", "06.tf",
                 "05.torch", "03.torch", "06.torch", "00.tf", "00.torch")


@pytest.fixture(scope="session")
def replica(testrun_uid):
    """Both halves of the replica, prepared once per test run (whichever pytest worker comes first; make test
    prepares them before pytest starts, so that neither worker waits)."""
    return prepare_replica(["torch", "tf"], CACHE, print, run_id=os.environ.get("COLAB_REPLICA_RUN", testrun_uid))


def _notebook_case(notebook: pathlib.Path, framework: str):
    """One test class per notebook and framework: with `pytest -n 2 --dist loadscope` each is its own unit of work."""

    @pytest.mark.notebooks
    class NotebookCase:
        def test_runs_on_the_colab_replica_and_records_what_its_check_asks(self, replica):
            half = replica[framework]
            result = run_notebook(notebook, framework, half.env, half.kernel, CACHE / "test-runs", half.extra_env,
                                  CELL_TIMEOUT_S, fresh_install=False, speed_budgets=True)
            assert not result.problem, (f"{notebook.name}, framework {framework} ({half.env.name}): "
                                        f"{result.problem}")

    NotebookCase.__name__ = NotebookCase.__qualname__ = f"TestNotebook_{notebook.stem}_{framework}"
    return NotebookCase


def _ordered_cases():
    by_key = {f"{nb.stem[:2]}.{fw}": (nb, fw) for nb in NOTEBOOKS for fw in ("torch", "tf")}
    ranked = [key for key in LONGEST_FIRST if key in by_key] + sorted(set(by_key) - set(LONGEST_FIRST))
    return [by_key[key] for key in ranked]


for _notebook, _framework in _ordered_cases():
    globals()[f"TestNotebook_{_notebook.stem}_{_framework}"] = _notebook_case(_notebook, _framework)


@pytest.mark.notebooks
class TestWidgetExplorersUnderColabsIpywidgets:
    @pytest.mark.parametrize("framework", ["torch", "tf"])
    def test_every_explorer_redraws_when_each_control_moves(self, replica, framework):
        half = replica[framework]
        problem = widget_problem(half.env, half.kernel, CACHE / "test-runs", half.extra_env)
        assert not problem, problem


def test_every_notebook_has_a_records_check():
    for notebook in NOTEBOOKS:
        assert (REPO_ROOT / "tests" / "notebook_checks" / f"check_{notebook.stem}.py").exists(), (
            f"add tests/notebook_checks/check_{notebook.stem}.py with check(records, framework)")


def test_every_notebook_runs_in_both_frameworks():
    cases = _ordered_cases()
    assert len(cases) == 2 * len(NOTEBOOKS) == len(set(cases))
