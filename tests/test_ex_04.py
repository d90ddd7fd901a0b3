"""The exercises of notebook 04: ids and tasks, loopholes closed, stubs fall back to the reference.

Solved cells passing: tests/test_exercise_solutions.py; every declared misconception recognised:
tests/test_exercise_misconceptions.py."""

import numpy as np
import pytest

from course_lib.grading.exercise import check, get_exercise, registered_exercises, retired_exercises
from tests.exercise_helpers import score

IDS = ["ex-04-2", "ex-04-4", "ex-04-5", "ex-04-6"]


def test_ids_tasks_and_the_retired_transcriptions():
    exercises = registered_exercises("04_product_image_project")
    assert [e.id for e in exercises] == IDS
    assert {e.id: e.task for e in exercises} == {"ex-04-2": "implement", "ex-04-4": "derive", "ex-04-5": "read",
                                                 "ex-04-6": "build"}
    retired = retired_exercises("04")
    assert "ex-04-4" in retired["ex-04-1"] and "ex-04-5" in retired["ex-04-3"]


def test_the_ema_answer_accepts_the_small_decay_approximation():
    assert score("ex-04-4", np.log(100) / 0.001).passed        # 4605: ln(1/decay) ~ 1 - decay
    assert not score("ex-04-4", 1000.0).passed


def test_table_reading_gives_partial_credit_and_names_the_wrong_part():
    result = score("ex-04-5", {"lowest_recall": "vae", "fid_ratio": 6.4, "kid_can_be_negative": "yes"})
    assert 0 < result.points < result.max_points and "kid_can_be_negative" in result.feedback
    assert not score("ex-04-5", "vae").passed


def test_conditional_batch_norm_is_graded_on_its_class_input():
    def ignores_the_class(h, y, gain, bias, eps=1e-5):
        normed = (h - h.mean(axis=(0, 2, 3), keepdims=True)) / np.sqrt(h.var(axis=(0, 2, 3), keepdims=True) + eps)
        return normed * (1 + gain[0][None, :, None, None]) + bias[0][None, :, None, None]

    assert not score("ex-04-6", ignores_the_class).passed


@pytest.mark.parametrize("exercise_id", ["ex-04-2", "ex-04-6"])
def test_a_stub_falls_back_to_the_reference(exercise_id, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError

    assert check(exercise_id, stub) is get_exercise(exercise_id).reference
    assert "not attempted" in capsys.readouterr().out
