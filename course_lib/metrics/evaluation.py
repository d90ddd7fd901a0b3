"""One table row of honest numbers for a set of generated product images, all measured with the course
classifier (course_lib.metrics.classifier): FID and KID on its features, precision/recall, class consistency;
plus the floor (the same numbers between two real splits), cached real statistics and a memorisation check.

Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np

from course_lib import validation as check
from course_lib.atomic import write_bytes_atomic
from course_lib.metrics.classifier import CLASSIFIER_SHA256, load_classifier
from course_lib.metrics.frechet import frechet_distance_from_statistics
from course_lib.metrics.kid import kernel_distance
from course_lib.metrics.precision_recall import precision_recall

__all__ = [
    "class_consistency",
    "evaluate_images",
    "metric_floor",
    "nearest_training_neighbours",
    "real_features",
]


def class_consistency(logits_or_classifier, images_or_labels, labels=None) -> float:
    """Fraction of images the classifier puts in the requested class: mean_i 1[argmax logits_i == y_i].

    Call as class_consistency(logits [N, 10], labels [N]) or class_consistency(classifier, images, labels).
    """
    if labels is None:
        logits, labels = check.as_float_array(logits_or_classifier, "logits"), images_or_labels
    else:
        logits = logits_or_classifier.logits(images_or_labels)
    if logits.ndim != 2 or not logits.size:
        check.fail("logits", "a non-empty array [N, C] (one row of class logits per image)", f"shape {logits.shape}")
    labels = check.check_labels(labels, "labels", logits.shape[1], len(logits))
    return float((logits.argmax(axis=1) == labels).mean())


def _cache_dir() -> Path:
    """$COURSE_CACHE_DIR/metrics, else ~/.cache/course_lib/metrics: a user cache, never inside the repository."""
    root = os.environ.get("COURSE_CACHE_DIR") or (Path.home() / ".cache" / "course_lib")
    return Path(root) / "metrics"


def real_features(split: str = "train", n: int | None = None, seed: int = 0, cache: bool = True
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classifier features, logits and labels of `n` random real images of `split` (all when n is None).

    Cached as .npz (written atomically) under $COURSE_CACHE_DIR/metrics/, else ~/.cache/course_lib/metrics/, keyed by
    split, n, seed and the classifier's SHA-256.
    Returns:
        (features float32 [n, 128], logits float32 [n, 10], labels int64 [n]).
    """
    from course_lib.data import load_fashion_mnist

    check.check_choice(split, "split", ("train", "test"))
    if n is not None:
        check.check_positive_int(n, "n")
    key = hashlib.sha256(f"{split}-{n}-{seed}-{CLASSIFIER_SHA256}".encode()).hexdigest()[:16]
    path = _cache_dir() / f"real_{split}_{n}_{seed}_{key}.npz"
    if cache and path.exists():
        with np.load(path) as saved:
            return saved["features"], saved["logits"], saved["labels"]
    images, labels = load_fashion_mnist(split)
    if n is not None:
        index = np.sort(np.random.default_rng(seed).choice(len(images), n, replace=False))
        images, labels = images[index], labels[index]
    features, logits = load_classifier().features_and_logits(images)
    if cache:
        buffer = io.BytesIO()
        np.savez(buffer, features=features, logits=logits, labels=labels)
        write_bytes_atomic(path, buffer.getvalue())
    return features, logits, np.asarray(labels, dtype=np.int64)


def _row(ref_features, features, logits, labels, seed, kid_subsets, k) -> dict:
    mu_r, cov_r = ref_features.mean(0), np.cov(ref_features.astype(np.float64), rowvar=False)
    mu_f, cov_f = features.mean(0), np.cov(features.astype(np.float64), rowvar=False)
    kid_mean, kid_std = kernel_distance(ref_features, features, subsets=kid_subsets,
                                        subset_size=min(1000, len(features)), seed=seed)
    precision, recall = precision_recall(ref_features, features, k=k)
    row = {"fid_course": frechet_distance_from_statistics(mu_r, cov_r, mu_f, cov_f),
           "kid_course": kid_mean, "kid_course_std": kid_std, "precision": precision, "recall": recall,
           "n": int(len(features))}
    row["class_consistency"] = class_consistency(logits, labels) if labels is not None else None
    return row


