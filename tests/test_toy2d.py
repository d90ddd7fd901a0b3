"""Toy mixtures follow the PacGAN geometry: means, std and mode balance measured on samples."""

import numpy as np
import pytest

from course_lib.data import toy2d


def test_ring_geometry_measured_on_samples():
    data = toy2d.ring(40_000, seed=1)
    assert data.samples.shape == (40_000, 2) and data.samples.dtype == np.float32
    assert data.means.shape == (8, 2) and data.std == 0.01
    np.testing.assert_allclose(np.linalg.norm(data.means, axis=1), 1.0, atol=1e-12)
    angles = np.sort(np.mod(np.arctan2(data.means[:, 1], data.means[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8, atol=1e-12)
    for k in range(8):
        members = data.samples[data.labels == k]
        np.testing.assert_allclose(members.mean(axis=0), data.means[k], atol=4 * 0.01 / np.sqrt(len(members)) * 3)
        np.testing.assert_allclose(members.std(axis=0), 0.01, rtol=0.05)
    counts = np.bincount(data.labels, minlength=8)
    assert counts.min() > 0.9 * 40_000 / 8  # modes are sampled uniformly


def test_grid_geometry_measured_on_samples():
    data = toy2d.grid(50_000, seed=2)
    assert data.means.shape == (25, 2) and data.std == 0.05
    assert sorted(set(data.means[:, 0])) == [-4, -2, 0, 2, 4] == sorted(set(data.means[:, 1]))
    for k in range(25):
        members = data.samples[data.labels == k]
        np.testing.assert_allclose(members.std(axis=0), 0.05, rtol=0.06)
        np.testing.assert_allclose(members.mean(axis=0), data.means[k], atol=0.01)
    nearest = np.argmin(((data.samples[:, None, :] - data.means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == data.labels) == 1.0  # modes 2 apart with std 0.05 never overlap


def test_seeds_are_explicit_and_reproducible():
    assert np.array_equal(toy2d.ring(100, seed=3).samples, toy2d.ring(100, seed=3).samples)
    assert not np.array_equal(toy2d.ring(100, seed=3).samples, toy2d.ring(100, seed=4).samples)


@pytest.mark.parametrize("n", [0, -5, 2.5, "10"])
def test_bad_sample_counts_are_rejected(n):
    with pytest.raises(ValueError, match="positive integer"):
        toy2d.grid(n)
