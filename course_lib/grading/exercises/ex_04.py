"""Exercises of notebooks/04_product_image_project.ipynb."""

import numpy as np

from course_lib.grading.exercise import Exercise, register


def _ema_update(ema_weights, weights, decay):
    return decay * np.asarray(ema_weights, np.float64) + (1.0 - decay) * np.asarray(weights, np.float64)


register(Exercise(
    id="ex-04-1",
    notebook="04_product_image_project",
    title="one step of the generator's exponential moving average",
    points=1,
    kind="function",
    answer_name="ema_update",
    reference=_ema_update,
    make_inputs=lambda rng: (rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), float(rng.uniform(0.9, 0.9999))),
    hints="theta_ema <- decay * theta_ema + (1 - decay) * theta: the old average keeps most of the weight.",
    cases=3,
))


def _frechet_distance(mu_a, cov_a, mu_b, cov_b):
    from course_lib.metrics.frechet import frechet_distance_from_statistics

    return frechet_distance_from_statistics(mu_a, cov_a, mu_b, cov_b)


def _gaussian_statistics(rng):
    d = int(rng.integers(2, 6))
    stats = []
    for _ in range(2):
        a = rng.normal(size=(d, d))
        stats += [rng.normal(size=d), a @ a.T / d + 0.1 * np.eye(d)]
    return tuple(stats)


register(Exercise(
    id="ex-04-2",
    notebook="04_product_image_project",
    title="the Fréchet distance between two Gaussians",
    points=2,
    kind="function",
    answer_name="frechet_distance",
    reference=_frechet_distance,
    make_inputs=_gaussian_statistics,
    grade=lambda expected, actual: __import__("course_lib.grading.exercise", fromlist=["compare_arrays"])
    .compare_arrays(expected, actual, rtol=1e-4, atol=1e-6),
    hints="||mu_a - mu_b||^2 + tr(C_a) + tr(C_b) - 2 tr(sqrtm(C_a @ C_b)); keep only the real part of sqrtm.",
    cases=3,
))


def _class_consistency(logits, labels):
    return float(np.mean(np.argmax(np.asarray(logits), axis=1) == np.asarray(labels)))


register(Exercise(
    id="ex-04-3",
    notebook="04_product_image_project",
    title="class consistency: how often the classifier agrees with the requested class",
    points=1,
    kind="function",
    answer_name="class_consistency",
    reference=_class_consistency,
    make_inputs=lambda rng: (rng.normal(size=(50, 10)), rng.integers(0, 10, size=50)),
    hints="the classifier's answer is the argmax of the logits along the class axis; compare it with the labels.",
    cases=3,
))
