"""Exercises of notebook 00: each misconception cell is recognised as its declared misconception."""

from __future__ import annotations

import pytest

from course_lib.grading.exercise import HIDDEN_SEED, get_exercise
from tests.exercise_helpers import score
from tests.fixtures.misconceptions.ex_00 import MISCONCEPTION_CELLS


@pytest.mark.parametrize("exercise_id", ["ex-00-1", "ex-00-2"])
def test_each_misconception_cell_is_recognised(exercise_id):
    namespace = {}
    exec(MISCONCEPTION_CELLS[exercise_id], namespace)  # noqa: S102  (our own fixture)
    result = score(exercise_id, namespace[get_exercise(exercise_id).answer_name], HIDDEN_SEED)
    assert not result.passed and result.misconception is not None, result.feedback
