"""Exercises of notebooks/02_gan_instability.ipynb (numpy answers, graded on hidden inputs).

ex-02-3 the high-quality test of mode coverage; ex-02-4 the reverse KL of a mode histogram; ex-02-6 derive the
interval of R1 weights for which simultaneous steps on the Dirac-GAN converge; ex-02-7 build the minibatch
standard-deviation feature; ex-02-8 read the PacGAN table. Retired: ex-02-1 and ex-02-2 (replaced by ex-02-6),
ex-02-5 (replaced by ex-02-7).
"""

import numpy as np

from course_lib.data import toy2d
from course_lib.grading.exercise import Exercise, Misconception, register, retire
from course_lib.grading.exercises.ex_01 import grade_numbers

NOTEBOOK = "02_gan_instability"

retire("ex-02-1", "replaced by ex-02-6: the Jacobian and the recipe were printed in the stub; ex-02-6 asks for "
                  "the stable interval of gamma, derived from the update matrix")
retire("ex-02-2", "replaced by ex-02-6: any gamma in (0.125, 4.06) passed, so a guess passed; ex-02-6 asks for "
                  "both endpoints of that interval for a hidden step size h")
retire("ex-02-5", "replaced by ex-02-7: packing was a reshape printed in the hint; ex-02-7 builds the minibatch "
                  "std feature, another remedy, graded by what it returns on hidden batches")


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
    wrong = int(np.count_nonzero(actual.astype(bool) != np.asarray(expected, dtype=bool)))
    return (1.0, "correct") if wrong == 0 else (0.0, f"{wrong} of {len(expected)} samples classified wrongly")


def _distances(samples, means):
    return np.linalg.norm(np.asarray(samples)[:, None, :] - np.asarray(means)[None, :, :], axis=-1)


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
    task="implement",
    cases=3,
    hints=(
        "you need, for every sample, its distance to every mode: broadcasting gives an [N, K] array.",
        ("reduce over the modes with a minimum, then compare with the threshold; the distance is the Euclidean "
         "norm over the two coordinates."),
    ),
    misconceptions=(
        Misconception("per-coordinate", lambda s, mu, std: np.all(
            np.abs(np.asarray(s)[:, None, :] - np.asarray(mu)[None]).min(axis=1) <= 3 * std, axis=1),
            "you tested each coordinate on its own (a square, and each coordinate's nearest mode may differ); "
            "the test is on the Euclidean distance to one mode."),
        Misconception("squared-distance", lambda s, mu, std: (_distances(s, mu) ** 2).min(axis=1) <= 3 * std,
                      "you compared a squared distance with a length: 3 std is a distance."),
        Misconception("one-std", lambda s, mu, std: _distances(s, mu).min(axis=1) <= std,
                      "the threshold is 3 standard deviations, not one."),
    ),
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
    counts = rng.integers(1, 50, size=k)
    counts[rng.random(k) < 0.3] = 0  # some modes missed: 0 log 0 = 0
    counts[int(rng.integers(0, k))] = 0  # at least one
    return (counts,)


def _forward_kl(counts):
    counts = np.asarray(counts, np.float64)
    p, uniform = counts / counts.sum(), 1.0 / len(counts)
    with np.errstate(all="ignore"):
        return float(np.sum(uniform * np.log(uniform / p)))


def _kl_in_bits(counts):
    return _reverse_kl_to_uniform(counts) / np.log(2.0)


def _kl_over_captured_modes(counts):
    counts = np.asarray(counts, np.float64)
    p = counts[counts > 0] / counts.sum()
    return float(np.sum(p * np.log(p * len(p))))


