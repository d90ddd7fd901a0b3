"""Figures and the loss explorer of notebook 01, headless (no browser)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.viz import gan_losses as viz  # noqa: E402


def test_explorer_values_show_saturation_of_the_minimax_loss():
    far = viz.explorer_values(mu=6.0, sigma=0.5, confidence=8.0)
    assert abs(far["minimax"]["g_grad"]) < 1e-6           # D rejects the fakes: the minimax gradient vanishes
    assert abs(far["non_saturating"]["g_grad"]) > 1.0     # ... the non-saturating one does not
    for name in ("least_squares", "hinge", "wasserstein"):
        assert abs(far[name]["g_grad"]) > 1.0
    # the gradient pushes the fake mean towards the real one (mu decreases): dL/dmu > 0 for mu > 0
    assert far["non_saturating"]["g_grad"] > 0 and far["hinge"]["g_grad"] > 0
    near = viz.explorer_values(mu=0.5, sigma=1.0, confidence=1.0)
    assert abs(near["minimax"]["g_grad"]) > 0.05          # no saturation when D is unsure
    assert near["x"].shape == near["p_g"].shape == near["d_prob"].shape


def test_explorer_values_are_deterministic_and_validated():
    a, b = viz.explorer_values(2.0, 1.0, 3.0), viz.explorer_values(2.0, 1.0, 3.0)
    assert a["hinge"] == b["hinge"]
    left = viz.explorer_values(-2.0, 1.0, 3.0)   # mirror image: same losses, gradient of opposite sign
    assert left["hinge"]["g_loss"] == pytest.approx(a["hinge"]["g_loss"], rel=0.1)
    assert np.sign(left["hinge"]["g_grad"]) == -np.sign(a["hinge"]["g_grad"])
    with pytest.raises(ValueError, match="sigma"):
        viz.explorer_values(0.0, 0.0, 1.0)


def test_explorer_widget_builds_and_updates_headless():
    pytest.importorskip("ipywidgets")
    widget = viz.loss_explorer(n=200, widgets=True)
    widget.children[0].value = 5.0  # move the fake mean: the update function runs without a browser
    assert widget.kwargs["mu"] == 5.0
    plt.close("all")


def test_figures_have_titles_and_axis_labels():
    x = np.linspace(-4, 4, 50)
    f = np.linspace(-10, 5, 50)
    figs = [
        viz.plot_optimal_discriminator(x, np.exp(-x ** 2), np.exp(-(x - 1) ** 2), np.full_like(x, 0.5)),
        viz.plot_saturation(f, {"minimax": (-np.logaddexp(0, f), -1 / (1 + np.exp(-f)))}),
        viz.plot_js_vs_wasserstein(x, np.full_like(x, np.log(2)), np.abs(x)),
        viz.plot_explorer(viz.explorer_values(1.0, 1.0, 1.0)),
        viz.plot_toy_samples([("a", np.zeros((5, 2))), ("b", np.ones((5, 2)))], np.eye(2)),
        viz.plot_loss_histories({"a": {"step": [1, 2], "d_loss": [1, 1], "g_loss": [2, 2]}}),
    ]
    for fig in figs:
        assert fig._suptitle is not None or any(ax.get_title() for ax in fig.axes)
        assert any(ax.get_xlabel() for ax in fig.axes) and any(ax.get_ylabel() for ax in fig.axes)
        plt.close(fig)


def test_saturation_figure_draws_no_sigmoid_axis_for_scores():
    f = np.linspace(-10, 5, 50)
    curves = {"minimax": (-np.logaddexp(0, f), -1 / (1 + np.exp(-f))), "least_squares": (0.5 * (f - 1) ** 2, f - 1)}
    fig = viz.plot_saturation(f, curves)
    # a secondary "sigmoid" x-axis would claim D = sigmoid(f) for the score losses too
    assert all("sigmoid" not in ax.get_xlabel() for ax in fig.axes)
    styles = {line.get_label(): line.get_linestyle() for line in fig.axes[0].get_lines()}
    assert styles["minimax"] == "-" and styles["least_squares"] == "--"
    plt.close(fig)
