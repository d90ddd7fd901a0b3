"""The grader's look for course_lib in answers (course_lib/grading/library_use.py): what counts as a use, what
is allowed, and that no solved cell of any notebook is flagged while a call of the notebook's reference is."""

from __future__ import annotations

import nbformat
import pytest

from course_lib.grading.exercise import get_exercise
from course_lib.grading.library_use import bound_library_names, library_uses
from tests.conftest import REPO_ROOT
from tests.exercise_helpers import solutions
from tests.test_exercise_solutions import ALL_IDS, NOTEBOOKS

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


@pytest.mark.parametrize("answer, expected", [
    ("def f(x):\n    return ref.non_saturating_generator_loss(x)", ["ref.non_saturating_generator_loss"]),
    ("def f(x):\n    return fw.losses.hinge_generator_loss(x)", ["fw.losses.hinge_generator_loss"]),
    ("def f(x):\n    import course_lib.reference.vae as v\n    return v.gaussian_kl(x)", ["course_lib.reference.vae"]),
    ("from course_lib.metrics import frechet_distance\ndef f(a, b):\n    return frechet_distance(a, b)",
     ["course_lib.metrics.frechet_distance"]),
    ("def f(x):\n    return np.mean(x)", []),
    ("def f(ref):\n    return ref * 2", []),                      # a parameter of the same name is the student's
    ("def f(x):\n    return bce(x, np.ones_like(x))", []),       # the helper the exercise allows
    ("from course_lib.grading.exercises.ex_01 import bce\ndef f(x):\n    return bce(x, 1)", []),
    ("def f(x)\n    return x", []),                              # does not parse: reported elsewhere
])
def test_uses_are_listed_as_written(answer, expected):
    allowed = ("course_lib.grading.exercises.ex_01.bce",)
    assert library_uses(answer, bound_library_names([SETUP]), allowed) == expected


def test_without_the_allowance_the_helper_counts():
    assert library_uses("def f(x):\n    return bce(x, 1)", bound_library_names([SETUP])) == ["bce"]


def _master_bindings(stem):
    master = nbformat.read(REPO_ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return bound_library_names([c.source for c in master.cells if c.cell_type == "code"
                                and "exercise" not in c.get("metadata", {}).get("tags", [])])


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_no_solved_cell_is_flagged(exercise_id):
    exercise = get_exercise(exercise_id)
    source = solutions(exercise_id[3:5])[exercise_id]
    bound = _master_bindings(NOTEBOOKS[exercise_id[3:5]])
    assert library_uses(source, bound, exercise.allowed_library) == []


def test_calling_notebook_01s_reference_is_flagged():
    bound = _master_bindings(NOTEBOOKS["01"])
    answer = "def non_saturating_generator_loss(fake_logits):\n    return ref.non_saturating_generator_loss(fake_logits)"
    assert library_uses(answer, bound, get_exercise("ex-01-9").allowed_library) == \
        ["ref.non_saturating_generator_loss"]


def test_instant_feedback_warns_about_borrowed_answers(capsys):
    import numpy as np

    from course_lib.grading import check
    from course_lib.reference import losses as ref

    borrowed = lambda fake_logits: ref.non_saturating_generator_loss(fake_logits)  # noqa: E731
    assert check("ex-01-9", borrowed) is borrowed  # right values: the notebook keeps it...
    assert "uses course_lib (ref)" in capsys.readouterr().out  # ...but says what the grader will do

    own = lambda fake_logits: np.mean(np.logaddexp(0.0, -np.asarray(fake_logits, dtype=np.float64)))  # noqa: E731
    check("ex-01-9", own)
    assert "correct, well done" in capsys.readouterr().out
