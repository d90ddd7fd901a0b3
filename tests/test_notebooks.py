"""Execute every notebook in quick mode with papermill (TensorFlow) and check what it recorded.

The PyTorch run of each notebook is nbval's (`pytest --nbval-lax notebooks/`, stored FRAMEWORK = "torch"),
so each notebook executes once per framework. What a notebook must have recorded is checked by
tests/notebook_checks/check_<notebook stem>.py, a module with `check(records, framework)`; every notebook
needs one.
"""

from __future__ import annotations

import importlib
import os
import pathlib

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAPERMILL_FRAMEWORK = "tf"  # nbval runs the stored parameters (torch)
CELL_TIMEOUT_S = 600


def run_notebook(notebook: pathlib.Path, framework: str, out_dir: pathlib.Path, extra_parameters=None) -> dict:
    """Execute `notebook` in quick mode with papermill; return what it recorded."""
    import papermill

    import course_lib

    records = out_dir / f"{notebook.stem}.{framework}.records.json"
    env_before = dict(os.environ)
    os.environ.update(COURSE_QUICK="1", COURSE_RECORD_PATH=str(records), MPLBACKEND="Agg")
    try:
        papermill.execute_notebook(
            str(notebook), str(out_dir / f"{notebook.stem}.{framework}.ipynb"),
            parameters={"FRAMEWORK": framework, "QUICK": True, **(extra_parameters or {})},
            kernel_name="python3", cwd=str(notebook.parent), progress_bar=False,
            execution_timeout=CELL_TIMEOUT_S,
        )
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return course_lib.read_records(records)


def _notebook_case(notebook: pathlib.Path):
    """One test class per notebook: with `pytest -n 2 --dist loadscope` each class is its own unit of work, so the
    papermill runs spread over both workers while nbval keeps each notebook's cells together on one."""

    @pytest.mark.notebooks
    class NotebookCase:
        def test_runs_in_quick_mode_and_records_its_results(self, tmp_path):
            pytest.importorskip("tensorflow")
            checker = importlib.import_module(f"tests.notebook_checks.check_{notebook.stem}")
            records = run_notebook(notebook, PAPERMILL_FRAMEWORK, tmp_path)
            assert records.get("framework") == PAPERMILL_FRAMEWORK and records.get("quick") is True, records
            checker.check(records, PAPERMILL_FRAMEWORK)

    NotebookCase.__name__ = NotebookCase.__qualname__ = f"TestNotebook_{notebook.stem}"
    return NotebookCase


for _notebook in NOTEBOOKS:
    globals()[f"TestNotebook_{_notebook.stem}"] = _notebook_case(_notebook)


def test_every_notebook_has_a_records_check():
    for notebook in NOTEBOOKS:
        assert (REPO_ROOT / "tests" / "notebook_checks" / f"check_{notebook.stem}.py").exists(), (
            f"add tests/notebook_checks/check_{notebook.stem}.py with check(records, framework)")
