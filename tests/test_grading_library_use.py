"""Answers and course_lib (course_lib/grading/library_use.py, course_lib/grading/answer_runner.py): the master's
bindings, what the answer process reports as a use of course_lib, what it allows, and that every solved cell of
every notebook scores full marks there while a call of the notebook's reference scores 0.

Before the answer process, the grader looked for uses in the cell's syntax tree (`library_uses`); these cases
now run the cell where course_lib does not exist, which the three bypasses (an ordinary cell, IPython syntax,
an import under another name) do not get round."""

from __future__ import annotations

import nbformat
import pytest

from course_lib.grading import prepare
from course_lib.grading.answers import answer_setup, build_cells, run_answers
from course_lib.grading.exercise import get_exercise
from course_lib.grading.library_use import bound_library_names, plain_imports
from tests.conftest import REPO_ROOT
from tests.exercise_helpers import solutions
from tests.test_exercise_solutions import ALL_IDS, NOTEBOOKS
from tests.test_grading_safety import local_runner

SETUP = '''%matplotlib inline
import numpy as np
import course_lib
import course_lib.grading
from course_lib.reference import losses as ref
from course_lib.data import FASHION_MNIST_CLASSES
from course_lib.grading.exercises.ex_01 import bce
nb = course_lib.setup_notebook("01_gan_losses", "torch", True, 0, "")
fw = nb.fw
images = np.zeros(3)
'''


def test_bindings_follow_imports_and_assignments():
    bound = bound_library_names([SETUP, "!pip install something"])
    assert bound["course_lib"] == "course_lib" and bound["ref"] == "course_lib.reference.losses"
    assert bound["bce"] == "course_lib.grading.exercises.ex_01.bce"
    assert bound["nb"].startswith("course_lib:") and bound["fw"].startswith("course_lib:")
    assert "np" not in bound and "images" not in bound
    assert "ref" not in bound_library_names([SETUP, "ref = None"])  # rebound to something else


def test_plain_imports_leave_course_lib_out():
    assert plain_imports([SETUP]) == ["import numpy as np"]


def _run(exercise_ids, sources, master, seed=5):
    exercises = [get_exercise(i) for i in exercise_ids]
    cells = build_cells(exercises, sources, seed, 30.0)
    every = [get_exercise(i) for i in prepare.exercise_ids(master)]  # as the grader: the whole notebook's helpers
    return run_answers(cells, answer_setup(master, every), local_runner), exercises, seed


def _master(stem):
    return nbformat.read(REPO_ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)


BORROW = "def non_saturating_generator_loss(fake_logits):\n    return {call}(fake_logits)"


@pytest.mark.parametrize("call, expected", [
    ("ref.non_saturating_generator_loss", ["ref.non_saturating_generator_loss"]),
    ("fw.losses.non_saturating_generator_loss", ["fw.losses.non_saturating_generator_loss"]),
    ("__import__('course_lib.reference.losses', fromlist=['x'])"
     ".non_saturating_generator_loss", ["course_lib.reference"]),
    ("(lambda x: float(bce(1 / (1 + np.exp(-x)), np.ones_like(x))))", []),  # the helper the notebook hands out
])
def test_uses_of_course_lib_are_reported_as_written(call, expected):
    results, exercises, seed = _run(["ex-01-9"], {"ex-01-9": BORROW.format(call=call)}, _master(NOTEBOOKS["01"]))
    result = results["ex-01-9"]
    assert result.library == expected
    if expected:
        assert exercises[0].score_outputs(result.outputs, seed, result.errors).points == 0


@pytest.mark.parametrize("number", sorted({i[3:5] for i in ALL_IDS}))
def test_every_solved_cell_scores_full_marks_in_the_answer_process(number):
    ids = [i for i in ALL_IDS if i[3:5] == number]
    results, exercises, seed = _run(ids, {i: solutions(number)[i] for i in ids}, _master(NOTEBOOKS[number]))
    for exercise in exercises:
        result = results[exercise.id]
        assert result.status == "ok" and not result.library, (exercise.id, result)
        assert exercise.score_outputs(result.outputs, seed, result.errors).passed, (exercise.id, result)


def test_instant_feedback_warns_about_borrowed_answers(capsys):
    import numpy as np

    from course_lib.grading import check
    from course_lib.reference import losses as ref

    borrowed = lambda fake_logits: ref.non_saturating_generator_loss(fake_logits)
    assert check("ex-01-9", borrowed) is borrowed  # right values: the notebook keeps it...
    assert "uses course_lib (ref)" in capsys.readouterr().out  # ...but says what the grader will do

    own = lambda fake_logits: np.mean(np.logaddexp(0.0, -np.asarray(fake_logits, dtype=np.float64)))
    check("ex-01-9", own)
    assert "correct, well done" in capsys.readouterr().out
