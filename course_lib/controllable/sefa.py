"""Style without labels: latent directions found in closed form from a trained generator, and their measured
effect. Framework-free numpy.

SeFa (Shen & Zhou 2021, arXiv 2007.06600): the first layer that takes z computes y = W z + b. Moving z by
alpha * n moves y by alpha * W n, so the directions that change y most are the unit vectors n maximising
||W n||^2 = n^T W^T W n: the eigenvectors of W^T W with the largest eigenvalues (the right singular vectors
of W). No training, no labels, no samples.
Editing moves z along a direction: z' = z + alpha * n. A direction is *labelled* by an image statistic it
changes monotonically (ink mass, width, height, lightness, saturation), while the course classifier still
names the requested class.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.data.colour import luminance_ink
from course_lib.errors import InputError

__all__ = ["STATISTICS", "direction_effect", "edit_latents", "first_layer_weight", "image_statistics",
           "sefa_directions"]

STATISTICS = ("ink mass", "width", "height", "lightness", "saturation")


def first_layer_weight(generator_weights) -> np.ndarray:
    """W [out, in] of the first layer that takes z, from generator weights in the framework-neutral layout
    (`fw.controllable.generator_weights`, whose dense kernel is stored (in, out))."""
    if "dense.kernel" not in generator_weights:
        raise InputError("generator_weights must hold 'dense.kernel' "
                         "(the layout of fw.controllable.generator_weights); "
                         f"got keys {sorted(generator_weights)[:6]}...")
    return np.asarray(generator_weights["dense.kernel"], np.float64).T


def sefa_directions(weight, k=None):
    """The top-k SeFa directions of a first-layer weight W [out, in]: eigenvectors of W^T W (arXiv 2007.06600).

    Args:
        weight: W, shape [out, in], acting as y = W z.
        k: how many directions (default: all `in`).
    Returns:
        (directions float64 [k, in], unit rows, largest eigenvalue first; eigenvalues float64 [k]).
        Each row's sign is fixed so that its largest-magnitude entry is positive (eigenvectors have no sign).
    """
    w = np.asarray(weight, np.float64)
    if w.ndim != 2 or not np.all(np.isfinite(w)):
        raise InputError(f"weight must be a finite matrix [out, in]; got shape {w.shape}.")
    k = w.shape[1] if k is None else int(k)
    if not 1 <= k <= w.shape[1]:
        raise InputError(f"k must be in [1, {w.shape[1]}] (the latent size); got {k}.")
    values, vectors = np.linalg.eigh(w.T @ w)               # ascending, columns are eigenvectors
    order = np.argsort(values)[::-1][:k]
    directions = vectors[:, order].T                        # [k, in]
    signs = np.sign(directions[np.arange(k), np.abs(directions).argmax(axis=1)])
    return directions * signs[:, None], values[order]


def edit_latents(z, direction, alphas) -> np.ndarray:
    """z + alpha * n for each alpha: float32 [len(alphas), N, D] for z [N, D] and a direction n [D]."""
    z, direction = np.atleast_2d(np.asarray(z, np.float64)), np.asarray(direction, np.float64)
    if direction.shape != (z.shape[1],):
        raise InputError(f"direction must have shape [{z.shape[1]}] (the latent size); got {direction.shape}.")
    alphas = np.asarray(alphas, np.float64).reshape(-1)
    return (z[None] + alphas[:, None, None] * direction[None, None]).astype(np.float32)


def image_statistics(images) -> dict:
    """Simple measurable properties of uint8 RGB images [N, H, W, 3], each float64 [N]:

    ink mass: mean inverted luminance (0 white page .. 1 all ink); width / height: the ink-weighted standard
    deviation of the column / row position, in pixels; lightness: mean luminance of the ink in [0, 1];
    saturation: mean HSV saturation of the ink.
    """
    from course_lib.metrics.controllable import rgb_to_hsv

    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise InputError(f"images must be uint8 RGB [N, H, W, 3]; got {images.dtype} of shape {images.shape}.")
    luminance = images.astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0   # [N, H, W]
    ink = 1.0 - luminance
    mass = ink.sum(axis=(1, 2)) + 1e-9
    rows, cols = np.arange(images.shape[1])[None, :, None], np.arange(images.shape[2])[None, None, :]
    spread = lambda pos: np.sqrt((ink * (pos - (ink * pos).sum(axis=(1, 2), keepdims=True)
                                          / mass[:, None, None]) ** 2).sum(axis=(1, 2)) / mass)
    weight = np.where(ink > 0.1, ink, 0.0)
    weighted_mean = lambda v: (weight * v).sum(axis=(1, 2)) / (weight.sum(axis=(1, 2)) + 1e-9)
    return {"ink mass": ink.mean(axis=(1, 2)), "width": spread(cols), "height": spread(rows),
            "lightness": weighted_mean(luminance), "saturation": weighted_mean(rgb_to_hsv(images)[..., 1])}


def _spearman(x, y):
    rank = lambda v: np.argsort(np.argsort(v)).astype(np.float64)
    a, b = rank(np.asarray(x)), rank(np.asarray(y))
    a, b = a - a.mean(), b - b.mean()
    scale = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / scale) if scale > 0 else 0.0


def direction_effect(render, z, classes, colours, direction, alphas, classifier=None) -> dict:
    """Measure what moving z along `direction` does: each statistic's mean at each alpha, its Spearman
    correlation with alpha, whether it changes monotonically, and the class consistency at each alpha.

    Args:
        render: function (z float32 [N, D], classes [N], colours [N]) -> uint8 RGB [N, 28, 28, 3].
        z: [N, D] starting latents; classes, colours: int [N]; direction: [D]; alphas: increasing steps.
    Returns:
        {"alphas", "means": {statistic: [A]}, "spearman": {statistic: rho}, "monotone": {statistic: bool},
         "label": the monotone statistic with the largest |rho| (None if none), "class_consistency": [A]}.
    """
    from course_lib.metrics.classifier import load_classifier

    classifier = classifier or load_classifier()
    alphas = np.asarray(alphas, np.float64)
    if len(alphas) < 3 or np.any(np.diff(alphas) <= 0):
        raise InputError(f"alphas must be at least 3 increasing values; got {alphas.tolist()}.")
    means = {name: [] for name in STATISTICS}
    consistency = []
    for edited in edit_latents(z, direction, alphas):
        images = render(edited, classes, colours)
        for name, values in image_statistics(images).items():
            means[name].append(float(values.mean()))
        consistency.append(float((classifier.predict(luminance_ink(images)) == np.asarray(classes)).mean()))
    spearman = {name: _spearman(alphas, values) for name, values in means.items()}
    monotone = {name: bool(np.all(np.diff(v) > 0) or np.all(np.diff(v) < 0)) for name, v in means.items()}
    candidates = [name for name in STATISTICS if monotone[name]]
    label = max(candidates, key=lambda name: abs(spearman[name])) if candidates else None
    return {"alphas": alphas.tolist(), "means": means, "spearman": spearman, "monotone": monotone,
            "label": label, "class_consistency": consistency}
