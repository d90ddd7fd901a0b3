"""Shared by the exercise tests: the solved cells of tests/fixtures/solutions/ex_NN.py, run and scored."""

from __future__ import annotations

import importlib

from course_lib.grading.exercise import HIDDEN_SEED, get_exercise


def solutions(notebook_number: str) -> dict:
    """{exercise id: solved cell source} for notebook "01", "02", ..."""
    return importlib.import_module(f"tests.fixtures.solutions.ex_{notebook_number}").SOLUTIONS


def solved_answer(exercise_id: str):
    """The function or value that the solved cell of `exercise_id` defines."""
    namespace = {}
    exec(solutions(exercise_id.split("-")[1])[exercise_id], namespace)  # noqa: S102  (our own fixture)
    return namespace[get_exercise(exercise_id).answer_name]


def score(exercise_id: str, answer, seed: int = HIDDEN_SEED):
    """Grade `answer` as the grader does, on the inputs made from `seed`."""
    exercise = get_exercise(exercise_id)
    return exercise.score_outputs(exercise.run_answer(answer, seed), seed)
