"""Headless tests of the restoration pictures and the trade-off slider's update function."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.errors import InputError
from course_lib.metrics import psnr
from course_lib.viz import restoration as viz

rng = np.random.default_rng(0)
CLEAN = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
BLURRY = np.full_like(CLEAN, 128)
SHARP = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)


def _measure(images):
    return {"psnr": float(psnr(images, CLEAN).mean()), "fid_course": float(images.astype(float).std())}


def test_the_slider_update_walks_from_one_model_to_the_other():
    first = viz.tradeoff_frame(0.0, BLURRY, SHARP, _measure)
    last = viz.tradeoff_frame(1.0, BLURRY, SHARP, _measure)
    np.testing.assert_array_equal(first["images"], BLURRY)
    np.testing.assert_array_equal(last["images"], SHARP)
    middle = viz.tradeoff_frame(0.5, BLURRY, SHARP, _measure)["images"]
    np.testing.assert_array_equal(middle, np.rint((BLURRY.astype(float) + SHARP) / 2).astype(np.uint8))
    curve = viz.tradeoff_curve([0.0, 0.5, 1.0], BLURRY, SHARP, _measure)
    assert [row["alpha"] for row in curve] == [0.0, 0.5, 1.0] and "images" not in curve[0]
    with pytest.raises(InputError, match="alpha"):
        viz.mix_images(BLURRY, SHARP, 1.5)
    with pytest.raises(InputError, match="same shape"):
        viz.mix_images(BLURRY, SHARP[:3], 0.5)


def test_headless_slider_is_a_static_figure_and_no_widget():
    fig, widget, curve = viz.tradeoff_slider(BLURRY, SHARP, _measure, n=4, widgets=False)
    assert widget is None and len(fig.axes) == 5 * 4
    assert curve == viz.tradeoff_curve([0.0, 0.25, 0.5, 0.75, 1.0], BLURRY, SHARP, _measure)


def test_interactive_slider_builds_a_widget():
    pytest.importorskip("ipywidgets")
    _, widget, _ = viz.tradeoff_slider(BLURRY, SHARP, _measure, n=2, widgets=True)
    assert widget is not None


def test_side_by_side_and_the_perception_distortion_plot():
    fig = viz.side_by_side({"clean": CLEAN, "blurry": BLURRY}, n=3, crop=(4, 4, 14))
    assert len(fig.axes) == 6 and fig.axes[0].images[0].get_array().shape == (14, 14)
    points = {"blurry": _measure(BLURRY), "sharp": _measure(SHARP)}
    ax = viz.plot_perception_distortion(points, viz.tradeoff_curve([0.0, 1.0], BLURRY, SHARP, _measure))
    assert ax.xaxis_inverted() and len(ax.collections) == 2
    with pytest.raises(InputError, match="uint8"):
        viz.side_by_side({"float": CLEAN.astype(float)})
