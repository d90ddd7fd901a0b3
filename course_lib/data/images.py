"""Checks and conversions at the data boundary, shared by both twins' data.py (numpy only)."""

from __future__ import annotations

import numpy as np

__all__ = ["check_uint8_images", "uint8_to_unit_range", "unit_range_to_uint8"]


def check_uint8_images(images) -> np.ndarray:
    """`images` as uint8 [N, H, W]; a clear error for anything else."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            f"Expected uint8 images of shape [N, H, W] (as load_fashion_mnist returns); got dtype {images.dtype} "
            f"and shape {images.shape}. Convert model outputs with data.to_uint8_images first."
        )
    return images


def uint8_to_unit_range(images) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1] (x / 127.5 - 1), shape unchanged."""
    return check_uint8_images(images).astype(np.float32) / 127.5 - 1.0


def unit_range_to_uint8(images) -> np.ndarray:
    """float in [-1, 1] -> uint8 [0, 255], rounding to the nearest grey level and clipping outside the range."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
