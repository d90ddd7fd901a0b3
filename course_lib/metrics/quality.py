"""Full-reference image quality: PSNR and SSIM between a restored image and its clean original, one value per
image (numpy/scipy, no framework).

Both need a *paired reference*: the clean photo the restored one should match. They fit restoration and
super-resolution; an image generated from noise has no such partner, so they cannot judge it (use FID, KID and
precision/recall there; notebooks/05_product_image_quality.ipynb shows why).

PSNR = 10 log10(R^2 / MSE), MSE the mean squared difference over the image's pixels, R the data range
(255 for uint8). Identical images give +inf.
SSIM (Wang, Bovik, Sheikh & Simoncelli 2004, IEEE Trans. Image Processing 13(4):600-612) at each pixel, with
local means mu, variances s^2 and covariance s_ab under a Gaussian window (sigma 1.5, truncated at 3.5 sigma:
11x11), C1 = (0.01 R)^2, C2 = (0.03 R)^2:
    SSIM = (2 mu_a mu_b + C1)(2 s_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + s_b^2 + C2)),
averaged over the pixels at least 5 pixels from the border. This matches scikit-image's
structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=R).
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from course_lib.errors import InputError

__all__ = ["psnr", "ssim"]

SSIM_SIGMA, SSIM_TRUNCATE = 1.5, 3.5
SSIM_K1, SSIM_K2 = 0.01, 0.03
SSIM_WINDOW = 2 * int(SSIM_TRUNCATE * SSIM_SIGMA + 0.5) + 1  # 11


def _pair(a, b, data_range, min_size=1) -> tuple[np.ndarray, np.ndarray, float]:
    """Both batches as float64 [N, H, W] and the data range, or an InputError that names the problem."""
    a, b = np.asarray(a), np.asarray(b)
    for name, x in (("a", a), ("b", b)):
        if x.ndim != 3 or x.size == 0:
            raise InputError(f"{name} must be a non-empty batch of grey images [N, H, W]; got shape {x.shape}. "
                             f"For one image pass {name}[None].")
        if not (x.dtype == np.uint8 or np.issubdtype(x.dtype, np.floating)):
            raise InputError(f"{name} must be uint8 (0-255) or float; got dtype {x.dtype}.")
    if a.shape != b.shape:
        raise InputError(f"a and b must have the same shape (each restored image next to its clean original); "
                         f"got {a.shape} and {b.shape}.")
    if min(a.shape[1:]) < min_size:
        raise InputError(f"SSIM's {SSIM_WINDOW}x{SSIM_WINDOW} window needs images of at least {min_size}x{min_size}"
                         f" pixels; got {a.shape[1]}x{a.shape[2]}.")
    if data_range is None:
        if a.dtype != np.uint8 or b.dtype != np.uint8:
            raise InputError(f"data_range is needed for float images (got dtypes {a.dtype} and {b.dtype}): "
                             "2.0 for [-1, 1], 1.0 for [0, 1], 255.0 for grey levels.")
        data_range = 255.0
    if not np.isfinite(data_range) or data_range <= 0:
        raise InputError(f"data_range must be a positive finite number; got {data_range!r}.")
    a, b = a.astype(np.float64), b.astype(np.float64)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise InputError("a and b must not contain NaN or inf: check the model's output before measuring it.")
    return a, b, float(data_range)


def psnr(a, b, data_range=None) -> np.ndarray:
    """Peak signal-to-noise ratio in dB, one value per image: 10 log10(R^2 / mean((a - b)^2)).

    Args:
        a, b: image batches [N, H, W] of the same shape: uint8 (R = 255) or float (pass data_range).
        data_range: R, the span of possible values (2.0 for images in [-1, 1]); required for floats.
    Returns:
        float64 [N]; +inf where a and b are identical. Higher is better.
    Used in: notebooks/05_product_image_quality.ipynb
    """
    a, b, data_range = _pair(a, b, data_range)
    mse = ((a - b) ** 2).mean(axis=(1, 2))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range ** 2 / mse)


def ssim(a, b, data_range=None) -> np.ndarray:
    """Structural similarity, one value per image (Gaussian window sigma 1.5; Wang et al. 2004).

    SSIM = (2 mu_a mu_b + C1)(2 s_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + s_b^2 + C2)), averaged over the
    image away from a 5-pixel border; equals scikit-image's structural_similarity with gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False.
    Args:
        a, b: image batches [N, H, W] of the same shape, H and W >= 11: uint8 (R = 255) or float (data_range).
        data_range: R (2.0 for images in [-1, 1]); required for floats.
    Returns:
        float64 [N] in [-1, 1]; 1 for identical images. Higher is better.
    Used in: notebooks/05_product_image_quality.ipynb
    """
    a, b, data_range = _pair(a, b, data_range, min_size=SSIM_WINDOW)
    blur = lambda x: ndimage.gaussian_filter(x, sigma=(0, SSIM_SIGMA, SSIM_SIGMA), truncate=SSIM_TRUNCATE,
                                             mode="reflect")  # per image, never across the batch
    mu_a, mu_b = blur(a), blur(b)
    var_a, var_b = blur(a * a) - mu_a * mu_a, blur(b * b) - mu_b * mu_b
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    score = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    pad = (SSIM_WINDOW - 1) // 2
    return score[:, pad:-pad, pad:-pad].mean(axis=(1, 2))
