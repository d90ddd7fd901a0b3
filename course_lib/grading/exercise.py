"""Graded exercises: one `Exercise` per id, registered by `course_lib/grading/exercises/ex_NN.py`.

Two kinds:
- "function": the student defines a function named `answer_name`; it is called on inputs made by
  `make_inputs(rng)` and its output compared with `reference(*inputs)`.
- "value": the student assigns a JSON-like value to the variable `answer_name`; it is compared with
  `reference()` (no inputs).

`check(id, answer)` gives instant feedback in the notebook and returns what later cells should use: the
student's answer when it passes, the library's reference otherwise, so a notebook runs end to end with an
exercise left undone. It never decides a grade: the grader calls the same `score` in its own process, on
hidden inputs, with the student's outputs exported from the kernel (see course_lib.grading.grader and
docs/instructors.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["Exercise", "Score", "check", "get_exercise", "register", "registered_exercises", "compare_arrays"]

_REGISTRY: dict[str, "Exercise"] = {}
PUBLIC_SEED = 2024   # inputs used for instant feedback in the notebook
HIDDEN_SEED = 90210  # a fixed hidden seed for local checks; the grader draws a fresh secret seed per submission


@dataclass(frozen=True)
class Score:
    """Points earned on one exercise with the feedback a student reads."""

    points: float
    max_points: float
    feedback: str

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points


def compare_arrays(expected, actual, rtol=1e-5, atol=1e-6) -> tuple[float, str]:
    """(fraction of credit in [0, 1], feedback) for an array answer: 1 when all close, 0 otherwise."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        actual = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return 0.0, f"expected an array of numbers, got {type(actual).__name__}"
    if actual.shape != expected.shape:
        return 0.0, f"expected shape {expected.shape}, got {actual.shape}"
    if not np.all(np.isfinite(actual)):
        return 0.0, "the result has NaN or inf; use a numerically stable form (e.g. softplus / logaddexp)"
    if np.allclose(actual, expected, rtol=rtol, atol=atol):
        return 1.0, "correct"
    worst = float(np.max(np.abs(actual - expected)))
    return 0.0, f"values differ from the expected ones (largest absolute difference {worst:.3g})"


@dataclass(frozen=True)
class Exercise:
    """One graded exercise.

    Attributes:
        id: stable id "ex-NN-K" (notebook NN, exercise K); never reused.
        notebook: notebook stem, e.g. "01_gan_losses".
        title: one line shown in feedback and the gradebook.
        points: maximum points.
        kind: "function" or "value".
        answer_name: the function or variable the student's cell defines.
        reference: the correct implementation (kind "function") or a callable returning the correct value.
        make_inputs: rng -> tuple of positional arguments (kind "function"); a list of tuples tests several cases.
        grade: optional (expected, actual) -> (fraction in [0, 1], feedback); defaults to `compare_arrays`.
        hints: shown when the answer is wrong.
        allowed_library: dotted course_lib names the notebook hands out for this exercise (e.g.
            "course_lib.grading.exercises.ex_01.bce"); any other use of course_lib scores 0 (grading/library_use.py).
    """

    id: str
    notebook: str
    title: str
    points: float
    kind: str
    answer_name: str
    reference: Callable[..., Any]
    make_inputs: Callable[[np.random.Generator], Any] | None = None
    grade: Callable[[Any, Any], tuple[float, str]] | None = None
    hints: str = ""
    cases: int = 1
    extra: dict = field(default_factory=dict)
    allowed_library: tuple[str, ...] = ()

    def input_cases(self, seed: int) -> list[tuple]:
        """The argument tuples the answer is called with, reproducible from `seed`."""
        if self.kind != "function":
            return []
        rng = np.random.default_rng(seed)
        return [tuple(self.make_inputs(rng)) for _ in range(self.cases)]

    def expected(self, seed: int) -> list[Any]:
        if self.kind == "value":
            return [self.reference()]
        return [self.reference(*args) for args in self.input_cases(seed)]

    def score_outputs(self, outputs: list[Any], seed: int, errors: list[str | None] | None = None) -> Score:
        """Score the answer's outputs (one per input case, or the one value) against the reference.

        `errors[i]`, when given and not None, says why case i produced no output (it scores 0 with that text).
        """
        expected = self.expected(seed)
        if len(outputs) != len(expected):
            return Score(0.0, self.points, f"{self.id}: expected {len(expected)} result(s), got {len(outputs)}")
        errors = list(errors) if errors is not None else [None] * len(outputs)
        grade = self.grade or compare_arrays
        fractions, notes = [], []
        for want, got, error in zip(expected, outputs, errors):
            if error is not None:
                fractions.append(0.0)
                notes.append(error)
                continue
            try:
                fraction, note = grade(want, got)
            except Exception as failure:  # an odd answer must not crash the grader: it scores 0
                fraction, note = 0.0, f"could not compare the answer ({type(failure).__name__}: {failure})"
            fraction = float(fraction) if np.isfinite(fraction) else 0.0  # a NaN fraction is no credit
            fractions.append(float(np.clip(fraction, 0.0, 1.0)))
            notes.append(note)
        points = round(self.points * float(np.mean(fractions)), 4)
        feedback = "; ".join(dict.fromkeys(notes))
        if points < self.points and self.hints:
            feedback += f". Hint: {self.hints}"
        return Score(points, self.points, f"{self.id} ({self.title}): {feedback}")

    def run_answer(self, answer, seed: int) -> list[Any]:
        """Call a function answer on every input case (kind "function"), or wrap a value answer."""
        if self.kind == "value":
            return [answer]
        return [answer(*args) for args in self.input_cases(seed)]