def evaluate_images(images, labels=None, n_real: int | None = None, seed: int = 0, kid_subsets: int = 10,
                    k: int = 3) -> dict:
    """Every course metric of generated images against real training images (course classifier features).

    Args:
        images: generated images, uint8 [N, 28, 28] (or float in [-1, 1]).
        labels: the classes that were requested, int [N]; None for an unconditional model.
        n_real: how many real training images to compare with (default N, so the FID bias matches the floor).
        seed: seeds the choice of real images and the KID subsets.
    Returns:
        {"fid_course", "kid_course", "kid_course_std", "precision", "recall", "class_consistency", "n"}.
    Used in: notebooks/04_product_image_project.ipynb
    """
    features, logits = load_classifier().features_and_logits(images)
    if labels is not None:
        labels = check.check_labels(labels, "labels", logits.shape[1], len(features))
    if n_real is not None:
        check.check_positive_int(n_real, "n_real")
    ref, _, _ = real_features("train", n_real or len(features), seed)
    return _row(ref, features, logits, labels, seed, kid_subsets, k)


def metric_floor(n: int = 2000, seed: int = 0, kid_subsets: int = 10, k: int = 3) -> dict:
    """The same metrics between n real training and n real test images: what a perfect generator would score.

    Class consistency here is the classifier's accuracy on the test images.
    """
    ref, _, _ = real_features("train", n, seed)
    test_features, test_logits, test_labels = real_features("test", n, seed + 1)
    return _row(ref, test_features, test_logits, test_labels, seed, kid_subsets, k)


def nearest_training_neighbours(images, train_images=None, space: str = "pixels", chunk: int = 256
                                ) -> tuple[np.ndarray, np.ndarray]:
    """For each image, its nearest training image: (indices int64 [N], distances float64 [N]).

    A generator that copies its training set shows distances near those between a training image and
    itself (0); compare with the test split's distances (see the notebook). space: "pixels" ([-1, 1] grey
    levels) or "features" (course classifier features).
    """
    from course_lib.data import load_fashion_mnist

    if train_images is None:
        train_images = load_fashion_mnist("train")[0]
    if space == "features":
        classifier = load_classifier()
        query, bank = classifier.features(images), classifier.features(train_images)
    elif space == "pixels":
        to_unit = lambda a: (np.asarray(a, np.float32) / 127.5 - 1.0) if np.asarray(a).dtype == np.uint8 else a
        query = np.asarray(to_unit(images), np.float32).reshape(len(images), -1)
        bank = np.asarray(to_unit(train_images), np.float32).reshape(len(train_images), -1)
    else:
        check.fail("space", '"pixels" or "features"', repr(space))
    indices, distances = np.empty(len(query), np.int64), np.empty(len(query))
    bank_norms = (bank.astype(np.float32) ** 2).sum(1)
    for start in range(0, len(query), chunk):
        q = np.asarray(query[start:start + chunk], np.float32)
        best, where = np.full(len(q), np.inf), np.zeros(len(q), np.int64)
        for b in range(0, len(bank), 8192):  # float32 blocks: the 60,000 x 784 bank never doubles in memory
            d = (q ** 2).sum(1)[:, None] + bank_norms[None, b:b + 8192] - 2.0 * q @ bank[b:b + 8192].T
            block_best = d.argmin(1)
            better = d[np.arange(len(q)), block_best] < best
            best[better], where[better] = d[np.arange(len(q)), block_best][better], b + block_best[better]
        indices[start:start + chunk], distances[start:start + chunk] = where, np.sqrt(np.maximum(best, 0.0))
    return indices, distances
