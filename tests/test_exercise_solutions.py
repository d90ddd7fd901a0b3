"""Every notebook's exercises: registered in order, one solved cell each, and the solved cells pass on the
public and hidden inputs. Discovers tests/fixtures/solutions/ex_NN.py, so a new notebook needs no edit here."""

from __future__ import annotations

import pytest

from course_lib.grading.exercise import HIDDEN_SEED, PUBLIC_SEED, registered_exercises, retired_exercises
from tests.conftest import REPO_ROOT
from tests.exercise_helpers import score, solutions, solved_answer

NOTEBOOKS = {p.stem[:2]: p.stem for p in sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
NUMBERS = sorted(p.stem[3:] for p in (REPO_ROOT / "tests" / "fixtures" / "solutions").glob("ex_*.py"))
ALL_IDS = [exercise_id for number in NUMBERS for exercise_id in solutions(number)]


@pytest.mark.parametrize("number", NUMBERS)
def test_ids_are_registered_in_order_with_one_solution_each(number):
    ids = [e.id for e in registered_exercises(NOTEBOOKS[number])]
    retired = set(retired_exercises(number))
    assert not retired & set(ids)
    every_id_ever = sorted(set(ids) | retired, key=lambda i: int(i.split("-")[2]))
    assert every_id_ever == [f"ex-{number}-{k}" for k in range(1, len(every_id_ever) + 1)]
    assert set(solutions(number)) == set(ids)


@pytest.mark.parametrize("exercise_id", ALL_IDS)
@pytest.mark.parametrize("seed", [PUBLIC_SEED, HIDDEN_SEED])
def test_solved_cells_pass(exercise_id, seed):
    result = score(exercise_id, solved_answer(exercise_id), seed)
    assert result.passed, result.feedback
