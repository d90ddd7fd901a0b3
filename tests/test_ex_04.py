"""The exercises of notebook 04: the solved cells pass, the stubs fall back to the reference."""

import numpy as np

from course_lib.grading.exercise import HIDDEN_SEED, check, get_exercise

# The solved cells passing on public and hidden inputs: tests/test_exercise_solutions.py


def test_a_stub_falls_back_and_a_wrong_answer_fails(capsys):
    def stub(*args):
        raise NotImplementedError

    exercise = get_exercise("ex-04-1")
    assert check("ex-04-1", stub) is exercise.reference
    wrong = lambda ema, w, decay: (1 - decay) * ema + decay * w  # the classic swap
    assert check("ex-04-1", wrong) is exercise.reference
    assert "not yet" in capsys.readouterr().out
    score = exercise.score_outputs(exercise.run_answer(wrong, HIDDEN_SEED), HIDDEN_SEED)
    assert not score.passed and np.isclose(score.points, 0)