register(Exercise(
    id="ex-02-4",
    notebook=NOTEBOOK,
    title="reverse KL of a mode histogram against uniform, with 0 log 0 = 0",
    points=1,
    kind="function",
    answer_name="reverse_kl_to_uniform",
    reference=_reverse_kl_to_uniform,
    make_inputs=_counts,
    grade=grade_numbers,
    task="implement",
    cases=4,
    hints=(
        "turn the counts into a distribution p first; the uniform distribution puts 1/K on each mode.",
        ("KL(p || u) weights each log-ratio by p, so an empty mode contributes 0 (0 log 0 = 0): leave it out "
         "of the sum rather than adding a small number."),
    ),
    misconceptions=(
        Misconception("forward-kl", _forward_kl,
                      "this is the forward KL(uniform || p): it weights by the uniform distribution, so an empty "
                      "mode contributes log(1/0) and the result is infinite. The course's metric is KL(p || "
                      "uniform), weighted by p."),
        Misconception("bits", _kl_in_bits,
                      "you used log base 2 (bits); the course's KL is in nats (natural log)."),
        Misconception("k-counts-captured-modes", _kl_over_captured_modes,
                      "you compared p with a uniform over the captured modes only; the target spreads over all "
                      "K modes, the missed ones too."),
    ),
))


# ---------------------------------------------------------------- ex-02-6: the stable interval of gamma


def _stable_gamma_interval(h):
    """Simultaneous steps x <- (I + h J) x, J = [[0, 1/2], [-1/2, -gamma]]: both eigenvalues inside the unit
    circle iff det < 1 (gamma > h/4) and 1 + trace + det > 0 (gamma < 2/h + h/8)."""
    h = float(h)
    return np.array([h / 4.0, 2.0 / h + h / 8.0])


register(Exercise(
    id="ex-02-6",
    notebook=NOTEBOOK,
    title="derive the interval of R1 weights for which simultaneous steps converge",
    points=2,
    kind="function",
    answer_name="stable_gamma_interval",
    reference=_stable_gamma_interval,
    make_inputs=lambda rng: (float(rng.uniform(0.05, 1.5)),),
    grade=grade_numbers,
    task="derive",
    cases=4,
    hints=(
        ("write the update matrix I + hJ with the R1 term; a 2x2 real matrix has both eigenvalues inside the "
         "unit circle exactly when its determinant and its trace satisfy two inequalities (Jury's test)."),
        ("the conditions are det < 1 and |trace| < 1 + det. One of them bounds gamma from below, the other from "
         "above: an eigenvalue can leave the circle through a complex pair (|lambda| = 1) or through -1."),
    ),
    misconceptions=(
        Misconception("no-upper-end", lambda h: np.array([h / 4.0, np.inf]),
                      "a stronger pull is not always better: with too large a gamma a real eigenvalue passes -1 "
                      "and the iterates overshoot. The interval has an upper end."),
        Misconception("determinant-only", lambda h: np.array([h / 4.0, 2.0 / h + h / 4.0]),
                      "your upper end comes from det > -1; the binding condition is the real eigenvalue crossing "
                      "-1, where 1 + trace + det = 0."),
        Misconception("continuous-time", lambda h: np.array([0.0, np.inf]),
                      "in continuous time (gradient flow) every gamma > 0 converges; a step of size h adds the "
                      "terms in h that set both ends."),
    ),
))


# ---------------------------------------------------------------- ex-02-7: build the minibatch-std feature


def _minibatch_std(features, eps=1e-8):
    features = np.asarray(features, dtype=np.float64)
    spread = np.mean(np.sqrt(features.var(axis=0) + eps))  # population variance over the batch, per feature
    return np.concatenate([features, np.full((len(features), 1), spread)], axis=1)


def _batches(rng):
    n, d = int(rng.integers(4, 9)), int(rng.integers(2, 6))
    features = rng.normal(size=(n, d)) * rng.uniform(0.1, 3.0, size=d)
    if rng.random() < 0.3:  # a collapsed batch: every sample the same
        features = np.repeat(features[:1], n, axis=0)
    return (features,)


def _std_per_sample(features):
    features = np.asarray(features, dtype=np.float64)
    return np.concatenate([features, np.sqrt(features.var(axis=1, keepdims=True) + 1e-8)], axis=1)


def _sample_variance(features):
    features = np.asarray(features, dtype=np.float64)
    spread = np.mean(np.sqrt(features.var(axis=0, ddof=1) + 1e-8))
    return np.concatenate([features, np.full((len(features), 1), spread)], axis=1)


def _variance_not_std(features):
    features = np.asarray(features, dtype=np.float64)
    return np.concatenate([features, np.full((len(features), 1), np.mean(features.var(axis=0) + 1e-8))], axis=1)


