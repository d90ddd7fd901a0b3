"""Mode coverage of samples from a 2-D Gaussian mixture (Lin et al. 2018, PacGAN, arXiv 1712.04086, section 5).

Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib import validation as check
from course_lib.errors import InputError

__all__ = ["ModeCoverage", "assign_modes", "mode_coverage"]


class ModeCoverage(NamedTuple):
    """What `mode_coverage` measures. `counts[k]` is the number of high-quality samples nearest to mode k."""

    modes: int              # modes captured (at least one high-quality sample nearest to them)
    high_quality: float     # fraction of samples within `threshold` std of their nearest mode, in [0, 1]
    reverse_kl: float       # KL(p_hq || uniform) over modes, in nats, in [0, log K]
    counts: np.ndarray      # int64 [K]


def assign_modes(samples, means) -> tuple[np.ndarray, np.ndarray]:
    """Nearest mode of each sample and the Euclidean distance to it.

    Args:
        samples: float [N, 2] (any dimension D works: [N, D]).
        means: float [K, D], the mixture's means.
    Returns:
        (nearest int64 [N], distance float64 [N]).
    """
    samples = np.asarray(samples, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    if samples.ndim != 2 or means.ndim != 2 or samples.shape[1] != means.shape[1]:
        raise InputError(
            f"expected samples [N, D] and means [K, D] with the same D; got {samples.shape} and {means.shape}. "
            "Generated toy samples should be a numpy array of shape [N, 2] (call to_numpy on a tensor first).")
    if not len(means) or not means.shape[1]:
        check.fail("means", "at least one mode [K >= 1, D >= 1]", f"shape {means.shape}")
    distances = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)  # [N, K]
    nearest = np.argmin(distances, axis=1)
    return nearest.astype(np.int64), distances[np.arange(len(samples)), nearest]


def mode_coverage(samples, means, std, threshold: float = 3.0) -> ModeCoverage:
    """Modes captured, high-quality fraction and reverse KL of generated samples, as in PacGAN's Table 1.

    d_i = min_k ||x_i - mu_k||;  HQ_i = [d_i <= threshold * std];  c_k = #{i : HQ_i and argmin_k d = k};
    modes = #{k : c_k >= 1};  high_quality = mean_i HQ_i;
    reverse_kl = sum_k p_k log(p_k K) with p_k = c_k / sum_j c_j  (= KL(p || uniform over the K modes)).

    Smoothing: none is needed in this direction, because the uniform target is positive everywhere; modes with
    c_k = 0 contribute 0 (0 log 0 = 0). When no sample is high quality the histogram is undefined and
    reverse_kl is set to log K, the value of a collapse onto a single mode (its maximum).
    (Lin et al. 2018, arXiv 1712.04086: "a sample is high quality if it is within three standard deviations of
    the nearest mode"; "the number of modes captured ... at least one high-quality sample".)

    Args:
        samples: float [N, 2] generated samples (numpy).
        means: float [K, 2] means of the target mixture (e.g. `course_lib.data.toy2d.ring(1).means`).
        std: per-coordinate standard deviation of every mode (0.01 for the ring, 0.05 for the grid).
        threshold: how many std count as high quality (3 in PacGAN).
    Returns:
        ModeCoverage(modes, high_quality, reverse_kl, counts).
    Used in: notebooks/02_gan_instability.ipynb
    """
    check.check_number(std, "std (the mixture's per-mode standard deviation)", 0.0, low_open=True)
    check.check_number(threshold, "threshold (how many std count as high quality)", 0.0, low_open=True)
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 2 and len(samples) == 0:
        raise InputError("mode_coverage needs at least one sample; got an empty array.")
    if not np.all(np.isfinite(samples)):
        raise InputError("samples contain NaN or inf: the generator diverged. Check the training losses "
                         "(course_lib.health.TrainingMonitor) and lower the learning rate.")
    nearest, distance = assign_modes(samples, means)
    modes_total = len(np.asarray(means))
    high = distance <= threshold * std
    counts = np.bincount(nearest[high], minlength=modes_total).astype(np.int64)
    total = int(counts.sum())
    if total == 0:
        reverse_kl = float(np.log(modes_total))
    else:
        p = counts[counts > 0] / total
        reverse_kl = float(np.sum(p * np.log(p * modes_total)))
    return ModeCoverage(int(np.count_nonzero(counts)), float(high.mean()), max(reverse_kl, 0.0), counts)
