"""Metrics of controllable generation (notebook 06), framework-free: is the colour the one requested, is the
class, and how varied are the products within a class. All class and feature numbers are measured with the
course classifier on the luminance of the coloured image (course_lib.data.colour.luminance_ink).

The colour rule (documented, so it can be checked by hand):
1. convert RGB to HSV (hue in degrees, saturation and value in [0, 1]);
2. foreground = pixels with saturation >= 0.2 (the white background has saturation 0; a tinted pixel with
   ink a has saturation about a * (max(c) - min(c)) / 255);
3. the image's hue is the circular mean of the foreground hues, each weighted by its saturation;
4. the predicted colour is the palette colour whose hue is nearest on the circle; an image with fewer than
   10 foreground pixels shows no colour (prediction -1, always wrong).
Colour accuracy is the fraction of images whose predicted colour is the requested one.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.data.colour import PALETTE, PALETTE_NAMES, luminance_ink
from course_lib.errors import InputError
from course_lib.metrics.evaluation import class_consistency
from course_lib.metrics.precision_recall import pairwise_sq_distances, precision_recall

__all__ = ["MIN_FOREGROUND_PIXELS", "MIN_SATURATION", "colour_accuracy", "colour_accuracy_table",
           "colour_predictions", "foreground_hue", "intra_class_diversity", "luminance_class_consistency",
           "per_class_precision_recall", "rgb_to_hsv"]

MIN_SATURATION = 0.2
MIN_FOREGROUND_PIXELS = 10


def _rgb(images, name="images"):
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise InputError(f"{name} must be uint8 RGB [N, H, W, 3]; got {images.dtype} of shape {images.shape}.")
    return images


def rgb_to_hsv(images) -> np.ndarray:
    """uint8 RGB [..., 3] -> float64 HSV [..., 3]: hue in degrees [0, 360), saturation and value in [0, 1]."""
    rgb = np.asarray(images, np.float64) / 255.0
    top, bottom = rgb.max(axis=-1), rgb.min(axis=-1)
    spread = top - bottom
    safe = np.where(spread > 0, spread, 1.0)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    hue = np.where(top == r, ((g - b) / safe) % 6.0, np.where(top == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    hue = np.where(spread > 0, hue * 60.0, 0.0)
    saturation = np.where(top > 0, spread / np.where(top > 0, top, 1.0), 0.0)
    return np.stack([hue % 360.0, saturation, top], axis=-1)


def foreground_hue(images, min_saturation=MIN_SATURATION, min_pixels=MIN_FOREGROUND_PIXELS) -> np.ndarray:
    """Each image's foreground hue in degrees, float64 [N]: the saturation-weighted circular mean of the hues
    of pixels with saturation >= min_saturation; NaN where fewer than min_pixels such pixels exist."""
    hsv = rgb_to_hsv(_rgb(images)).reshape(len(images), -1, 3)
    weight = np.where(hsv[..., 1] >= min_saturation, hsv[..., 1], 0.0)            # [N, pixels]
    angle = np.deg2rad(hsv[..., 0])
    x, y = (weight * np.cos(angle)).sum(1), (weight * np.sin(angle)).sum(1)
    hue = np.rad2deg(np.arctan2(y, x)) % 360.0
    return np.where((weight > 0).sum(1) >= min_pixels, hue, np.nan)


def colour_predictions(images, palette=PALETTE) -> np.ndarray:
    """The palette index nearest to each image's foreground hue (circular distance), int64 [N]; -1 for none."""
    hue = foreground_hue(images)
    palette_hue = rgb_to_hsv(np.asarray(palette, np.uint8))[:, 0]                   # [P]
    gap = np.abs(hue[:, None] - palette_hue[None, :]) % 360.0
    nearest = np.minimum(gap, 360.0 - gap).argmin(axis=1) if len(hue) else np.zeros(0, np.int64)
    return np.where(np.isnan(hue), -1, nearest).astype(np.int64)


def colour_accuracy(images, colours, palette=PALETTE) -> float:
    """Fraction of images whose foreground hue names the requested palette colour (rule in the module doc).

    Args:
        images: uint8 RGB [N, 28, 28, 3]. colours: requested palette indices, int [N].
    """
    colours = np.asarray(colours)
    if colours.shape != (len(images),):
        raise InputError(f"colours must have shape [{len(images)}] (one per image); got {colours.shape}.")
    return float((colour_predictions(images, palette) == colours).mean()) if len(colours) else float("nan")


def colour_accuracy_table(images, classes, colours, palette=PALETTE, names=PALETTE_NAMES) -> dict:
    """Colour accuracy overall, per requested colour and per class: {"overall", "per_colour", "per_class"}."""
    classes, colours = np.asarray(classes), np.asarray(colours)
    right = colour_predictions(images, palette) == colours
    return {"overall": float(right.mean()),
            "per_colour": {names[p]: float(right[colours == p].mean()) for p in range(len(palette))
                           if (colours == p).any()},
            "per_class": [float(right[classes == k].mean()) if (classes == k).any() else None
                          for k in range(int(classes.max()) + 1 if len(classes) else 0)]}


def luminance_class_consistency(images, classes, classifier=None) -> float:
    """Class consistency of coloured images: the course classifier on their luminance names the requested class."""
    from course_lib.metrics.classifier import load_classifier

    classifier = classifier or load_classifier()
    return class_consistency(classifier.logits(luminance_ink(_rgb(images))), np.asarray(classes))


def intra_class_diversity(features, labels, num_classes=10) -> dict:
    """Mean pairwise Euclidean distance between feature rows of the same class (0: every image alike).

    Args:
        features: [N, D] (course classifier features). labels: int [N].
    Returns:
        {"per_class": [K] (None for a class with < 2 rows), "mean": mean over classes with >= 2 rows}.
    """
    features, labels = np.asarray(features, np.float64), np.asarray(labels)
    if features.ndim != 2 or labels.shape != (len(features),):
        raise InputError(f"features must be [N, D] and labels [N]; got {features.shape} and {labels.shape}.")
    per_class = []
    for k in range(num_classes):
        rows = features[labels == k]
        if len(rows) < 2:
            per_class.append(None)
            continue
        distances = np.sqrt(pairwise_sq_distances(rows, rows))
        per_class.append(float(distances.sum() / (len(rows) * (len(rows) - 1))))  # the diagonal is 0
    known = [d for d in per_class if d is not None]
    return {"per_class": per_class, "mean": float(np.mean(known)) if known else float("nan")}


def per_class_precision_recall(real_features, real_labels, fake_features, fake_labels, num_classes=10, k=3) -> dict:
    """Precision and recall (arXiv 1904.06991) within each class: does G cover each class's variety?

    Returns:
        {"precision": [K], "recall": [K], "mean_precision", "mean_recall"}; None for a class with <= k rows.
    """
    real_labels, fake_labels = np.asarray(real_labels), np.asarray(fake_labels)
    precision, recall = [], []
    for c in range(num_classes):
        real, fake = np.asarray(real_features)[real_labels == c], np.asarray(fake_features)[fake_labels == c]
        if min(len(real), len(fake)) <= k:
            precision.append(None), recall.append(None)
            continue
        p, r = precision_recall(real, fake, k=k)
        precision.append(p), recall.append(r)
    mean = lambda values: float(np.mean([v for v in values if v is not None])) if any(
        v is not None for v in values) else float("nan")
    return {"precision": precision, "recall": recall, "mean_precision": mean(precision), "mean_recall": mean(recall)}
