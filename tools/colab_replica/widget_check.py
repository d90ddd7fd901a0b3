"""Each widget explorer's update path under Colab's ipywidgets: run inside the replica's kernel (ipywidgets 7
needs a kernel to open a widget's comm), with the course_lib that the Colab cell installed.

Every control of every explorer is moved to another allowed value; the explorer must redraw (a new result, or
a new frame), not swallow an error (ipywidgets' `interactive` only logs exceptions from its function).
Prints one JSON line {"ipywidgets": version, "explorers": {name: controls moved}}; raises AssertionError naming
the explorer, the control and the ipywidgets version otherwise.
"""

from __future__ import annotations

import json

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["check_all"]


def _other_value(control):
    """An allowed value different from the control's current one."""
    if hasattr(control, "options"):
        values = [option[1] if isinstance(option, tuple) else option for option in control.options]
        return next(v for v in values if v != control.value)
    return control.max if control.value != control.max else control.min


def _controls(explorer) -> list:
    if hasattr(explorer, "kwargs_widgets"):  # ipywidgets.interactive
        return list(explorer.kwargs_widgets)
    return list(explorer.controls)


def _drawn(explorer):
    """What the last redraw produced: interactive's `result`, or the frame a custom explorer keeps."""
    return explorer.result if hasattr(explorer, "kwargs_widgets") else explorer.image


def _exercise(name: str, explorer) -> int:
    assert isinstance(explorer, ipywidgets.Widget), (
        f"{name} returned {type(explorer).__name__}, not an ipywidgets widget (ipywidgets {ipywidgets.__version__})")
    controls = _controls(explorer)
    assert controls, f"{name} has no controls (ipywidgets {ipywidgets.__version__})"
    for control in controls:
        before = _drawn(explorer)
        control.value = _other_value(control)
        after = _drawn(explorer)
        assert after is not None and after is not before, (
            f"{name}: moving {control.description or type(control).__name__!r} to {control.value!r} did not "
            f"redraw under ipywidgets {ipywidgets.__version__} (the update function raised or was not called)")
        plt.close("all")
    return len(controls)


def _explorers():
    from course_lib.data import FASHION_MNIST_CLASSES
    from course_lib.viz import dirac, gan_losses, product, vae

    weights = np.random.default_rng(0).normal(size=(4, 28 * 28)).astype(np.float32)

    def decode(z):  # z [N, 4] -> images [N, 28, 28] in [0, 1]
        return (1.0 / (1.0 + np.exp(-z @ weights))).reshape(-1, 28, 28)

    def render(z, labels):  # z [N, D], labels [N] -> uint8 [N, 28, 28]
        return (255 * decode(z[:, :4] + labels[:, None] / 10.0)).astype(np.uint8)

    z0, z1 = np.zeros(8, np.float32), np.ones(8, np.float32)
    return {
        "viz.gan_losses.loss_explorer": lambda: gan_losses.loss_explorer(n=200),
        "viz.dirac.dirac_explorer": lambda: dirac.dirac_explorer(steps=40),
        "viz.vae.latent_explorer": lambda: vae.latent_explorer(decode, z0[:4], z1[:4]),
        "viz.product.interpolation_widget": lambda: product.interpolation_widget(
            render, z0, z1, FASHION_MNIST_CLASSES, label=0),
    }


def check_all() -> dict:
    moved = {name: _exercise(name, make()) for name, make in _explorers().items()}
    summary = {"ipywidgets": ipywidgets.__version__, "explorers": moved}
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    check_all()
