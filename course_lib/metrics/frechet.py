"""Fréchet distance between Gaussians fitted to two feature sets (the "FID" formula, here on the course
classifier's features, never Inception's).

FD = ||mu_a - mu_b||^2 + tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2)  (Heusel et al. 2017, arXiv 1706.08500;
Dowson & Landau 1982). Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import numpy as np

__all__ = ["feature_statistics", "frechet_distance", "frechet_distance_from_statistics"]


def _check_features(features, name: str) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"{name} must be a [N, D] array of features with N >= 2; got shape {features.shape}. "
                         "Compute features with course_lib.metrics.load_classifier().features(images).")
    if not np.isfinite(features).all():
        raise ValueError(f"{name} contains NaN or inf: check the images fed to the classifier.")
    return features


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
    mu_a, mu_b = np.asarray(mu_a, np.float64), np.asarray(mu_b, np.float64)
    cov_a, cov_b = np.atleast_2d(np.asarray(cov_a, np.float64)), np.atleast_2d(np.asarray(cov_b, np.float64))
    if mu_a.shape != mu_b.shape or cov_a.shape != cov_b.shape or cov_a.shape != (mu_a.size, mu_a.size):
        raise ValueError(f"Mismatched statistics: means {mu_a.shape}, {mu_b.shape}; covariances {cov_a.shape}, "
                         f"{cov_b.shape}. Both sides must come from the same feature extractor.")
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
    return frechet_distance_from_statistics(*feature_statistics(features_a), *feature_statistics(features_b))
