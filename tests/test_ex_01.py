"""Exercises of notebook 01: reference and solved cells pass, the circulating buggy versions fail."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading.exercise import HIDDEN_SEED, check, get_exercise, registered_exercises
from course_lib.grading.exercises.ex_01 import bce
from tests.exercise_helpers import solved_answer as _solved_answer

# Registration order and the solved cells passing: tests/test_exercise_solutions.py
IDS = [f"ex-01-{k}" for k in range(1, 9)]


def test_notebook_01_has_eight_exercises():
    assert [e.id for e in registered_exercises("01_gan_losses")] == IDS


def _naive_ns(fake_logits):
    return np.mean(-np.log(1 / (1 + np.exp(-np.asarray(fake_logits)))))


def _gp_sum_not_mean(a, real, fake, epsilon, weight):
    eps = epsilon.reshape(-1, 1, 1, 1)
    g = a * (eps * real + (1 - eps) * fake)
    return weight * np.sum((np.sqrt((g.reshape(len(g), -1) ** 2).sum(1)) - 1) ** 2)


def _gp_eps_on_fake(a, real, fake, epsilon, weight):
    eps = epsilon.reshape(-1, 1, 1, 1)
    g = a * ((1 - eps) * real + eps * fake)
    return weight * np.mean((np.sqrt((g.reshape(len(g), -1) ** 2).sum(1)) - 1) ** 2)


def _gp_norm_over_batch(a, real, fake, epsilon, weight):
    eps = epsilon.reshape(-1, 1, 1, 1)
    g = a * (eps * real + (1 - eps) * fake)
    return weight * (np.linalg.norm(g) - 1) ** 2


BUGGY = {
    "ex-01-1": [_naive_ns, lambda f: np.mean(np.logaddexp(0, f))],
    "ex-01-2": [["minimax", "least_squares"], ["non_saturating"], "hinge", 3],
    "ex-01-3": [_gp_sum_not_mean, _gp_eps_on_fake, _gp_norm_over_batch],
    "ex-01-4": [lambda d: np.mean(np.log(d))],
    "ex-01-5": [lambda r, f: bce(np.ones_like(r), r) + bce(np.zeros_like(f), f)],
    "ex-01-6": [lambda f: bce(f, np.zeros_like(f))],
    "ex-01-7": [lambda logits, images, weights, wd: np.mean(np.logaddexp(0, -logits)) + wd * np.sum(images ** 2)],
    "ex-01-8": [28 * 28 * 3, 2, "784"],
}


@pytest.mark.parametrize("exercise_id", IDS)
def test_buggy_answers_fail(exercise_id):
    exercise = get_exercise(exercise_id)
    for answer in BUGGY[exercise_id]:
        with np.errstate(all="ignore"):
            outputs = exercise.run_answer(answer, HIDDEN_SEED)
        score = exercise.score_outputs(outputs, HIDDEN_SEED)
        assert not score.passed, (exercise_id, answer)
        assert exercise.hints[0] in score.feedback


def test_check_falls_back_when_left_undone(capsys):
    def stub(fake_logits):
        raise NotImplementedError

    used = check("ex-01-1", stub)
    assert used is get_exercise("ex-01-1").reference
    assert "not attempted" in capsys.readouterr().out
    solved = _solved_answer("ex-01-1")
    assert check("ex-01-1", solved) is solved
