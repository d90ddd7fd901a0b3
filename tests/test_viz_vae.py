"""Notebook 03's plots and latent explorer, headless."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.viz import vae as viz  # noqa: E402


def _decode(z):
    # a fake decoder: image brightness = sigmoid(z_0), so frames are easy to predict
    return np.broadcast_to((1 / (1 + np.exp(-z[:, :1])))[:, :, None], (len(z), 28, 28)).copy()


def test_interpolation_and_frame():
    line = viz.interpolate_latents(np.zeros(3), np.ones(3), 5)
    np.testing.assert_allclose(line[:, 0], [0, 0.25, 0.5, 0.75, 1])
    z0, z1 = np.array([-2.0, 0.0]), np.array([2.0, 0.0])
    np.testing.assert_allclose(viz.latent_explorer_frame(_decode, z0, z1, 0.5), 0.5)
    np.testing.assert_allclose(viz.latent_explorer_frame(_decode, z0, z1, 1.0), 1 / (1 + np.exp(-2)))
    frame = viz.latent_explorer_frame(_decode, z0, z1, 0.5, dim=0, offset=1.0)
    np.testing.assert_allclose(frame, 1 / (1 + np.exp(-1)))
    with pytest.raises(ValueError, match="t must"):
        viz.latent_explorer_frame(_decode, z0, z1, 1.5)
    with pytest.raises(ValueError, match="dim"):
        viz.latent_explorer_frame(_decode, z0, z1, 0.5, dim=5)


def test_explorer_widget_updates_headless():
    pytest.importorskip("ipywidgets")
    box = viz.latent_explorer(_decode, np.array([-2.0, 0.0]), np.array([2.0, 0.0]), widgets=True)
    np.testing.assert_allclose(box.image, 0.5)
    t_slider, dim_box, offset = box.controls
    t_slider.value = 1.0  # the observer redraws
    np.testing.assert_allclose(box.image, 1 / (1 + np.exp(-2)))
    assert dim_box.value == 0  # a dimension is chosen from the start, so the offset slider always acts
    offset.value = -2.0
    np.testing.assert_allclose(box.image, 0.5)


def test_per_class_latents_and_plots():
    rng = np.random.default_rng(0)
    mu = np.concatenate([rng.normal(-3, 0.1, (50, 2)), rng.normal(3, 0.1, (50, 2))])
    labels = np.repeat([0, 1], 50)
    z, y = viz.per_class_latents(mu, labels, 4, seed=0)
    assert z.shape == (8, 2) and list(y) == [0] * 4 + [1] * 4
    assert np.all(z[:4] < -2) and np.all(z[4:] > 2)
    history = {"step": [0, 1], "elbo": [-300, -280], "reconstruction": [-290, -260], "kl": [10, 20]}
    for ax in (viz.plot_training(history), viz.plot_elbo_gap([-10, -6, -5.01], -5.0),
               viz.plot_rate_distortion([1, 5], [300, 250], [4, 1]),
               viz.plot_kl_per_dim({"a": [0.0, 1.0], "b": [2.0, 0.5]}),
               viz.image_grid(rng.integers(0, 256, (12, 28, 28)), ncols=6, row_titles=["x", "y"], title="grid")):
        assert ax.get_title()
