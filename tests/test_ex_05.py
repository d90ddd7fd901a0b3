"""The exercises of notebook 05: stubs fall back to the reference, misconceptions get their own feedback, hints
come in tiers, and the winners the prediction exercise expects are the measured ones."""

import json

import numpy as np
import pytest

from course_lib.grading.exercise import HIDDEN_SEED, PUBLIC_SEED, check, get_exercise
from tests.conftest import REPO_ROOT
from tests.exercise_helpers import score, solved_answer

IDS = ["ex-05-1", "ex-05-2", "ex-05-3", "ex-05-4"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_each_exercise_has_tiered_hints_and_at_least_two_misconceptions(exercise_id):
    exercise = get_exercise(exercise_id)
    assert len(exercise.hints) >= 2 and len(exercise.misconceptions) >= 2
    solution = solved_answer(exercise_id)
    for misconception in exercise.misconceptions:
        result = score(exercise_id, misconception.answer, HIDDEN_SEED)
        assert result.points < result.max_points and result.misconception == misconception.name
        assert misconception.feedback in result.feedback
    assert score(exercise_id, solution, HIDDEN_SEED).passed


def test_tasks_include_reasoning_and_a_build_exercise():
    tasks = {get_exercise(i).task for i in IDS}
    assert "build" in tasks and {"predict", "derive"} <= tasks


def test_a_stub_falls_back_and_hints_come_in_tiers(capsys):
    def stub(*args):
        raise NotImplementedError

    exercise = get_exercise("ex-05-2")
    assert check("ex-05-2", stub) is exercise.reference
    wrong = exercise.misconceptions[0].answer
    assert check("ex-05-2", wrong, hint=2) is exercise.reference
    out = capsys.readouterr().out
    assert exercise.misconceptions[0].feedback in out and exercise.hints[1] in out


def test_the_psnr_build_exercise_agrees_with_the_library_on_hidden_inputs():
    from course_lib.metrics import psnr

    exercise = get_exercise("ex-05-2")
    for seed in (PUBLIC_SEED, HIDDEN_SEED, 7):
        for a, b, data_range in exercise.input_cases(seed):
            np.testing.assert_allclose(exercise.reference(a, b, data_range), psnr(a, b, data_range=data_range))


def test_partial_credit_for_the_prediction():
    exercise = get_exercise("ex-05-4")
    result = score("ex-05-4", {"psnr": "l1", "ssim": "adversarial", "fid_course": "adversarial"})
    assert 0 < result.points < exercise.points


def test_the_predicted_winners_are_the_measured_ones():
    from course_lib.grading.exercises.ex_05 import WINNERS

    table = json.loads((REPO_ROOT / "benchmarks" / "results" / "restoration_table.json").read_text())["table"]
    assert max(table, key=lambda m: table[m]["psnr"]) == WINNERS["psnr"]
    assert max(table, key=lambda m: table[m]["ssim"]) == WINNERS["ssim"]
    assert min(table, key=lambda m: table[m]["fid_course"]) == WINNERS["fid_course"]
