"""Exercises of notebook 02: reference and solved cells pass, typical wrong answers fail."""

from __future__ import annotations

import numpy as np

from course_lib.grading.exercise import registered_exercises
from tests.exercise_helpers import score as _score

# Registration order and the solved cells passing: tests/test_exercise_solutions.py
IDS = [f"ex-02-{k}" for k in range(1, 6)]


def test_notebook_02_has_five_exercises():
    assert [e.id for e in registered_exercises("02_gan_instability")] == IDS


def test_wrong_answers_fail():
    # Jacobian of the continuous field instead of the update map
    assert not _score("ex-02-1", lambda h, g: float(np.max(np.abs(np.linalg.eigvals(
        np.array([[0, 0.5], [-0.5, -g]])))))).passed
    # too small a gamma at h = 0.5 (needs gamma > 0.125)
    score = _score("ex-02-2", 0.1)
    assert not score.passed and "do not converge" in score.feedback
    assert not _score("ex-02-2", "big").passed
    # per-coordinate test instead of Euclidean distance
    assert not _score("ex-02-3", lambda s, mu, std: np.all(
        np.abs(s[:, None, :] - mu[None]).min(axis=1) <= 3 * std, axis=1)).passed
    # column-major packing interleaves samples
    assert not _score("ex-02-5", lambda x, m: x.reshape(len(x) // m, m * x.shape[1], order="F")).passed
    # smoothing with epsilon instead of 0 log 0 = 0 changes the value a little... and 'uniform' direction swapped
    assert not _score("ex-02-4", lambda c: float(np.sum(np.ones(len(c)) / len(c) * np.log(
        (1 / len(c)) / ((np.asarray(c) + 1e-12) / np.sum(c)))))).passed
