"""Exercises of notebooks/02_gan_instability.ipynb (numpy answers, graded on hidden inputs).

ex-02-1 the spectral radius of simultaneous steps with R1; ex-02-2 choose gamma so that the Dirac-GAN converges;
ex-02-3 the high-quality test of mode coverage; ex-02-4 the reverse KL of a mode histogram; ex-02-5 PacGAN packing.
"""

import numpy as np

from course_lib.data import toy2d
from course_lib.grading.exercise import Exercise, register
from course_lib.reference import dirac

NOTEBOOK = "02_gan_instability"
GAMMA_STEP_SIZE = 0.5  # the h of ex-02-2


# ---------------------------------------------------------------- ex-02-1: spectral radius of simultaneous steps


def _spectral_radius(h, gamma):
    return float(np.max(np.abs(dirac.update_eigenvalues(float(h), "simultaneous", r1_gamma=float(gamma)))))


def _h_gamma(rng):
    return float(rng.uniform(0.05, 1.0)), float(rng.choice([0.0, rng.uniform(0.0, 3.0)]))


register(Exercise(
    id="ex-02-1",
    notebook=NOTEBOOK,
    title="spectral radius of simultaneous gradient steps on the Dirac-GAN with R1",
    points=2,
    kind="function",
    answer_name="spectral_radius",
    reference=_spectral_radius,
    make_inputs=_h_gamma,
    hints="at (0, 0) the Jacobian is J = [[0, 1/2], [-1/2, -gamma]]; one simultaneous step multiplies by "
          "I + h J; return the largest absolute value of its eigenvalues (np.linalg.eigvals, np.abs).",
    cases=4,
))


# ---------------------------------------------------------------- ex-02-2: a gamma that makes h = 0.5 converge


def _good_gamma():
    return 1.0  # the fastest: spectral radius 0.75 at h = 0.5


def _grade_gamma(expected, actual):
    if isinstance(actual, bool) or not isinstance(actual, (int, float, np.integer, np.floating)):
        return 0.0, f"expected a number for GAMMA, got {type(actual).__name__}"
    if not np.isfinite(actual) or actual < 0:
        return 0.0, "gamma must be a finite number >= 0"
    radius = _spectral_radius(GAMMA_STEP_SIZE, float(actual))
    if radius < 1.0:
        return 1.0, f"correct: max |lambda| = {radius:.3f} < 1, the iterates converge"
    return 0.0, f"with gamma = {actual} the spectral radius is {radius:.4f} >= 1: the iterates do not converge"


register(Exercise(
    id="ex-02-2",
    notebook=NOTEBOOK,
    title="choose gamma so that simultaneous steps with h = 0.5 converge",
    points=1,
    kind="value",
    answer_name="GAMMA",
    reference=_good_gamma,
    grade=_grade_gamma,
    hints="for gamma < 1 the squared radius is 1 - h gamma + h^2/4; it is below 1 when gamma > h/4.",
))


# ---------------------------------------------------------------- ex-02-3: the high-quality test


def _high_quality_mask(samples, means, std):
    samples, means = np.asarray(samples, np.float64), np.asarray(means, np.float64)
    distances = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)
    return distances.min(axis=1) <= 3.0 * std


def _samples_near_and_far(rng):
    which = rng.integers(0, 2)
    means, std = (toy2d.ring_means(), toy2d.RING_STD) if which == 0 else (toy2d.grid_means(), toy2d.GRID_STD)
    labels = rng.integers(0, len(means), size=200)
    scale = rng.choice([0.5, 2.0, 4.0], size=(200, 1))  # some within 3 std, some outside
    samples = means[labels] + scale * std * rng.standard_normal((200, 2))
    return samples, means, std


def _grade_mask(expected, actual):
    actual = np.asarray(actual)
    if actual.shape != np.shape(expected):
        return 0.0, f"expected a boolean array of shape {np.shape(expected)}, got shape {actual.shape}"
    wrong = int(np.count_nonzero(actual.astype(bool) != expected))
    return (1.0, "correct") if wrong == 0 else (0.0, f"{wrong} of {len(expected)} samples classified wrongly")


register(Exercise(
    id="ex-02-3",
    notebook=NOTEBOOK,
    title="the high-quality test: within 3 std of the nearest mode",
    points=2,
    kind="function",
    answer_name="high_quality_mask",
    reference=_high_quality_mask,
    make_inputs=_samples_near_and_far,
    grade=_grade_mask,
    hints="distances [N, K] = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1); take the "
          "minimum over modes (axis=1) and compare it with 3 * std (Euclidean distance, not per coordinate).",
    cases=3,
))


# ---------------------------------------------------------------- ex-02-4: reverse KL of a mode histogram


def _reverse_kl_to_uniform(counts):
    counts = np.asarray(counts, np.float64)
    if counts.sum() == 0:
        return float(np.log(len(counts)))
    p = counts[counts > 0] / counts.sum()
    return float(np.sum(p * np.log(p * len(counts))))


def _counts(rng):
    k = int(rng.choice([8, 25]))
    counts = rng.integers(0, 50, size=k)
    counts[rng.random(k) < 0.3] = 0  # some modes missed: 0 log 0 = 0
    return (counts,)


register(Exercise(
    id="ex-02-4",
    notebook=NOTEBOOK,
    title="reverse KL of a mode histogram against uniform, with 0 log 0 = 0",
    points=1,
    kind="function",
    answer_name="reverse_kl_to_uniform",
    reference=_reverse_kl_to_uniform,
    make_inputs=_counts,
    hints="p = counts / counts.sum(); KL(p || uniform) = sum over modes with p > 0 of p * log(p * K); "
          "skip the empty modes instead of adding a small number.",
    cases=4,
))


# ---------------------------------------------------------------- ex-02-5: PacGAN packing


def _pack_samples(x, m):
    x = np.asarray(x)
    return x.reshape(len(x) // int(m), int(m) * x.shape[1])


def _x_and_m(rng):
    m = int(rng.integers(1, 5))
    return rng.standard_normal((12, 2)).astype(np.float32), m


register(Exercise(
    id="ex-02-5",
    notebook=NOTEBOOK,
    title="PacGAN packing: m consecutive samples in one discriminator input",
    points=1,
    kind="function",
    answer_name="pack_samples",
    reference=_pack_samples,
    make_inputs=_x_and_m,
    hints="row j of the result is concat(x[j*m], ..., x[j*m + m - 1]); a row-major reshape to "
          "(N // m, m * d) does exactly that.",
    cases=4,
))