def register(exercise: Exercise) -> Exercise:
    if exercise.kind not in ("function", "value"):
        raise ValueError(f"Exercise kind must be 'function' or 'value'; got {exercise.kind!r}.")
    if exercise.id in _REGISTRY and _REGISTRY[exercise.id] != exercise:
        raise ValueError(f"Exercise id {exercise.id} is registered twice; ids are never reused.")
    _REGISTRY[exercise.id] = exercise
    return exercise


def _load_all() -> None:
    import importlib
    import pkgutil

    from course_lib.grading import exercises

    for module in pkgutil.iter_modules(exercises.__path__):
        importlib.import_module(f"{exercises.__name__}.{module.name}")


def registered_exercises(notebook: str | None = None) -> list[Exercise]:
    """All exercises (optionally of one notebook), in id order."""
    _load_all()
    found = [e for e in _REGISTRY.values() if notebook is None or e.notebook == notebook]
    return sorted(found, key=lambda e: e.id)


def get_exercise(exercise_id: str) -> Exercise:
    _load_all()
    if exercise_id not in _REGISTRY:
        raise KeyError(f"No exercise {exercise_id!r}; known ids: {sorted(_REGISTRY)}")
    return _REGISTRY[exercise_id]


def check(exercise_id: str, answer, fallback=None):
    """Instant feedback for the notebook: prints whether `answer` is right and returns what to use next.

    Args:
        exercise_id: e.g. "ex-01-1".
        answer: the student's function (kind "function") or value (kind "value").
        fallback: what to return when the answer is missing or wrong (default: the exercise's reference).
    Returns:
        `answer` when it passes, else `fallback` (so later cells keep working).
    """
    exercise = get_exercise(exercise_id)
    use_instead = fallback if fallback is not None else exercise.reference
    if exercise.kind == "value":
        use_instead = fallback if fallback is not None else exercise.reference()
    try:
        outputs = exercise.run_answer(answer, PUBLIC_SEED)
    except NotImplementedError:
        print(f"[{exercise_id}] not attempted yet: the cells below use the library's version.")
        return use_instead
    except Exception as error:  # the student's code failed: explain, keep the notebook running
        print(f"[{exercise_id}] your code raised {type(error).__name__}: {error}. "
              f"The cells below use the library's version.")
        return use_instead
    score = exercise.score_outputs(outputs, PUBLIC_SEED)
    borrowed = _library_names_in(answer, exercise.allowed_library) if exercise.kind == "function" else []
    if score.passed and borrowed:
        print(f"[{exercise_id}] right values, but your answer uses course_lib ({', '.join(borrowed)}): the grader "
              "gives 0 points for that. Write it yourself (numpy is fine).")
        return answer
    if score.passed:
        print(f"[{exercise_id}] correct, well done ({score.max_points:g} points when graded).")
        return answer
    print(f"[{exercise_id}] not yet: {score.feedback}\nThe cells below use the library's version.")
    return use_instead


def _library_names_in(answer, allowed=()) -> list[str]:
    """The course_lib names a function answer uses (the one detector: grading/library_use.py)."""
    from course_lib.grading.library_use import library_names_in

    return library_names_in(answer, allowed)
