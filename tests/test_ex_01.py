"""Exercises of notebook 01: the ids, the loopholes closed, and each misconception cell recognised."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading.exercise import (
    HIDDEN_SEED,
    PUBLIC_SEED,
    check,
    get_exercise,
    registered_exercises,
)
from tests.exercise_helpers import score
from tests.exercise_helpers import solved_answer as _solved_answer
from tests.fixtures.misconceptions.ex_01 import MISCONCEPTION_CELLS

# Registration order and the solved cells passing: tests/test_exercise_solutions.py
IDS = ["ex-01-2", "ex-01-3", "ex-01-4", "ex-01-5", "ex-01-6", "ex-01-7", "ex-01-9", "ex-01-10", "ex-01-11",
       "ex-01-12", "ex-01-13"]


def test_notebook_01_exercises_and_retired_ids():
    from course_lib.grading.exercise import retired_exercises

    assert sorted(e.id for e in registered_exercises("01_gan_losses")) == sorted(IDS)
    assert set(retired_exercises("01")) == {"ex-01-1", "ex-01-8"}
    with pytest.raises(KeyError, match="retired"):
        get_exercise("ex-01-1")


def cell_answer(source, exercise_id):
    namespace = {}
    exec(source, namespace)  # noqa: S102  (our own fixture)
    return namespace[get_exercise(exercise_id).answer_name]


@pytest.mark.parametrize("exercise_id", IDS)
def test_each_misconception_cell_is_recognised(exercise_id):
    with np.errstate(all="ignore"):
        result = score(exercise_id, cell_answer(MISCONCEPTION_CELLS[exercise_id], exercise_id), HIDDEN_SEED)
    assert not result.passed and result.misconception is not None, result.feedback


def test_naive_formula_fails_even_in_float64():
    def naive_float64(fake_logits):
        return np.mean(-np.log(1 / (1 + np.exp(-np.asarray(fake_logits, dtype=np.float64)))))

    with np.errstate(all="ignore"):
        result = score("ex-01-9", naive_float64)
    assert not result.passed and result.misconception == "naive-formula"


def test_minimax_answer_to_ex_01_4_is_told_its_sign_is_right():
    result = score("ex-01-4", lambda d: np.mean(np.log(1 - d)))
    assert result.misconception == "minimax-loss" and "sign is right" in result.feedback


def test_ex_01_5_accepts_the_mean_over_the_concatenated_batch():
    from course_lib.grading.exercises.ex_01 import bce

    def concatenated(d_real, d_fake):
        d = np.concatenate([d_real, d_fake])
        return bce(d, np.concatenate([np.ones_like(d_real), np.zeros_like(d_fake)]))

    assert score("ex-01-5", concatenated).passed


def test_hints_are_tiers_and_never_the_code():
    for exercise in registered_exercises("01_gan_losses"):
        assert len(exercise.hints) >= 2 and len(exercise.misconceptions) >= 2
        assert all("np.logaddexp(" not in h and "return " not in h for h in exercise.hints)


def test_check_falls_back_when_left_undone(capsys):
    def stub(fake_logits):
        raise NotImplementedError

    used = check("ex-01-9", stub)
    assert used is get_exercise("ex-01-9").reference
    assert "not attempted" in capsys.readouterr().out
    solved = _solved_answer("ex-01-9")
    assert check("ex-01-9", solved) is solved


def test_discriminator_step_of_the_solution_separates_the_data():
    """Behaviour, not only values: iterating the solved step trains a discriminator that tells the two apart."""
    step = _solved_answer("ex-01-10")
    rng = np.random.default_rng(PUBLIC_SEED)
    real, fake = rng.normal(1.0, 1.0, size=(256, 2)), rng.normal(-1.0, 1.0, size=(256, 2))
    w, b = np.zeros(2), 0.0
    for _ in range(200):
        w, b = step(w, b, real, fake, 0.5)
    accuracy = (np.mean(real @ w + b > 0) + np.mean(fake @ w + b < 0)) / 2
    assert accuracy > 0.85
