"""Toy 2-D Gaussian mixtures with the PacGAN geometry (Lin et al. 2018, arXiv 1712.04086, section 5).

ring: 8 modes evenly spaced on a circle of radius 1, std 0.01. grid: 25 modes on {-4,-2,0,2,4}^2, std 0.05.
Modes are sampled uniformly. Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib import validation as check

__all__ = ["RING_STD", "GRID_STD", "Mixture2D", "grid", "grid_means", "ring", "ring_means"]

RING_STD = 0.01
GRID_STD = 0.05


class Mixture2D(NamedTuple):
    """Samples of a 2-D mixture with what the metrics need to score generated samples against it."""

    samples: np.ndarray  # float32 [n, 2]
    labels: np.ndarray   # int64 [n], index of the mode each sample came from
    means: np.ndarray    # float64 [K, 2]
    std: float           # per-coordinate standard deviation of every mode


def ring_means(modes: int = 8, radius: float = 1.0) -> np.ndarray:
    """Means of the ring: `modes` points at angles 2*pi*k/modes on a circle of `radius`, shape [modes, 2]."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_means(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    """Means of the grid: `side` x `side` points with `spacing`, centred on 0, shape [side**2, 2]."""
    axis = spacing * (np.arange(side) - (side - 1) / 2)
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def _sample(means: np.ndarray, std: float, n: int, seed: int) -> Mixture2D:
    check.check_positive_int(n, "n (number of samples)")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(means), size=n)
    samples = means[labels] + std * rng.standard_normal((n, 2))
    return Mixture2D(samples.astype(np.float32), labels.astype(np.int64), means, float(std))


def ring(n: int, seed: int = 0) -> Mixture2D:
    """n samples of the ring of 8 Gaussians (radius 1, std 0.01)."""
    return _sample(ring_means(), RING_STD, n, seed)


def grid(n: int, seed: int = 0) -> Mixture2D:
    """n samples of the 5x5 grid of Gaussians (spacing 2, std 0.05)."""
    return _sample(grid_means(), GRID_STD, n, seed)
