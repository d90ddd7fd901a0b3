"""Headless tests of the product-project pictures and the interpolation widget's update function."""

import numpy as np
import pytest

from course_lib.latents import catalogue_labels, interpolate_latents, latent_batch
from course_lib.viz import product as viz


def _render(z, labels):
    # a fake generator: brightness follows z's first coordinate, so the path is visible
    value = np.clip(127.5 + 40 * z[:, :1, None], 0, 255)
    return np.broadcast_to(value, (len(z), 28, 28)).astype(np.uint8)


def test_update_interpolation_moves_from_z0_to_z1():
    z0, z1 = latent_batch(2, 8, seed=0)
    first = viz.update_interpolation(_render, z0, z1, label=3, t=0.0)
    last = viz.update_interpolation(_render, z0, z1, label=3, t=1.0)
    assert first.shape == (28, 28) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, _render(z0[None], [3])[0])
    np.testing.assert_array_equal(last, _render(z1[None], [3])[0])
    with pytest.raises(ValueError, match="t must be"):
        viz.update_interpolation(_render, z0, z1, 3, 1.5)


def test_slerp_keeps_the_norm_between_equal_norm_latents():
    z0, z1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    mid = interpolate_latents(z0, z1, 0.5)
    assert np.linalg.norm(mid) == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(interpolate_latents(z0, z1, 0.5, "linear"), [0.5, 0.5])


def test_widget_builds_headless():
    pytest.importorskip("ipywidgets")
    z0, z1 = latent_batch(2, 8, seed=0)
    widget = viz.interpolation_widget(_render, z0, z1, [str(i) for i in range(10)], label=2, widgets=True)
    slider, menu = widget.controls
    slider.value = 1.0  # the observer redraws
    np.testing.assert_array_equal(widget.image, viz.update_interpolation(_render, z0, z1, 2, 1.0))
    menu.value = 5
    np.testing.assert_array_equal(widget.image, viz.update_interpolation(_render, z0, z1, 5, 1.0))


def test_truncated_latents_respect_the_threshold():
    z = latent_batch(500, 16, seed=1, truncation=0.5)
    assert np.abs(z).max() <= 0.5 and z.dtype == np.float32
    with pytest.raises(ValueError, match="truncation"):
        latent_batch(2, 2, truncation=0.0)


def test_grid_catalogue_and_pictures(tmp_path):
    labels = catalogue_labels(3)
    images = np.random.default_rng(0).integers(0, 256, (30, 28, 28)).astype(np.uint8)
    grid = viz.image_grid(images, ncols=3)
    assert grid.shape == (10 * 30 + 2, 3 * 30 + 2)
    path = tmp_path / "sheet.png"
    viz.catalogue_sheet(images, labels, [f"class {i}" for i in range(10)], path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert viz.save_sample_grid(images, tmp_path, 5).exists()
    viz.plot_nearest_neighbours(images[:4], images[4:8], np.arange(4.0), n=4)
    viz.plot_truncation_tradeoff([0.5, 1.0], [0.9, 0.8], [0.1, 0.3])
    viz.plot_losses({"a": {"step": [1, 2], "d_loss": [1.0, 0.9], "g_loss": [0.5, 0.6]}})
    with pytest.raises(ValueError, match="uint8"):
        viz.image_grid(images.astype(float), 3)
