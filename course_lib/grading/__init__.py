"""Graded exercises and the papermill grader. Exercise specs live in course_lib/grading/exercises/."""

from course_lib.grading.exercise import (
    Exercise,
    Misconception,
    Score,
    check,
    get_exercise,
    hint,
    register,
    registered_exercises,
)

__all__ = ["Exercise", "Misconception", "Score", "check", "get_exercise", "hint", "register", "registered_exercises"]
