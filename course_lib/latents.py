"""Latents drawn in numpy so both twins see the same z for the same seed; the truncation trick; interpolation.

Framework-free and below both the plots (viz/) and the product project (product/), which use it.
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import numpy as np

__all__ = ["catalogue_labels", "interpolate_latents", "latent_batch"]


def latent_batch(n: int, latent_dim: int, seed: int = 0, truncation: float | None = None) -> np.ndarray:
    """z float32 [n, latent_dim] ~ N(0, I); with `truncation` t, entries with |z_i| > t are redrawn
    (the truncation trick, arXiv 1809.11096)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, latent_dim))
    if truncation is not None:
        if truncation <= 0:
            raise ValueError(f"truncation must be positive (e.g. 0.5 to 2); got {truncation}.")
        bad = np.abs(z) > truncation
        while bad.any():
            z[bad] = rng.standard_normal(bad.sum())
            bad = np.abs(z) > truncation
    return z.astype(np.float32)


def interpolate_latents(z0, z1, t, mode: str = "slerp") -> np.ndarray:
    """A point between latents z0 and z1 [D] at t in [0, 1]: linear, or spherical (slerp, keeps the norm typical)."""
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    t = float(t)
    if mode == "linear":
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    if mode != "slerp":
        raise ValueError(f'mode must be "slerp" or "linear"; got {mode!r}.')
    cos = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1) + 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    return ((np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)).astype(np.float32)


def catalogue_labels(per_class: int, num_classes: int = 10) -> np.ndarray:
    """[0]*per_class + [1]*per_class + ...: one row of the catalogue sheet per class."""
    return np.repeat(np.arange(num_classes), per_class)
