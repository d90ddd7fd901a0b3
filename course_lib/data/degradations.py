"""Seeded degradations of product photos (numpy/scipy, no framework): the inputs of the restoration task.

Each degradation maps uint8 images [N, H, W] to uint8 images and is reproducible from its seed:
- `downscale(images, factor)`: the mean of each factor x factor block (28x28 -> 14x14 for factor 2), what a
  small thumbnail keeps of a photo; the super-resolution input.
- `add_gaussian_noise(images, sigma, seed)`: x + sigma * e, e ~ N(0, 1) per pixel, sigma in grey levels.
- `gaussian_blur(images, sigma)`: a Gaussian filter of width sigma pixels (an out-of-focus camera).
- `jpeg_blocks(images, step)`: JPEG's artefact without JPEG's file format: the 8x8 block DCT of each image,
  each coefficient rounded to a multiple of step * (1 + u + v) (coarser steps for higher frequencies, like
  JPEG's quantisation tables), then the inverse DCT. Block edges appear where neighbouring blocks disagree.
`degrade(images, pipeline, seed)` composes them in order; `bicubic_upscale` is the classic baseline that
brings a downscaled image back to 28x28 (cubic splines, scipy.ndimage.zoom with order=3).
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import numpy as np
from scipy import fft, ndimage

from course_lib.errors import InputError

__all__ = ["DEFAULT_PIPELINE", "DEGRADATIONS", "add_gaussian_noise", "bicubic_upscale", "degrade", "downscale",
           "gaussian_blur", "jpeg_blocks"]

BLOCK = 8  # JPEG's block size


def _check_images(images, name="images") -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[0] == 0:
        raise InputError(f"{name} must be a non-empty uint8 array [N, H, W] (grey levels 0-255, as "
                         f"load_fashion_mnist returns); got dtype {images.dtype} and shape {images.shape}.")
    return images


def _to_uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def downscale(images, factor: int = 2) -> np.ndarray:
    """Mean of each factor x factor block: uint8 [N, H, W] -> uint8 [N, H / factor, W / factor]."""
    images = _check_images(images)
    n, h, w = images.shape
    if int(factor) != factor or factor < 1 or h % factor or w % factor:
        raise InputError(f"factor must be a positive integer that divides the image size {h}x{w}; got {factor!r}.")
    blocks = images.astype(np.float64).reshape(n, h // factor, factor, w // factor, factor)
    return _to_uint8(blocks.mean(axis=(2, 4)))


def bicubic_upscale(images, size: int = 28) -> np.ndarray:
    """Cubic-spline interpolation up to size x size: uint8 [N, h, w] -> uint8 [N, size, size] (the baseline).

    scipy.ndimage.zoom with order=3 (cubic B-spline) and grid_mode=True, so pixels are treated as squares
    whose edges line up with the block means of `downscale` (the convention of PIL and scikit-image).
    """
    images = _check_images(images)
    _, h, w = images.shape
    if size % h or size % w:
        raise InputError(f"size must be a multiple of the image size {h}x{w}; got {size}.")
    zoomed = ndimage.zoom(images.astype(np.float64), (1, size / h, size / w), order=3, mode="reflect",
                          grid_mode=True)
    return _to_uint8(zoomed)


def add_gaussian_noise(images, sigma: float = 10.0, seed: int = 0) -> np.ndarray:
    """x + sigma * e with e ~ N(0, 1) per pixel (sigma in grey levels), rounded and clipped to uint8."""
    images = _check_images(images)
    if not np.isfinite(sigma) or sigma < 0:
        raise InputError(f"sigma must be a finite number >= 0 (grey levels); got {sigma!r}.")
    noise = np.random.default_rng(seed).standard_normal(images.shape)
    return _to_uint8(images.astype(np.float64) + sigma * noise)


def gaussian_blur(images, sigma: float = 1.0) -> np.ndarray:
    """Gaussian filter of standard deviation sigma pixels over each image (not across the batch)."""
    images = _check_images(images)
    if not np.isfinite(sigma) or sigma < 0:
        raise InputError(f"sigma must be a finite number >= 0 (pixels); got {sigma!r}.")
    return _to_uint8(ndimage.gaussian_filter(images.astype(np.float64), sigma=(0, sigma, sigma), mode="reflect"))


def jpeg_blocks(images, step: float = 8.0) -> np.ndarray:
    """JPEG-like block artefacts: 8x8 DCT, coefficient (u, v) rounded to a multiple of step * (1 + u + v).

    Images whose size is not a multiple of 8 are padded by edge replication, then cropped back.
    """
    images = _check_images(images)
    if not np.isfinite(step) or step <= 0:
        raise InputError(f"step must be a finite number > 0 (grey levels); got {step!r}.")
    n, h, w = images.shape
    ph, pw = -h % BLOCK, -w % BLOCK
    x = np.pad(images.astype(np.float64) - 128.0, ((0, 0), (0, ph), (0, pw)), mode="edge")
    hb, wb = x.shape[1] // BLOCK, x.shape[2] // BLOCK
    blocks = x.reshape(n, hb, BLOCK, wb, BLOCK).transpose(0, 1, 3, 2, 4)  # (N, hb, wb, 8, 8)
    coefficients = fft.dctn(blocks, axes=(-2, -1), norm="ortho")
    u = np.arange(BLOCK)
    table = step * (1.0 + u[:, None] + u[None, :])
    restored = fft.idctn(np.round(coefficients / table) * table, axes=(-2, -1), norm="ortho")
    restored = restored.transpose(0, 1, 3, 2, 4).reshape(n, hb * BLOCK, wb * BLOCK)[:, :h, :w]
    return _to_uint8(restored + 128.0)


DEGRADATIONS = {
    "downscale": downscale,
    "noise": add_gaussian_noise,
    "blur": gaussian_blur,
    "jpeg": jpeg_blocks,
}
# The notebook's task: a thumbnail at half the size (14x14) with sensor noise, to be restored to 28x28.
DEFAULT_PIPELINE = (("downscale", {"factor": 2}), ("noise", {"sigma": 10.0}))


def degrade(images, pipeline=DEFAULT_PIPELINE, seed: int = 0) -> np.ndarray:
    """Apply the degradations of `pipeline` in order; the same seed gives the same images.

    Args:
        images: uint8 [N, H, W] clean images.
        pipeline: a sequence of (name, parameters) with name in DEGRADATIONS, e.g.
            (("downscale", {"factor": 2}), ("noise", {"sigma": 10.0})). Steps that draw random numbers get
            their own seed, derived from `seed` and the step's position.
        seed: a non-negative integer.
    Returns:
        uint8 [N, h, w] degraded images (smaller than the input after a downscale).
    Used in: notebooks/05_product_image_quality.ipynb
    """
    out = _check_images(images)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer; got {seed!r}.")
    for position, step in enumerate(pipeline):
        if not (isinstance(step, (tuple, list)) and len(step) == 2 and step[0] in DEGRADATIONS
                and isinstance(step[1], dict)):
            raise InputError(f"pipeline step {position} must be (name, parameters) with name in "
                             f"{sorted(DEGRADATIONS)} and parameters a dict; got {step!r}.")
        name, params = step
        if name == "noise":
            params = {"seed": int(np.random.SeedSequence([int(seed), position]).generate_state(1)[0]), **params}
        out = DEGRADATIONS[name](out, **params)
    return out
