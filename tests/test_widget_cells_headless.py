"""Every widget cell of the notebooks, executed headless 50 times in one nbclient kernel: none may hang or slow down.

A widget sent to a kernel with no front end once left papermill waiting until its 900 s cell timeout (nbclient
issue 312, papermill issue 723). The explorers now draw a static figure unless a front end is known
(course_lib.viz.frontend). The kernel here gets none of the variables that announce one (nor COURSE_HEADLESS),
so the automatic detection is what is tested; each cell has a short timeout, no cell may take several times
the usual (median) seconds of its kind, and no widget may exist in the kernel at the end.
"""

from __future__ import annotations

import json
import os
import statistics
from datetime import datetime
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipywidgets")
pytest.importorskip("ipykernel")

REPO_ROOT = Path(__file__).resolve().parents[1]
REPEATS = 50
CELL_TIMEOUT_S = 30
SLOW_FACTOR = 5.0       # a cell taking this many times the median of its kind counts as a hang
SLOW_FLOOR_S = 10.0     # ... unless it stays under this many seconds (a shared, busy CPU jitters by seconds)

SETUP = """
import os, numpy as np
import matplotlib
matplotlib.use("Agg")
from course_lib.viz import dirac as dirac_viz, gan_losses, product, vae
decode = lambda z: 1.0 / (1.0 + np.exp(-np.tile(z[:, :1], (1, 4 * 4)).reshape(len(z), 4, 4)))
render = lambda z, y: np.full((len(z), 4, 4), 128, np.uint8)
z0, z1 = np.zeros(2), np.ones(2)
"""

# the widget calls of notebooks 01 to 04 (tools/build_notebook_0N.py), on small inputs
WIDGET_CELLS = {
    "loss_explorer": "gan_losses.loss_explorer(n=200)",
    "dirac_explorer": "dirac_viz.dirac_explorer(steps=20)",
    "latent_explorer": "vae.latent_explorer(decode, z0, z1, titles=('a', 'b'))",
    "interpolation_widget": "product.interpolation_widget(render, z0, z1, [str(i) for i in range(10)], label=7)",
}

CHECK = """
from ipywidgets.widgets import widget
assert not widget._instances, f"{len(widget._instances)} widgets were created in a headless kernel"
print("no widgets")
"""


def _seconds(cell) -> float:
    timing = cell.metadata["execution"]
    start = datetime.fromisoformat(timing["iopub.status.busy"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(timing["iopub.status.idle"].replace("Z", "+00:00"))
    return (end - start).total_seconds()


@pytest.mark.notebooks
def test_every_widget_cell_runs_headless_fifty_times(monkeypatch):
    for name in ("COURSE_HEADLESS", "COURSE_WIDGETS", "JPY_SESSION_NAME", "VSCODE_PID", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    cells = [nbformat.v4.new_code_cell(SETUP)]
    cells += [nbformat.v4.new_code_cell(code) for code in WIDGET_CELLS.values()]  # warm-up: first draws
    kinds = []
    for _ in range(REPEATS):
        for kind, code in WIDGET_CELLS.items():
            cells.append(nbformat.v4.new_code_cell(code))
            kinds.append(kind)
    cells.append(nbformat.v4.new_code_cell(CHECK))
    notebook = nbformat.v4.new_notebook(cells=cells)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3", record_timing=True,
                                     resources={"metadata": {"path": str(REPO_ROOT)}})
    client.execute()  # a hung cell raises CellTimeoutError after CELL_TIMEOUT_S

    timed = notebook.cells[1 + len(WIDGET_CELLS):-1]
    by_kind: dict[str, list[float]] = {}
    for kind, cell in zip(kinds, timed):
        outputs = json.dumps(cell.outputs)
        assert "application/vnd.jupyter.widget-view+json" not in outputs, f"{kind} sent a widget headless"
        assert "static figure" in outputs, f"{kind} did not return its StaticView: {outputs[:300]}"
        by_kind.setdefault(kind, []).append(_seconds(cell))
    for kind, seconds in by_kind.items():
        assert len(seconds) == REPEATS
        usual = statistics.median(seconds)
        limit = max(SLOW_FACTOR * usual, SLOW_FLOOR_S)
        slow = [round(s, 2) for s in seconds if s > limit]
        assert not slow, f"{kind}: runs of {slow} s against a usual {usual:.3f} s (limit {limit:.2f} s)"
    assert "no widgets" in json.dumps(notebook.cells[-1].outputs)
