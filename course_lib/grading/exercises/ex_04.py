"""Exercises of notebooks/04_product_image_project.ipynb (numpy answers, graded on hidden inputs).

ex-04-2 the Fréchet distance between two Gaussians; ex-04-4 derive how many EMA steps forget 99 % of a change;
ex-04-5 read the course's evaluation table; ex-04-6 build conditional BatchNorm, the generator's class input.
Retired: ex-04-1 (replaced by ex-04-4) and ex-04-3 (replaced by ex-04-5): both were transcriptions.
"""

import numpy as np

from course_lib.grading.exercise import Exercise, Misconception, compare_arrays, register, retire
from course_lib.grading.exercises.ex_03 import grade_number

NOTEBOOK = "04_product_image_project"

retire("ex-04-1", "replaced by ex-04-4: the EMA update was printed in the stub's docstring (transcription); "
                  "ex-04-4 asks how many steps of that update forget 99 % of a change, worked out by hand")
retire("ex-04-3", "replaced by ex-04-5: class consistency as an argmax was transcription; ex-04-5 asks the "
                  "student to read the course's evaluation table")


# ---------------------------------------------------------------- ex-04-2: the Fréchet distance

def _frechet_distance(mu_a, cov_a, mu_b, cov_b):
    from course_lib.metrics.frechet import frechet_distance_from_statistics

    return frechet_distance_from_statistics(mu_a, cov_a, mu_b, cov_b)


def _gaussian_statistics(rng):
    d = int(rng.integers(3, 7))  # d >= 3: random covariances then rarely commute (product-of-roots must fail)
    stats = []
    for _ in range(2):
        a = rng.normal(size=(d, d))
        stats += [rng.normal(size=d), a @ a.T / d + 0.1 * np.eye(d)]
    return tuple(stats)


def _sqrtm(matrix):
    import scipy.linalg

    return np.real(scipy.linalg.sqrtm(matrix))


register(Exercise(
    id="ex-04-2",
    notebook=NOTEBOOK,
    title="the Fréchet distance between two Gaussians",
    points=2,
    kind="function",
    answer_name="frechet_distance",
    reference=_frechet_distance,
    make_inputs=_gaussian_statistics,
    grade=lambda expected, actual: compare_arrays(expected, actual, rtol=1e-4, atol=1e-6),
    cases=3,
    task="implement",
    hints=("two parts: how far apart the means are, and how different the covariances are; check your answer is 0 "
           "when both Gaussians are the same.",
           "the covariance part uses the square root of a matrix product, not of each matrix alone, and no "
           "element-wise square root."),
    misconceptions=(
        Misconception("product-of-roots", lambda ma, ca, mb, cb: float(
            np.sum((ma - mb) ** 2) + np.trace(ca + cb - 2 * _sqrtm(ca) @ _sqrtm(cb))),
            "you took the square roots of the two covariances separately and multiplied them; that equals the "
            "root of the product only when the covariances commute."),
        Misconception("elementwise-root", lambda ma, ca, mb, cb: float(
            np.sum((ma - mb) ** 2) + np.trace(ca + cb - 2 * np.sqrt(np.abs(ca @ cb)))),
            "an element-wise square root of the matrix product is not a matrix square root (a matrix R with "
            "R @ R equal to the product)."),
        Misconception("mean-distance-not-squared", lambda ma, ca, mb, cb: float(
            np.linalg.norm(ma - mb) + np.trace(ca + cb - 2 * _sqrtm(ca @ cb))),
            "the mean term is the squared distance between the means; yours is not squared."),
    ),
))


# ---------------------------------------------------------------- ex-04-4: EMA steps, derived

EMA_DECAY, EMA_LEFT = 0.999, 0.01


def _ema_steps():
    return float(np.log(EMA_LEFT) / np.log(EMA_DECAY))  # decay^k = 0.01  ->  k = ln 0.01 / ln 0.999 = 4603


register(Exercise(
    id="ex-04-4",
    notebook=NOTEBOOK,
    title="derive how many EMA steps (decay 0.999) leave 1 % of a sudden change in the weights unabsorbed",
    points=1,
    kind="value",
    answer_name="ema_steps_to_one_percent",
    reference=_ema_steps,
    grade=grade_number(rtol=0.01),
    task="derive",
    hints=("the generator's weights jump once and then stay put; write the gap between the average and the new "
           "weights after one EMA step, then after two.",
           "the gap is multiplied by the same factor at every step; set that power equal to 0.01 and take logs."),
    misconceptions=(
        Misconception("one-over-one-minus-decay", 1000.0,
                      "1 / (1 - decay) = 1000 steps is the average's memory scale: after it about 37 % of the gap "
                      "is still there, not 1 %."),
        Misconception("linear-forgetting", 10.0,
                      "the gap does not shrink by a fixed amount (1 - decay) per step: it shrinks by a fixed "
                      "fraction, so the count involves a logarithm."),
        Misconception("half-life", 692.8,
                      "that is the half-life, where 50 % of the gap remains; the question asks for 1 %."),
    ),
))


# ---------------------------------------------------------------- ex-04-5: read the evaluation table

TABLE_ANSWERS = {"lowest_recall": "vae", "fid_ratio": 54.9 / 8.55, "kid_can_be_negative": True}
_ROWS = ("floor", "baseline", "course", "vae")


