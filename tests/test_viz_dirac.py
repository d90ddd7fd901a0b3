"""The Dirac-GAN explorer's update logic, headless."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.viz import dirac as viz  # noqa: E402


def test_explorer_values_regimes():
    v = viz.explorer_values(0.2, 0.0, "simultaneous")
    assert not v["converges"] and v["spectral_radius"] == pytest.approx(np.sqrt(1 + 0.04 / 4))
    assert v["final_radius"] > np.sqrt(2)
    np.testing.assert_allclose(np.sort_complex(v["measured"]), np.sort_complex(v["analytic"]), atol=1e-5)
    v = viz.explorer_values(0.2, 0.5, "simultaneous")
    assert v["converges"] and v["final_radius"] < 0.1
    v = viz.explorer_values(0.2, 0.0, "alternating")
    assert v["spectral_radius"] == pytest.approx(1.0)
    v = viz.explorer_values(0.2, 0.0, "simultaneous", noise_std=1.0)
    assert v["converges"]


def test_plots_and_widget_build():
    import matplotlib.pyplot as plt

    fig = viz.plot_explorer(viz.explorer_values(0.3, 0.1, "alternating", steps=50), title="t")
    assert len(fig.axes) == 2
    fig2 = viz.plot_trajectories({"a": np.zeros((3, 2)) + 1, "b": np.ones((4, 2))})
    assert len(fig2.axes) == 2
    plt.close("all")
    pytest.importorskip("ipywidgets")
    widget = viz.dirac_explorer(steps=20, widgets=True)
    assert {c.description for c in widget.children if hasattr(c, "description")} >= {"h", "gamma (R1)"}
    plt.close("all")
