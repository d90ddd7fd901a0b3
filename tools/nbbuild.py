"""Helpers to write a course notebook from Python: cells in order, tags, no outputs, stable cell ids.

A builder script (tools/build_notebook_NN.py) does:
    book = NotebookBuilder()
    md, code, exercise = book.md, book.code, book.exercise
    md("# Title"); book.colab_setup(); code("FRAMEWORK = ...", tags=("parameters",)); ...
    book.write(OUT)
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools.set_repository import colab_setup_cell

# The repository and the release come from tools/set_repository.py (one place; forks rewrite it there).
COLAB_SETUP = colab_setup_cell()


class NotebookBuilder:
    """Collects cells in order and writes them as a notebook without outputs."""

    def __init__(self):
        self.cells = []

    def md(self, text: str) -> None:
        self.cells.append(new_markdown_cell(text.strip()))

    def code(self, text: str, tags=()) -> None:
        cell = new_code_cell(text.strip())
        if tags:
            cell.metadata["tags"] = list(tags)
        self.cells.append(cell)

    def colab_setup(self) -> None:
        """The first code cell of every notebook (DESIGN.md, notebook conventions)."""
        self.code(COLAB_SETUP, tags=("colab-setup",))

    def exercise(self, ex_id: str, stub: str, answer_name: str) -> None:
        """The stub cell and its check cell; the check returns the answer, or the library's version."""
        self.code(stub, tags=("exercise", ex_id))
        self.code(f'{answer_name} = course_lib.grading.check("{ex_id}", {answer_name})', tags=("check", ex_id))

    def write(self, path: str | Path) -> None:
        path = Path(path)
        notebook = new_notebook(cells=self.cells, metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        })
        for index, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{index:02d}"  # stable ids keep diffs small when a builder is rerun
        _keep_checked_outputs(notebook, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(path))
        print(f"wrote {path} ({path.stat().st_size} bytes, {len(self.cells)} cells)")


def _keep_checked_outputs(notebook, path: Path) -> None:
    """Cells tagged `nbval-check-output` keep the reference output of the committed notebook (nbval compares
    against it) as long as their source is unchanged; a changed checked cell must be re-run and re-stripped."""
    if not path.exists():
        return
    committed = {cell.source: cell for cell in nbformat.read(str(path), as_version=4).cells
                 if cell.cell_type == "code" and "nbval-check-output" in cell.metadata.get("tags", [])}
    for cell in notebook.cells:
        kept = committed.get(cell.source) if cell.cell_type == "code" else None
        if kept is not None and "nbval-check-output" in cell.metadata.get("tags", []):
            cell.outputs, cell.execution_count = kept.outputs, kept.execution_count
