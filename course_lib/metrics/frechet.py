"""Fréchet distance between Gaussians fitted to two feature sets (the "FID" formula, here on the course
classifier's features, never Inception's).

FD = ||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2)  (Heusel et al. 2017, arXiv 1706.08500;
Dowson & Landau 1982). Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check

__all__ = ["feature_statistics", "frechet_distance", "frechet_distance_from_statistics"]


def _check_features(features, name: str) -> np.ndarray:
    features = check.as_float_array(features, name)
    if features.ndim != 2 or len(features) < 2 or features.shape[1] < 1:
        check.fail(name, "a [N, D] array of features with N >= 2", f"shape {features.shape}",
                   "Compute features with course_lib.metrics.load_classifier().features(images).")
    check.check_finite(features, name, "Check the images fed to the classifier.")
    return features


def _check_feature_pair(features_a, features_b, name_a, name_b) -> tuple[np.ndarray, np.ndarray]:
    """Two feature sets [N, D] and [M, D] from the same extractor: the same D."""
    a, b = _check_features(features_a, name_a), _check_features(features_b, name_b)
    if a.shape[1] != b.shape[1]:
        check.fail(f"{name_a} and {name_b}", "the same feature dimension D",
                   f"shapes {a.shape} and {b.shape}", "Both sides must come from the same feature extractor.")
    return a, b


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean [D] and covariance [D, D] (unbiased, N - 1) of features [N, D], in float64."""
    features = _check_features(features, "features")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance_from_statistics(mu_a, cov_a, mu_b, cov_b) -> float:
    """FD = ||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2), for means [D] and covariances [D, D].

    The symmetric form (C_a^1/2 C_b C_a^1/2)^1/2 has the same trace as (C_a C_b)^1/2 and stays real and
    positive semi-definite, so no complex parts need discarding (scipy.linalg.sqrtm's usual pitfall).
    """
    mu_a, mu_b = check.as_float_array(mu_a, "mu_a"), check.as_float_array(mu_b, "mu_b")
    cov_a = np.atleast_2d(check.as_float_array(cov_a, "cov_a"))
    cov_b = np.atleast_2d(check.as_float_array(cov_b, "cov_b"))
    if (mu_a.ndim != 1 or mu_a.shape != mu_b.shape or cov_a.shape != cov_b.shape
            or cov_a.shape != (mu_a.size, mu_a.size) or not mu_a.size):
        check.fail("statistics", "means [D] and covariances [D, D] of one feature extractor",
                   f"means {mu_a.shape}, {mu_b.shape}; covariances {cov_a.shape}, {cov_b.shape}")
    for name, value in (("mu_a", mu_a), ("mu_b", mu_b), ("cov_a", cov_a), ("cov_b", cov_b)):
        check.check_finite(value, name)
    root_a = _psd_sqrt(cov_a)
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_cross = np.sqrt(np.clip(cross, 0.0, None)).sum()
    value = float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_cross)
    return max(value, 0.0)  # tiny negative values are round-off


def frechet_distance(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted to features_a [N, D] and features_b [M, D].

    FD = ||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2)  (arXiv 1706.08500).
    Biased upwards for small N: compare values computed with the same numbers of samples.
    Args:
        features_a, features_b: [N, D] and [M, D] features from the same extractor.
    Returns:
        A float >= 0 (0 for identical feature sets).
    Used in: notebooks/04_product_image_project.ipynb
    """
    a, b = _check_feature_pair(features_a, features_b, "features_a", "features_b")
    return frechet_distance_from_statistics(*feature_statistics(a), *feature_statistics(b))
