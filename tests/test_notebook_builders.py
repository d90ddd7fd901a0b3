"""The committed notebooks are exactly what their builders write (tools/build_notebook_NN.py): same cells, same
sources, same tags. Edit the builder, run it, commit both; a hand edit to a notebook fails here."""

from __future__ import annotations

import runpy
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO_ROOT
from tools import nbbuild

BUILDERS = sorted((REPO_ROOT / "tools").glob("build_notebook_[0-9][0-9].py"))


def _shape(cells):
    return [(c["cell_type"], c["source"], sorted(c.get("metadata", {}).get("tags", []))) for c in cells]


@pytest.mark.parametrize("builder", BUILDERS, ids=[b.stem for b in BUILDERS])
def test_committed_notebook_equals_its_builders_output(builder, monkeypatch):
    written = {}

    def capture(self, path):
        written["path"], written["cells"] = Path(path), self.cells

    monkeypatch.setattr(nbbuild.NotebookBuilder, "write", capture)
    runpy.run_path(str(builder), run_name="__main__")
    committed = nbformat.read(written["path"], as_version=4)
    assert _shape(committed.cells) == _shape(written["cells"]), (
        f"{written['path'].name} differs from what {builder.name} writes: run `python tools/{builder.name}`")


def test_every_notebook_has_a_builder():
    built = {b.stem[-2:] for b in BUILDERS}
    notebooks = {p.stem[:2] for p in (REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert notebooks == built


def test_every_blog_mistake_is_taught_and_the_docs_table_is_current():
    from tools import seed_errors_table

    assert seed_errors_table.main(["--check"]) == 0, "run `python tools/seed_errors_table.py` and teach every row"
