"""Graded exercises and the papermill grader. Exercise specs live in course_lib/grading/exercises/."""

from course_lib.grading.exercise import Exercise, Score, check, get_exercise, register, registered_exercises

__all__ = ["Exercise", "Score", "check", "get_exercise", "register", "registered_exercises"]
