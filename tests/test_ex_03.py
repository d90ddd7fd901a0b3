"""Exercises of notebook 03: ids and tasks, loopholes closed, stubs fall back to the reference.

Solved cells passing: tests/test_exercise_solutions.py; every declared misconception recognised:
tests/test_exercise_misconceptions.py."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading.exercise import HIDDEN_SEED, check, get_exercise, registered_exercises, retired_exercises
from tests.exercise_helpers import score

IDS = ["ex-03-1", "ex-03-3", "ex-03-4", "ex-03-5", "ex-03-6", "ex-03-7"]


def test_ids_tasks_and_the_retired_transcription():
    exercises = registered_exercises("03_vae_elbo")
    assert [e.id for e in exercises] == IDS
    assert {e.id: e.task for e in exercises} == {"ex-03-1": "implement", "ex-03-3": "implement", "ex-03-4": "derive",
                                                 "ex-03-5": "build", "ex-03-6": "predict", "ex-03-7": "debug"}
    assert "ex-03-4" in retired_exercises("03")["ex-03-2"]
    for exercise in exercises:
        assert len(exercise.misconceptions) >= 2 and len(exercise.hints) >= 2


def test_the_naive_iwae_gets_one_consistent_message(capsys):
    naive = lambda lw: np.log(np.mean(np.exp(lw), axis=1))
    with np.errstate(all="ignore"):
        result = score("ex-03-3", naive)
    assert result.points == 0 and result.misconception == "naive-underflow"
    assert "correct" not in result.feedback


def test_a_wider_float_does_not_pass_the_iwae_exercise():
    longdouble = lambda lw: np.log(np.mean(np.exp(np.asarray(lw, dtype=np.longdouble)), axis=1)).astype(float)
    with np.errstate(all="ignore"):
        assert not score("ex-03-3", longdouble).passed


def test_the_sampler_is_graded_by_behaviour_not_by_the_random_stream():
    def own_stream(mu, logvar, n, seed):  # a different generator and draw order: still right
        eps = np.random.RandomState(seed % 2**31).randn(mu.size, n).T
        sigma = np.exp(0.5 * logvar)
        z = mu + sigma * eps
        return z, np.ones_like(z), 0.5 * (z - mu)

    assert score("ex-03-5", own_stream).passed

    def wrong_mean(mu, logvar, n, seed):
        z, d_mu, d_logvar = own_stream(mu, logvar, n, seed)
        return z + 0.1, d_mu, d_logvar

    result = score("ex-03-5", wrong_mean)
    assert not result.passed and "mean" in result.feedback


@pytest.mark.parametrize("exercise_id, wrong", [
    ("ex-03-4", 3.5),                       # a guess near the answer
    ("ex-03-6", 0.25),                      # not one of the three choices
    ("ex-03-7", lambda x, lg, mu, lv: 0.0),
])
def test_plausible_wrong_answers_fail(exercise_id, wrong):
    assert not score(exercise_id, wrong).passed


def test_stub_falls_back_to_reference(capsys):
    def reparameterize(mu, logvar, eps):
        raise NotImplementedError

    assert check("ex-03-1", reparameterize) is get_exercise("ex-03-1").reference
    assert "not attempted" in capsys.readouterr().out
    assert check("ex-03-4", 3.5) == pytest.approx(get_exercise("ex-03-4").reference())
    assert "not yet" in capsys.readouterr().out
    assert HIDDEN_SEED
