"""Exercises of notebook 03: solved cells pass, the common mistakes fail with a useful message."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading.exercise import (
    HIDDEN_SEED,
    check,
    get_exercise,
    registered_exercises,
)

# Registration order and the solved cells passing: tests/test_exercise_solutions.py
IDS = ["ex-03-1", "ex-03-2", "ex-03-3"]


def test_notebook_03_has_three_exercises():
    assert [e.id for e in registered_exercises("03_vae_elbo")] == IDS


MISTAKES = {
    "ex-03-1": lambda mu, logvar, eps: mu + np.exp(logvar) * eps,                     # variance, not std
    "ex-03-2": lambda mu, logvar: 0.5 * np.mean(np.exp(logvar) + mu ** 2 - 1 - logvar, axis=-1),  # mean over d
    "ex-03-3": lambda lw: np.log(np.mean(np.exp(lw), axis=1)),                        # underflows to -inf
}


@pytest.mark.parametrize("exercise_id", IDS)
def test_common_mistakes_fail(exercise_id, capsys):
    exercise = get_exercise(exercise_id)
    with np.errstate(all="ignore"):
        score = exercise.score_outputs(exercise.run_answer(MISTAKES[exercise_id], HIDDEN_SEED), HIDDEN_SEED)
        returned = check(exercise_id, MISTAKES[exercise_id])
    assert not score.passed and score.points == 0
    assert returned is exercise.reference  # the notebook continues with the library's version
    assert "not yet" in capsys.readouterr().out


def test_stub_falls_back_to_reference(capsys):
    def reparameterize(mu, logvar, eps):
        raise NotImplementedError

    assert check("ex-03-1", reparameterize) is get_exercise("ex-03-1").reference
    assert "not attempted" in capsys.readouterr().out