def _grade_table(expected, actual):
    if not isinstance(actual, dict):
        return 0.0, "expected a dict with the keys lowest_recall, fid_ratio, kid_can_be_negative"
    right, notes = 0, []
    row = str(actual.get("lowest_recall", "")).strip().lower()
    if row == str(expected["lowest_recall"]):
        right += 1
    elif row not in _ROWS:
        notes.append(f"lowest_recall must be one of {list(_ROWS)}")
    else:
        notes.append("lowest_recall: read the recall column again")
    try:
        ratio = float(actual.get("fid_ratio"))
        if abs(ratio - float(expected["fid_ratio"])) <= 0.1:
            right += 1
        else:
            notes.append("fid_ratio: the baseline's FID divided by the course GAN's, seed 0")
    except (TypeError, ValueError):
        notes.append("fid_ratio must be a number")
    if actual.get("kid_can_be_negative") is expected["kid_can_be_negative"]:
        right += 1
    else:
        notes.append("kid_can_be_negative must be True or False: look at the floor's KID")
    return right / 3, "correct" if right == 3 else "; ".join(notes)


register(Exercise(
    id="ex-04-5",
    notebook=NOTEBOOK,
    title="read the course's evaluation table",
    points=1.5,
    kind="value",
    answer_name="table_reading",
    reference=lambda: dict(TABLE_ANSWERS),
    grade=_grade_table,
    task="read",
    hints=("recall is the share of real images that fall inside the generated images' manifold: the column to "
           "read is named recall, whatever the pictures look like.",
           "a ratio divides. For KID, separate the quantity (a squared distance) from its estimate made from "
           "finite samples, then look at the floor row."),
    misconceptions=(
        Misconception("blurry-means-diverse", {"lowest_recall": "baseline", "fid_ratio": 54.9 / 8.55,
                                               "kid_can_be_negative": True},
                      "blurry samples are not diverse ones: the VAE's recall is the lowest in the table. Blur "
                      "averages the variants away."),
        Misconception("fid-difference", {"lowest_recall": "vae", "fid_ratio": 54.9 - 8.55,
                                         "kid_can_be_negative": True},
                      "you subtracted the FIDs; the question asks how many times larger the baseline's FID is."),
        Misconception("squared-distance-never-negative", {"lowest_recall": "vae", "fid_ratio": 54.9 / 8.55,
                                                          "kid_can_be_negative": False},
                      "the squared MMD is never negative, but KID is an unbiased estimate of it from finite "
                      "samples, and the floor row shows one below 0."),
    ),
))


# ---------------------------------------------------------------- ex-04-6: conditional BatchNorm, built

def _conditional_batch_norm(h, y, gain, bias, eps=1e-5):
    h = np.asarray(h, np.float64)
    mean = h.mean(axis=(0, 2, 3), keepdims=True)
    var = h.var(axis=(0, 2, 3), keepdims=True)
    normed = (h - mean) / np.sqrt(var + eps)
    y = np.asarray(y)
    return normed * (1.0 + np.asarray(gain)[y][:, :, None, None]) + np.asarray(bias)[y][:, :, None, None]


def _cbn_inputs(rng):
    n, c, side, classes = int(rng.integers(4, 9)), int(rng.integers(2, 6)), int(rng.integers(2, 5)), 10
    h = rng.normal(loc=rng.normal(size=(1, c, 1, 1)) * 3, scale=rng.uniform(0.5, 3, size=(1, c, 1, 1)),
                   size=(n, c, side, side))
    return h, rng.integers(0, classes, size=n), rng.normal(scale=0.5, size=(classes, c)), \
        rng.normal(scale=0.5, size=(classes, c))


def _cbn_variant(axes=(0, 2, 3), ddof=0, one_plus=True, normalise=True):
    def cbn(h, y, gain, bias, eps=1e-5):
        h = np.asarray(h, np.float64)
        if normalise:
            mean = h.mean(axis=axes, keepdims=True)
            var = h.var(axis=axes, keepdims=True, ddof=ddof)
            h = (h - mean) / np.sqrt(var + eps)
        scale = (1.0 if one_plus else 0.0) + np.asarray(gain)[y][:, :, None, None]
        return h * scale + np.asarray(bias)[y][:, :, None, None]
    return cbn


register(Exercise(
    id="ex-04-6",
    notebook=NOTEBOOK,
    title="build conditional BatchNorm: normalise, then a per-class gain and bias",
    points=3,
    kind="function",
    answer_name="conditional_batch_norm",
    reference=_conditional_batch_norm,
    make_inputs=_cbn_inputs,
    cases=3,
    task="build",
    hints=("BatchNorm's statistics are per channel, shared by the whole batch; only the gain and bias after it "
           "depend on each image's class.",
           "a (N, C, H, W) tensor: which three axes does one channel's mean run over? And the learned gain starts "
           "at 0, so what multiplies the normalised features when gain[y] = 0?"),
    misconceptions=(
        Misconception("per-image-statistics", _cbn_variant(axes=(2, 3)),
                      "you normalised each image on its own (instance norm); BatchNorm's mean and variance run "
                      "over the batch too, per channel."),
        Misconception("gain-without-one", _cbn_variant(one_plus=False),
                      "the gain is stored as an offset from 1 and starts at 0: multiplying by gain[y] alone "
                      "zeroes every feature at the start of training."),
        Misconception("unbiased-variance", _cbn_variant(ddof=1),
                      "BatchNorm normalises with the biased (1/n) variance of the batch, not the unbiased one."),
        Misconception("no-normalisation", _cbn_variant(normalise=False),
                      "the class gain and bias come after a normalisation of the features; yours are applied to "
                      "the raw features."),
    ),
))
