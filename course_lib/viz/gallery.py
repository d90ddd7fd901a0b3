"""Image grids of product photos (numpy uint8 in, matplotlib figure out)."""

from __future__ import annotations

import numpy as np

from course_lib.data.images import check_uint8_images

__all__ = ["class_gallery", "image_grid"]


def image_grid(images, rows: int, cols: int, titles=None, figsize_per_image: float = 1.0, suptitle: str = ""):
    """A rows x cols figure of uint8 [N, H, W] images (N <= rows * cols) with optional titles."""
    import matplotlib.pyplot as plt

    images = check_uint8_images(images)
    if len(images) > rows * cols:
        raise ValueError(f"{len(images)} images do not fit a {rows}x{cols} grid.")
    fig, axes = plt.subplots(rows, cols, figsize=(cols * figsize_per_image, rows * figsize_per_image * 1.15),
                             squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=255)
            if titles is not None:
                ax.set_title(titles[index], fontsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def class_gallery(images, labels, class_names, per_class: int = 6, seed: int = 0):
    """One row per class, `per_class` random examples each; returns (figure, chosen indices [classes, per_class])."""
    images = check_uint8_images(images)
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    chosen = np.stack([rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
                       for c in range(len(class_names))])
    titles = [class_names[c] if j == 0 else "" for c in range(len(class_names)) for j in range(per_class)]
    fig = image_grid(images[chosen.ravel()], len(class_names), per_class, titles=titles,
                     suptitle="Fashion-MNIST: one row per product class")
    return fig, chosen
