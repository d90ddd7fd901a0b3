"""Is there a front end that can draw ipywidgets? Explorers build widgets only when the answer is yes.

A headless run (papermill, nbclient, nbval, the grader) has no widget manager: a widget sent there can leave the
client waiting for a message that never comes (nbclient issue 312, papermill issue 723), and a slider nobody can
move teaches nothing. So widgets are opt-in by evidence of a front end, and everything else gets a static figure:

- COURSE_HEADLESS=1 (set by tools/run_notebooks.py, the tests and the grader): never widgets;
- COURSE_WIDGETS=1: always widgets (a front end this check does not know);
- otherwise widgets only inside an IPython kernel that a known front end started: Google Colab, a Jupyter
  server (JupyterLab, Notebook 7 and Voila set JPY_SESSION_NAME for the kernels they start) or VS Code.
  A kernel that nbclient or papermill starts sets none of these, so it gets static figures even with no
  variable set.
"""

from __future__ import annotations

import importlib.util
import os
import sys

__all__ = ["StaticView", "redraw_output", "show_static", "widgets_available"]

_FRONT_END_VARIABLES = ("JPY_SESSION_NAME", "VSCODE_PID")


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def widgets_available(requested: bool | None = None) -> bool:
    """Whether an explorer should build ipywidgets (True) or draw a static figure (False).

    Args:
        requested: True or False decides; None (the default) detects a front end as the module says.
    """
    if requested is not None:
        return bool(requested)
    if importlib.util.find_spec("ipywidgets") is None:
        return False
    if os.environ.get("COURSE_HEADLESS", "") not in ("", "0"):
        return False
    if os.environ.get("COURSE_WIDGETS", "") not in ("", "0"):
        return True
    if not _in_kernel():
        return False
    if "google.colab" in sys.modules:
        return True
    return any(os.environ.get(name) for name in _FRONT_END_VARIABLES)


class StaticView:
    """What an explorer returns where no widget front end is known: the figure it drew and the values behind it."""

    def __init__(self, figure, **values):
        self.figure = figure
        self.__dict__.update(values)

    def __repr__(self):
        return ("(A static figure: no widget front end was detected. In a live notebook set "
                "os.environ['COURSE_WIDGETS'] = '1' to get the sliders.)")


def show_static(figure, **values) -> StaticView:
    """Display `figure` once (inside a kernel), close it, and return a StaticView holding it."""
    if _in_kernel():
        from IPython.display import display

        display(figure)
    import matplotlib.pyplot as plt

    plt.close(figure)
    return StaticView(figure, **values)


def redraw_output(output, draw) -> None:
    """A widget's redraw: clear `output` (an ipywidgets.Output) and show the figure `draw()` makes there.

    A new figure per change, because the inline backend shows a PNG once and never updates it in place
    (`set_data` + `draw_idle` leave the picture as it was).
    """
    import matplotlib.pyplot as plt

    with output:
        output.clear_output(wait=True)
        draw()
        plt.show()
