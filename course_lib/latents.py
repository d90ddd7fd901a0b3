"""Latents drawn in numpy so both twins see the same z for the same seed; the truncation trick; interpolation.

Framework-free and below both the plots (viz/) and the product project (product/), which use it.
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check

__all__ = ["MIN_TRUNCATION", "catalogue_labels", "interpolate_latents", "latent_batch"]

# Below 0.1 a redraw keeps under 8 % of the draws: the samples are all nearly the mean image, and the redraw
# loop would need thousands of rounds (never ending for 1e-9). MAX_REDRAWS bounds it for any allowed value.
MIN_TRUNCATION = 0.1
MAX_REDRAWS = 1000


def latent_batch(n: int, latent_dim: int, seed: int = 0, truncation: float | None = None) -> np.ndarray:
    """z float32 [n, latent_dim] ~ N(0, I); with `truncation` t, entries with |z_i| > t are redrawn
    (the truncation trick, arXiv 1809.11096)."""
    check.check_positive_int(n, "n")
    check.check_positive_int(latent_dim, "latent_dim")
    check.check_positive_int(seed, "seed", allow_zero=True)
    if truncation is not None:
        check.check_number(truncation, "truncation (e.g. 0.5 to 2; None: no truncation)", MIN_TRUNCATION)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, latent_dim))
    if truncation is not None:
        bad = np.abs(z) > truncation
        for _ in range(MAX_REDRAWS):
            if not bad.any():
                break
            z[bad] = rng.standard_normal(bad.sum())
            bad = np.abs(z) > truncation
        else:
            check.fail("truncation", f"a value that keeps enough draws (>= {MIN_TRUNCATION})", repr(truncation))
    return z.astype(np.float32)


def interpolate_latents(z0, z1, t, mode: str = "slerp") -> np.ndarray:
    """A point between latents z0 and z1 [D] at t in [0, 1]: linear, or spherical (slerp, keeps the norm typical)."""
    z0, z1 = check.as_float_array(z0, "z0"), check.as_float_array(z1, "z1")
    check.check_rank(z0.shape, "z0", (1,), "one latent [D]")
    check.check_nonempty(z0.shape, "z0")
    check.check_same_shape("z0", z0.shape, "z1", z1.shape)
    check.check_finite(z0, "z0")
    check.check_finite(z1, "z1")
    t = check.check_number(t, "t", 0.0, 1.0)
    check.check_choice(mode, "mode", ("slerp", "linear"))
    if mode == "linear":
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    cos = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1) + 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    return ((np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)).astype(np.float32)


def catalogue_labels(per_class: int, num_classes: int = 10) -> np.ndarray:
    """[0]*per_class + [1]*per_class + ...: one row of the catalogue sheet per class."""
    check.check_positive_int(per_class, "per_class")
    check.check_positive_int(num_classes, "num_classes")
    return np.repeat(np.arange(num_classes), per_class)
