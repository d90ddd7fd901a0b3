"""Coloured products: Fashion-MNIST items tinted with one colour of a fixed palette on a white background.

Framework-free and seeded. A Fashion-MNIST pixel is an ink amount a = x / 255 in [0, 1] (0 is background).
Tinting with the palette colour c (RGB in [0, 255]) mixes white and c by the ink amount:

    rgb = 255 - a * (255 - c)        (background a = 0 stays white; full ink a = 1 is exactly c)

so the item keeps its shading and texture, and only the hue changes with c. The palette's hues are at least
25 degrees apart, so the generated foreground's hue names the colour unambiguously (see
course_lib.metrics.controllable.colour_accuracy for the measuring rule).
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.errors import InputError

__all__ = ["PALETTE", "PALETTE_NAMES", "coloured_fashion_mnist", "luminance_ink", "tint"]

# name -> RGB; saturated, of similar darkness, so the luminance of an item hardly depends on its colour
PALETTE_NAMES = ("red", "orange", "green", "teal", "blue", "purple")
PALETTE = np.array([
    [200, 30, 30],     # red     hue   0
    [225, 110, 10],    # orange  hue  29
    [40, 150, 40],     # green   hue 120
    [10, 140, 150],    # teal    hue 184
    [30, 70, 210],     # blue    hue 227
    [140, 40, 180],    # purple  hue 283
], dtype=np.uint8)


def tint(images, colours, palette=PALETTE) -> np.ndarray:
    """Tint grey products with palette colours: rgb = 255 - a (255 - c), a = image / 255.

    Args:
        images: uint8 [N, 28, 28] Fashion-MNIST images (0 background, 255 full ink).
        colours: int [N] palette indices.
        palette: uint8 [P, 3] RGB colours.
    Returns:
        uint8 [N, 28, 28, 3] RGB images on a white background (channels last, whatever the framework).
    """
    images, colours, palette = np.asarray(images), np.asarray(colours), np.asarray(palette)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise InputError(f"images must be uint8 [N, H, W] grey products; got {images.dtype} of shape {images.shape}.")
    if colours.shape != (len(images),) or not np.issubdtype(colours.dtype, np.integer):
        raise InputError(f"colours must be integer palette indices of shape [{len(images)}]; "
                         f"got {colours.dtype} of shape {colours.shape}.")
    if colours.size and (colours.min() < 0 or colours.max() >= len(palette)):
        raise InputError(f"colours must lie in [0, {len(palette)}); got values in [{colours.min()}, {colours.max()}].")
    ink = images.astype(np.float32)[..., None] / 255.0                          # [N, H, W, 1]
    rgb = 255.0 - ink * (255.0 - palette[colours].astype(np.float32)[:, None, None, :])
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def coloured_fashion_mnist(split: str = "train", limit: int | None = None, seed: int = 0, palette=PALETTE):
    """The coloured product set: each Fashion-MNIST item tinted with a palette colour drawn uniformly (seeded).

    Args:
        split: "train" or "test".
        limit: keep the first `limit` items (quick mode); None keeps all.
        seed: seeds the colour draw; the same seed gives the same colours.
    Returns:
        (rgb uint8 [N, 28, 28, 3], classes int64 [N], colours int64 [N]).
    """
    from course_lib.data.fashion_mnist import load_fashion_mnist

    images, classes = load_fashion_mnist(split)
    if limit is not None:
        images, classes = images[:limit], classes[:limit]
    colours = np.random.default_rng(seed).integers(0, len(palette), size=len(images)).astype(np.int64)
    return tint(images, colours, palette), np.asarray(classes, np.int64), colours


def luminance_ink(rgb) -> np.ndarray:
    """What the course classifier reads from a coloured product: inverted luminance, stretched per image.

    L = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601); ink = 255 - L is 0 on the white background. Each image is
    scaled so its darkest pixel becomes 255, like a Fashion-MNIST item (a colour darker than another otherwise
    changes the grey level the classifier sees). An empty (all-white) image stays 0.
    Args:
        rgb: uint8 [N, H, W, 3].
    Returns:
        uint8 [N, H, W], white-on-black as Fashion-MNIST.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 4 or rgb.shape[-1] != 3 or rgb.dtype != np.uint8:
        raise InputError(f"rgb must be uint8 [N, H, W, 3]; got {rgb.dtype} of shape {rgb.shape}.")
    luminance = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    ink = 255.0 - luminance
    peak = ink.reshape(len(ink), -1).max(axis=1) if len(ink) else np.zeros(0, np.float32)
    ink = ink * (255.0 / np.maximum(peak, 1.0))[:, None, None]
    return np.clip(np.rint(ink), 0, 255).astype(np.uint8)
