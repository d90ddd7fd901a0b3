"""One table row per generator for notebook 06 and its benchmark: class, colour and diversity, measured with
the course classifier on the luminance of the coloured images; and the discovered directions' effects.

`render` is any function (z float32 [N, D], classes int [N], colours int [N]) -> uint8 RGB [N, 28, 28, 3],
for example `functools.partial(fw.controllable.generate_images, generator)`, so this module stays
framework-free.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.controllable.sefa import (
    direction_effect,
    first_layer_weight,
    sefa_directions,
)
from course_lib.data.colour import PALETTE, luminance_ink
from course_lib.latents import latent_batch
from course_lib.metrics.controllable import (
    colour_accuracy_table,
    intra_class_diversity,
    per_class_precision_recall,
)
from course_lib.metrics.evaluation import class_consistency
from course_lib.metrics.frechet import frechet_distance

__all__ = ["condition_grid", "discover_directions", "evaluate_generator", "real_reference"]


NUM_COLOURS = len(PALETTE)


def condition_grid(per_combo, num_classes=10, num_colours=NUM_COLOURS):
    """(classes, colours), int64 [num_classes * num_colours * per_combo]: every (class, colour) pair equally."""
    classes = np.repeat(np.arange(num_classes), num_colours * per_combo)
    colours = np.tile(np.repeat(np.arange(num_colours), per_combo), num_classes)
    return classes.astype(np.int64), colours.astype(np.int64)


def real_reference(images, classes, classifier=None) -> dict:
    """Course-classifier features, classes and intra-class diversity of real coloured images (the yardstick)."""
    from course_lib.metrics.classifier import load_classifier

    classifier = classifier or load_classifier()
    features, logits = classifier.features_and_logits(luminance_ink(images))
    return {"features": features, "classes": np.asarray(classes), "accuracy": class_consistency(logits, classes),
            "diversity": intra_class_diversity(features, classes)["mean"]}


def evaluate_generator(render, latent_dim, reference, per_combo=20, seed=0, classifier=None) -> dict:
    """Sample every (class, colour) pair `per_combo` times and measure it against the real `reference`.

    Returns:
        {"class_consistency", "colour_accuracy", "colour_per_colour", "fid_course", "diversity",
         "diversity_vs_real" (generated / real; < 1 is less varied than real products), "per_class_recall",
         "mean_class_recall", "mean_class_precision", "n"}.
    """
    from course_lib.metrics.classifier import load_classifier

    classifier = classifier or load_classifier()
    classes, colours = condition_grid(per_combo)
    images = render(latent_batch(len(classes), latent_dim, seed), classes, colours)
    features, logits = classifier.features_and_logits(luminance_ink(images))
    colour = colour_accuracy_table(images, classes, colours)
    diversity = intra_class_diversity(features, classes)["mean"]
    pr = per_class_precision_recall(reference["features"], reference["classes"], features, classes)
    return {"class_consistency": class_consistency(logits, classes), "colour_accuracy": colour["overall"],
            "colour_per_colour": colour["per_colour"],
            "fid_course": frechet_distance(reference["features"], features), "diversity": diversity,
            "diversity_vs_real": diversity / reference["diversity"], "per_class_recall": pr["recall"],
            "mean_class_recall": pr["mean_recall"], "mean_class_precision": pr["mean_precision"], "n": len(classes)}


def discover_directions(render, weights, k=5, n=60, alphas=(-3, -2, -1, 0, 1, 2, 3), seed=0, classifier=None):
    """SeFa's top-k directions of a generator (from its neutral-layout weights) and what each measurably does.

    Returns:
        (directions [k, D], [direction_effect(...) dict with "eigenvalue" added, one per direction]).
    """
    directions, eigenvalues = sefa_directions(first_layer_weight(weights), k)
    rng = np.random.default_rng(seed)
    classes, colours = rng.integers(0, 10, n), rng.integers(0, len(PALETTE), n)
    z = latent_batch(n, directions.shape[1], seed + 1)
    effects = []
    for direction, value in zip(directions, eigenvalues):
        effect = direction_effect(render, z, classes, colours, direction, alphas, classifier)
        effects.append({**effect, "eigenvalue": float(value)})
    return directions, effects
