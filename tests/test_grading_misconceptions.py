"""A misconception-only submission per notebook, graded through the grader's answer path: every exercise cell of
the master replaced by a cell that writes one declared misconception (tests/fixtures/misconceptions/ex_NN.py).
Each such exercise scores below full marks, and the student's feedback file names that misconception's mistake
and shows the first hint only.

The notebook run itself (papermill) only gates and reports in the grader; it is covered by tests/test_grading_run.py.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re

import nbformat
import pytest

from course_lib.grading import prepare
from course_lib.grading.answers import answer_setup, build_cells, run_answers
from course_lib.grading.exercise import get_exercise
from course_lib.grading.feedback import feedback_path, write_feedback
from course_lib.grading.grader import SubmissionResult
from tests import fixtures
from tests.conftest import REPO_ROOT
from tests.test_grading_safety import local_runner

SEED = 4242
NUMBERS = sorted(m.name[3:] for m in pkgutil.iter_modules([str(REPO_ROOT / "tests" / "fixtures" / "misconceptions")])
                 if m.name.startswith("ex_"))


def _bare(text):
    """Text without the characters the feedback file escapes (markdown, HTML), whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"&lt;|&gt;|&amp;|[\\`'<>&;|\[\]]", "", text))


def _master(number):
    path = next((REPO_ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    return nbformat.read(path, as_version=4)


def _submission(master, cells_by_id):
    """The master with every exercise cell that has a misconception cell replaced by it."""
    submission = copy.deepcopy(master)
    for cell in submission.cells:
        exercise_id = next((t for t in cell.get("metadata", {}).get("tags", []) if t.startswith("ex-")), None)
        if "exercise" in cell.get("metadata", {}).get("tags", []) and exercise_id in cells_by_id:
            cell.source = cells_by_id[exercise_id].strip()
    return submission


def _which_misconception(exercise, source):
    namespace = {}
    exec(source, namespace)  # our own fixture
    answer = namespace[exercise.answer_name]
    return exercise.score_outputs(exercise.run_answer(answer, SEED), SEED).misconception


@pytest.mark.parametrize("number", NUMBERS)
def test_a_misconception_only_submission_gets_each_misconceptions_feedback(number, tmp_path):
    cells_by_id = importlib.import_module(f"{fixtures.__name__}.misconceptions.ex_{number}").MISCONCEPTION_CELLS
    master = _master(number)
    prepared = prepare.prepare_submission(master, _submission(master, cells_by_id))
    exercises = [get_exercise(i) for i in prepared.graded if i in cells_by_id]
    assert exercises, f"notebook {number}: no exercise cell was replaced"
    answers = run_answers(build_cells(exercises, prepared.sources, SEED, 30.0),
                          answer_setup(master, [get_exercise(i) for i in prepare.exercise_ids(master)]), local_runner)
    points, max_points, feedback = {}, {}, {}
    for exercise in exercises:
        export = answers[exercise.id]
        assert export.status == "ok" and not export.library, (exercise.id, export)
        score = exercise.score_outputs(export.outputs, SEED, errors=export.errors)
        points[exercise.id], max_points[exercise.id], feedback[exercise.id] = (
            score.points, score.max_points, score.feedback)
        assert score.points < score.max_points, f"{exercise.id}: the misconception cell earns full marks"
        expected = _which_misconception(exercise, cells_by_id[exercise.id])
        assert expected and score.misconception == expected, (exercise.id, expected, score.misconception)
    result = SubmissionResult(student=f"misconceptions-{number}", sha256="0" * 64, points=points,
                              max_points=max_points, status="ok", feedback=feedback)
    write_feedback(tmp_path, result, "test")
    text = _bare(feedback_path(tmp_path, result.student).read_text(encoding="utf-8"))
    for exercise in exercises:
        named = next(m for m in exercise.misconceptions if m.name == _which_misconception(exercise,
                                                                                          cells_by_id[exercise.id]))
        assert _bare(named.feedback)[:80] in text, exercise.id
        if len(exercise.hints) > 1:
            assert _bare(exercise.hints[0])[:60] in text and _bare(exercise.hints[1])[:60] not in text, exercise.id
