"""Checks and conversions at the data boundary, shared by both twins' data.py (numpy only)."""

from __future__ import annotations

import warnings

import numpy as np

from course_lib import validation as check
from course_lib.errors import ScaleWarning

__all__ = ["check_uint8_images", "uint8_to_unit_range", "unit_range_to_uint8"]


def check_uint8_images(images) -> np.ndarray:
    """`images` as uint8 [N, H, W]; a clear error for anything else."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        check.fail("images", "uint8 images of shape [N, H, W] (as load_fashion_mnist returns)",
                   f"dtype {images.dtype} and shape {images.shape}",
                   "Convert model outputs with data.to_uint8_images first.")
    check.check_nonempty(images.shape, "images")
    return images


def uint8_to_unit_range(images) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1] (x / 127.5 - 1), shape unchanged."""
    return check_uint8_images(images).astype(np.float32) / 127.5 - 1.0


def unit_range_to_uint8(images) -> np.ndarray:
    """float in [-1, 1] -> uint8 [0, 255], rounding to the nearest grey level and clipping outside the range."""
    images = check.as_float_array(images, "images", np.float32)
    check.check_finite(images, "images")
    if images.size:
        lo, hi = float(images.min()), float(images.max())
        if hi > 2.0 and lo >= -0.01:  # overshoots are clipped, but 0..255 floats would all clip to white
            check.fail("images", "floats in [-1, 1] (values beyond are clipped)", f"values in [{lo:.4g}, {hi:.4g}]",
                       "uint8 images need no conversion; rescale 0..255 floats with x / 127.5 - 1.")
        if lo >= -0.01 and hi > 0.5:
            warnings.warn(f"images: values lie in [{lo:.3g}, {hi:.3g}], which looks like [0, 1], but [-1, 1] is "
                          "expected; rescale with 2 * x - 1.", ScaleWarning, stacklevel=2)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
