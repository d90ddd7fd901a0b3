"""Every exercise's declared misconceptions, run through the grader's own scoring path: each scores below full
marks, is recognised as itself, and gets its own feedback; hints come in tiers and the grader shows the first."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading.exercise import (
    HIDDEN_SEED,
    PUBLIC_SEED,
    REASONING_TASKS,
    Exercise,
    Misconception,
    check,
    register,
    registered_exercises,
    retire,
)

MISCONCEPTIONS = [
    (exercise.id, misconception.name)
    for exercise in registered_exercises()
    for misconception in exercise.misconceptions
]


def _exercise(exercise_id):
    return next(e for e in registered_exercises() if e.id == exercise_id)


@pytest.mark.parametrize(("exercise_id", "name"), MISCONCEPTIONS)
@pytest.mark.parametrize("seed", [PUBLIC_SEED, HIDDEN_SEED])
def test_each_misconception_scores_below_full_with_its_own_feedback(exercise_id, name, seed):
    exercise = _exercise(exercise_id)
    misconception = next(m for m in exercise.misconceptions if m.name == name)
    with np.errstate(all="ignore"):
        score = exercise.score_outputs(exercise.run_answer(misconception.answer, seed), seed)
    assert score.points < score.max_points, f"{exercise_id}/{name} earns full marks"
    assert score.misconception == name, f"{exercise_id}/{name} was recognised as {score.misconception}"
    assert misconception.feedback in score.feedback


@pytest.mark.parametrize("exercise", registered_exercises(), ids=lambda e: e.id)
def test_feedback_of_a_misconception_does_not_contain_the_later_hints(exercise):
    for misconception in exercise.misconceptions:
        for later_hint in exercise.hints[1:]:
            assert later_hint not in misconception.feedback


def _toy_exercise(exercise_id="ex-99-1"):
    return Exercise(
        id=exercise_id, notebook="99_toy", title="double it", points=1, kind="function", answer_name="double",
        reference=lambda x: 2 * x, make_inputs=lambda rng: (rng.normal(size=4),),
        hints=("what does doubling do to every entry?", "multiply by a number"),
        misconceptions=(
            Misconception("squared", lambda x: x**2, "you squared the input"),
            Misconception("added-one", lambda x: x + 1, "you shifted the input"),
        ),
        task="implement",
    )


def test_a_matching_wrong_answer_gets_the_misconception_feedback_and_only_the_first_hint():
    exercise = _toy_exercise()
    score = exercise.score_outputs(exercise.run_answer(lambda x: x + 1, 3), 3)
    assert score.points == 0 and score.misconception == "added-one"
    assert "you shifted the input" in score.feedback
    assert exercise.hints[0] in score.feedback and exercise.hints[1] not in score.feedback


def test_an_unknown_wrong_answer_gets_generic_feedback():
    exercise = _toy_exercise()
    score = exercise.score_outputs(exercise.run_answer(lambda x: 3 * x, 3), 3)
    assert score.misconception is None and "values differ" in score.feedback


def test_a_right_answer_matches_no_misconception():
    exercise = _toy_exercise()
    score = exercise.score_outputs(exercise.run_answer(lambda x: x + x, 3), 3)
    assert score.passed and score.misconception is None and "Hint" not in score.feedback


def test_check_shows_hint_tiers_on_request(capsys, monkeypatch):
    from course_lib.grading import exercise as exercise_module

    toy = _toy_exercise()
    monkeypatch.setitem(exercise_module._REGISTRY, toy.id, toy)
    monkeypatch.setattr(exercise_module, "_load_all", lambda: None)
    check(toy.id, lambda x: x + 1)
    first = capsys.readouterr().out
    assert "you shifted the input" in first and "hint=2" in first and toy.hints[1] not in first
    check(toy.id, lambda x: x + 1, hint=2)
    second = capsys.readouterr().out
    assert toy.hints[0] in second and toy.hints[1] in second and "last hint" in second


def test_register_refuses_unknown_tasks_duplicate_names_and_retired_ids(monkeypatch):
    from course_lib.grading import exercise as exercise_module

    monkeypatch.setattr(exercise_module, "_REGISTRY", {})
    monkeypatch.setattr(exercise_module, "_RETIRED", {})
    with pytest.raises(ValueError, match="task"):
        register(Exercise(**{**_toy_exercise().__dict__, "task": "copy"}))
    twice = (Misconception("same", 1, "a"), Misconception("same", 2, "b"))
    with pytest.raises(ValueError, match="unique"):
        register(Exercise(**{**_toy_exercise().__dict__, "misconceptions": twice}))
    retire("ex-99-2", "replaced by ex-99-3")
    with pytest.raises(ValueError, match="retired"):
        register(_toy_exercise("ex-99-2"))
    with pytest.raises(KeyError, match="retired"):
        exercise_module.get_exercise("ex-99-2")


def test_reasoning_tasks_are_tasks():
    assert set(REASONING_TASKS) < set(exercise_module_tasks())


def exercise_module_tasks():
    from course_lib.grading.exercise import TASKS

    return TASKS


@pytest.mark.parametrize("exercise", registered_exercises(), ids=lambda e: e.id)
def test_every_exercise_declares_two_misconceptions_and_two_hint_tiers(exercise):
    assert len(exercise.misconceptions) >= 2, f"{exercise.id} declares {len(exercise.misconceptions)} misconceptions"
    assert len(exercise.hints) >= 2, f"{exercise.id} has {len(exercise.hints)} hint tier(s)"


def test_at_least_half_the_exercises_ask_for_reasoning_and_each_lesson_has_a_build():
    exercises = registered_exercises()
    reasoning = [e for e in exercises if e.task in REASONING_TASKS]
    assert 2 * len(reasoning) >= len(exercises), f"{len(reasoning)} of {len(exercises)} are reasoning exercises"
    notebooks = sorted({e.notebook for e in exercises if not e.notebook.startswith("00")})
    for notebook in notebooks:
        assert any(e.task == "build" for e in exercises if e.notebook == notebook), f"{notebook} has no build exercise"
