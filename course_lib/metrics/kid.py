"""Kernel distance ("KID" formula, on the course classifier's features): the unbiased estimate of the squared
maximum mean discrepancy with the cubic polynomial kernel k(x, y) = (x.y / D + 1)^3, averaged over random
subsets (Bińkowski et al. 2018, arXiv 1801.01401). Unbiased: its expectation is 0 when both sets come from the
same distribution, so single values can be slightly negative. Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check
from course_lib.metrics.frechet import _check_feature_pair

__all__ = ["kernel_distance", "mmd2_unbiased", "polynomial_kernel"]


def polynomial_kernel(a, b) -> np.ndarray:
    """k(x, y) = (x.y / D + 1)^3 for rows of a [N, D] and b [M, D]; returns [N, M]."""
    a, b = check.as_float_array(a, "a"), check.as_float_array(b, "b")
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or not a.shape[1]:
        check.fail("a and b", "feature arrays [N, D] and [M, D] with the same D > 0", f"{a.shape} and {b.shape}")
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def mmd2_unbiased(features_a, features_b) -> float:
    """MMD^2_u = sum_{i!=j} k(a_i,a_j)/(m(m-1)) + sum_{i!=j} k(b_i,b_j)/(n(n-1)) - 2 mean_ij k(a_i,b_j)."""
    a, b = _check_feature_pair(features_a, features_b, "features_a", "features_b")
    m, n = len(a), len(b)
    k_aa, k_bb, k_ab = polynomial_kernel(a, a), polynomial_kernel(b, b), polynomial_kernel(a, b)
    term_a = (k_aa.sum() - np.trace(k_aa)) / (m * (m - 1))
    term_b = (k_bb.sum() - np.trace(k_bb)) / (n * (n - 1))
    return float(term_a + term_b - 2.0 * k_ab.mean())


def kernel_distance(features_a, features_b, subsets: int = 10, subset_size: int = 1000, seed: int = 0
                    ) -> tuple[float, float]:
    """Mean and standard deviation of MMD^2_u (cubic kernel) over `subsets` random subsets of each set.

    KID = mean over subsets of MMD^2_u(a_S, b_S), k(x, y) = (x.y / D + 1)^3 (arXiv 1801.01401).
    Args:
        features_a, features_b: [N, D] and [M, D] features from the same extractor.
        subsets: number of random subsets; subset_size: rows per subset (capped at min(N, M)).
        seed: seeds the subset draws.
    Returns:
        (mean, std) as floats; the mean is unbiased (about 0 for two samples of one distribution).
    Used in: notebooks/04_product_image_project.ipynb
    """
    a, b = _check_feature_pair(features_a, features_b, "features_a", "features_b")
    check.check_positive_int(subsets, "subsets")
    if check.check_positive_int(subset_size, "subset_size") < 2:
        check.fail("subset_size", "at least 2 (the unbiased estimate needs pairs)", repr(subset_size))
    size = min(subset_size, len(a), len(b))
    rng = np.random.default_rng(seed)
    values = [mmd2_unbiased(a[rng.choice(len(a), size, replace=False)], b[rng.choice(len(b), size, replace=False)])
              for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))