register(Exercise(
    id="ex-02-7",
    notebook=NOTEBOOK,
    title="build the minibatch standard-deviation feature (a remedy for collapse)",
    points=2,
    kind="function",
    answer_name="minibatch_std",
    reference=_minibatch_std,
    make_inputs=_batches,
    grade=grade_numbers,
    task="build",
    cases=5,
    hints=(
        ("the new feature must be the same for every sample and must be near 0 when every sample in the batch "
         "is the same: what statistic of the batch does that?"),
        ("spread across the batch axis, one number per feature (population variance, plus eps, then the square "
         "root), then one average over the features; append it as one more column."),
    ),
    misconceptions=(
        Misconception("spread-within-each-sample", _std_per_sample,
                      "you measured how a sample's features vary among themselves; collapse is about samples "
                      "being alike, so the spread is taken across the batch."),
        Misconception("sample-variance", _sample_variance,
                      "you divided by N - 1; the layer uses the batch's population variance (divide by N), as "
                      "the stub says."),
        Misconception("variance-not-std", _variance_not_std,
                      "you averaged variances; the feature is the average standard deviation (square root before "
                      "the mean)."),
    ),
))


# ---------------------------------------------------------------- ex-02-8: read the PacGAN table

# A copy of benchmarks/results/pacgan_table_torch.csv (3 seeds, full budgets), so that the exercise works where the
# repository's benchmarks are absent (a pip install); tests/test_ex_02.py checks that it equals the CSV.
MEASURED_TABLE = {  # (dataset, method): (modes_mean, high_quality_mean %, reverse_kl_mean)
    ("ring", "vanilla"): (7.6667, 94.36, 0.2522),
    ("ring", "PacGAN2"): (8.0, 91.8667, 0.0075),
    ("ring", "R1"): (8.0, 73.3733, 0.1127),
    ("grid", "vanilla"): (13.6667, 92.28, 0.9505),
    ("grid", "PacGAN2"): (25.0, 82.8533, 0.1455),
    ("grid", "R1"): (25.0, 93.3467, 0.0059),
}
_MODES = {"ring": 8, "grid": 25}


def _table_answers(table=None):
    table = table or MEASURED_TABLE

    def best(dataset, column, pick):
        rows = {method: values[column] for (d, method), values in table.items() if d == dataset}
        return pick(rows, key=rows.get)

    return {
        "grid_fewest_modes": best("grid", 0, min),
        "ring_lowest_reverse_kl": best("ring", 2, min),
        "grid_most_high_quality": best("grid", 1, max),
        "grid_vanilla_modes_missed": round(_MODES["grid"] - table[("grid", "vanilla")][0], 2),
    }


def _grade_table_answers(expected, actual):
    if not isinstance(actual, dict):
        return 0.0, "expected a dict with the keys " + ", ".join(expected)
    right = []
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, str):
            right.append(isinstance(got, str) and got.strip().lower() == want.lower())
        else:
            right.append(isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - want) <= 0.1)
    wrong = [key for key, ok in zip(expected, right) if not ok]
    return float(np.mean(right)), ("correct" if not wrong else "not right yet: " + ", ".join(wrong))


register(Exercise(
    id="ex-02-8",
    notebook=NOTEBOOK,
    title="read the measured PacGAN table",
    points=2,
    kind="value",
    answer_name="TABLE_ANSWERS",
    reference=_table_answers,
    grade=_grade_table_answers,
    task="read",
    hints=(
        ("every answer is in the 'ours' columns of the measured table; for each question find the column first, "
         "then whether lower or higher is better."),
        "reverse KL: 0 is a perfect histogram; modes missed is the number of modes minus the modes captured.",
    ),
    misconceptions=(
        Misconception("larger-kl-is-better", {**_table_answers(), "ring_lowest_reverse_kl": "vanilla"},
                      "you picked the largest reverse KL: the reverse KL is 0 for a perfect histogram, so lower "
                      "is better."),
        Misconception("published-column", {**_table_answers(), "grid_vanilla_modes_missed": round(25 - 17.3, 2)},
                      "you read the paper's column; the questions are about the course's own measured runs."),
        Misconception("ring-row", {**_table_answers(), "grid_most_high_quality": "vanilla"},
                      "check the dataset: that is the answer for the ring, the question is about the grid."),
    ),
))
