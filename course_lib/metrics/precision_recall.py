"""Precision and recall with k-nearest-neighbour manifolds (Kynkäänniemi et al. 2019, arXiv 1904.06991).

Each feature set defines a manifold: the union of balls around its points, each ball's radius the distance to
the point's k-th nearest neighbour in its own set. Precision = fraction of generated points inside the real
manifold (fidelity); recall = fraction of real points inside the generated manifold (diversity).
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check
from course_lib.metrics.frechet import _check_feature_pair, _check_features

__all__ = ["knn_radii", "manifold_coverage", "precision_recall", "pairwise_sq_distances"]


def pairwise_sq_distances(a, b) -> np.ndarray:
    """Squared Euclidean distances between rows of a [N, D] and b [M, D] -> [N, M] (clipped at 0)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def knn_radii(features, k: int = 3, chunk: int = 2048) -> np.ndarray:
    """Distance from each row of features [N, D] to its k-th nearest other row -> [N]."""
    features = _check_features(features, "features")
    check.check_positive_int(k, "k")
    check.check_positive_int(chunk, "chunk")
    if not k < len(features):
        check.fail("k", f"an integer in [1, N - 1] = [1, {len(features) - 1}]", repr(k), "Pass more features.")
    radii = np.empty(len(features))
    for start in range(0, len(features), chunk):
        d = pairwise_sq_distances(features[start:start + chunk], features)
        # the point itself sits at distance 0: the k-th neighbour is the (k+1)-th smallest
        radii[start:start + chunk] = np.sqrt(np.partition(d, k, axis=1)[:, k])
    return radii


def manifold_coverage(manifold_features, radii, query_features, chunk: int = 2048) -> np.ndarray:
    """Boolean [M]: is each query inside some ball B(manifold_i, radii_i)?"""
    inside = np.zeros(len(query_features), dtype=bool)
    for start in range(0, len(query_features), chunk):
        d = np.sqrt(pairwise_sq_distances(query_features[start:start + chunk], manifold_features))
        inside[start:start + chunk] = (d <= radii[None, :]).any(axis=1)
    return inside


def precision_recall(real_features, fake_features, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (arXiv 1904.06991) of fake_features [M, D] against real_features [N, D].

    precision = mean_j 1[fake_j in manifold(real, k)], recall = mean_i 1[real_i in manifold(fake, k)].
    Args:
        real_features, fake_features: feature arrays from the same extractor (use equal sizes, e.g. 1,000+).
        k: neighbour index defining each ball's radius (the paper uses 3).
    Returns:
        (precision, recall), each in [0, 1].
    Used in: notebooks/04_product_image_project.ipynb
    """
    real, fake = _check_feature_pair(real_features, fake_features, "real_features", "fake_features")
    precision = manifold_coverage(real, knn_radii(real, k), fake).mean()
    recall = manifold_coverage(fake, knn_radii(fake, k), real).mean()
    return float(precision), float(recall)
