"""The exercises of notebook 06: each declared misconception scores below full marks with its own feedback,
stubs fall back to the reference, hints come in tiers and none of them is the solution."""

import numpy as np
import pytest

from course_lib.grading.exercise import (
    HIDDEN_SEED,
    PUBLIC_SEED,
    check,
    get_exercise,
    registered_exercises,
)

EXERCISES = registered_exercises("06_controllable_generation")


def test_four_exercises_with_tasks_hints_and_misconceptions():
    assert [e.id for e in EXERCISES] == ["ex-06-1", "ex-06-2", "ex-06-3", "ex-06-4"]
    assert [e.task for e in EXERCISES] == ["build", "debug", "implement", "predict"]
    for exercise in EXERCISES:
        assert len(exercise.misconceptions) >= 2 and len(exercise.hints) == 2, exercise.id


@pytest.mark.parametrize("seed", [PUBLIC_SEED, HIDDEN_SEED])
@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_each_misconception_gets_its_own_feedback(exercise, seed):
    for misconception in exercise.misconceptions:
        with np.errstate(all="ignore"):
            score = exercise.score_outputs(exercise.run_answer(misconception.answer, seed), seed)
        assert score.points < score.max_points, misconception.name
        assert score.misconception == misconception.name
        assert misconception.feedback in score.feedback
        assert exercise.hints[0] in score.feedback and exercise.hints[1] not in score.feedback


def test_the_aux_loss_exercise_demands_stability_and_the_sefa_one_ignores_signs():
    aux = get_exercise("ex-06-1")
    for logits, _ in aux.input_cases(HIDDEN_SEED):  # overflowing and ordinary logits in every case
        assert np.abs(logits[0]).max() > 100 and np.abs(logits[1:]).max() < 200
    sefa = get_exercise("ex-06-3")
    flipped = lambda weight, k: -sefa.reference(weight, k)
    assert sefa.score_outputs(sefa.run_answer(flipped, HIDDEN_SEED), HIDDEN_SEED).passed


def test_stubs_fall_back_to_the_reference(capsys):
    def stub(*args):
        raise NotImplementedError

    for exercise_id in ("ex-06-1", "ex-06-2", "ex-06-3"):
        assert check(exercise_id, stub) is get_exercise(exercise_id).reference
    assert check("ex-06-4", None) in ("projection", "acgan")
    assert "not yet" in capsys.readouterr().out
