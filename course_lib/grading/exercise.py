"""Graded exercises: one `Exercise` per id, registered by `course_lib/grading/exercises/ex_NN.py`.

Two kinds:
- "function": the student defines a function named `answer_name`; it is called on inputs made by
  `make_inputs(rng)` and its output compared with `reference(*inputs)`.
- "value": the student assigns a JSON-like value to the variable `answer_name`; it is compared with
  `reference()` (no inputs).

Each exercise declares the misconceptions it recognises (`Misconception`: a wrong answer a real student would
write, and the feedback that names the mistake without giving the solution) and its hints in tiers (the first
nudges, the next narrows; none is the solution). When a wrong answer gives the same outputs as a declared
misconception, the feedback is that misconception's; the grader's feedback adds the first hint only, and a student
asks for the next tier in the notebook with `check(id, answer, hint=2)` or `hint(id, 2)`.

`check(id, answer)` gives instant feedback in the notebook and returns what later cells should use: the
student's answer when it passes, the library's reference otherwise, so a notebook runs end to end with an
exercise left undone. It never decides a grade: the grader calls the same `score` in its own process, on
hidden inputs, with the student's outputs exported from the kernel (see course_lib.grading.grader and
docs/instructors.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "REASONING_TASKS",
    "TASKS",
    "Exercise",
    "Misconception",
    "Score",
    "check",
    "compare_arrays",
    "get_exercise",
    "hint",
    "register",
    "registered_exercises",
    "retire",
    "retired_exercises",
]

_REGISTRY: dict[str, Exercise] = {}
_RETIRED: dict[str, str] = {}  # id -> why it was retired and what replaced it; ids never change meaning
PUBLIC_SEED = 2024   # inputs used for instant feedback in the notebook
HIDDEN_SEED = 90210  # a fixed hidden seed for local checks; the grader draws a fresh secret seed per submission

# What an exercise asks the student to do. "implement" transcribes a given formula; "build" writes a working part
# graded by what it does; the reasoning kinds ask for thought the notebook does not print above the cell.
TASKS = ("implement", "build", "predict", "derive", "debug", "design", "read")
REASONING_TASKS = ("predict", "derive", "debug", "design", "read")


@dataclass(frozen=True)
class Misconception:
    """A named mistake an exercise recognises.

    Attributes:
        name: short stable name, e.g. "log-of-sigmoid".
        answer: the wrong answer a real student would write: a function (kind "function") or a value ("value").
        feedback: what the student reads when their answer behaves like this one; it names the mistake and
            does not give the solution.
    """

    name: str
    answer: Any
    feedback: str


@dataclass(frozen=True)
class Score:
    """Points earned on one exercise with the feedback a student reads.

    `misconception` is the name of the declared misconception the answer matched, or None.
    """

    points: float
    max_points: float
    feedback: str
    misconception: str | None = None

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
        hints: tiers of hints, first a nudge, then narrower; none is the solution. A single string is one tier.
        misconceptions: the named wrong answers this exercise recognises (at least two per exercise).
        task: what the exercise asks for, one of TASKS.
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
    hints: tuple[str, ...] = ()
    cases: int = 1
    extra: dict = field(default_factory=dict)
    allowed_library: tuple[str, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    task: str = "implement"

    def __post_init__(self):
        if isinstance(self.hints, str):  # one tier written as a plain string
            object.__setattr__(self, "hints", (self.hints,) if self.hints else ())
        object.__setattr__(self, "hints", tuple(self.hints))
        object.__setattr__(self, "misconceptions", tuple(self.misconceptions))

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
        A wrong answer whose outputs match a declared misconception gets that misconception's feedback; any
        wrong answer gets the first hint tier.
        """
        expected = self.expected(seed)
        if len(outputs) != len(expected):
            return Score(0.0, self.points, f"{self.id}: expected {len(expected)} result(s), got {len(outputs)}")
        errors = list(errors) if errors is not None else [None] * len(outputs)
        fractions, notes = [], []
        for want, got, error in zip(expected, outputs, errors):
            if error is not None:
                fractions.append(0.0)
                notes.append(error)
                continue
            fraction, note = self._grade_case(want, got)
            fractions.append(fraction)
            notes.append(note)
        points = round(self.points * float(np.mean(fractions)), 4)
        if points >= self.points:
            return Score(points, self.points, f"{self.id} ({self.title}): " + "; ".join(dict.fromkeys(notes)))
        matched = self.diagnose(outputs, seed) if all(error is None for error in errors) else None
        feedback = matched.feedback if matched else "; ".join(dict.fromkeys(notes))
        if self.hints:
            feedback = feedback.rstrip(". ") + f". Hint: {self.hints[0]}"
        return Score(points, self.points, f"{self.id} ({self.title}): {feedback}",
                     misconception=matched.name if matched else None)

    def _grade_case(self, want, got) -> tuple[float, str]:
        grade = self.grade or compare_arrays
        try:
            fraction, note = grade(want, got)
        except Exception as failure:  # an odd answer must not crash the grader: it scores 0
            return 0.0, f"could not compare the answer ({type(failure).__name__}: {failure})"
        fraction = float(fraction) if np.isfinite(fraction) else 0.0  # a NaN fraction is no credit
        return float(np.clip(fraction, 0.0, 1.0)), note

    def diagnose(self, outputs: list[Any], seed: int) -> Misconception | None:
        """The first declared misconception whose outputs on the same inputs match `outputs`, or None."""
        for misconception in self.misconceptions:
            try:
                wrong_outputs = self.run_answer(misconception.answer, seed)
            except Exception:  # a misconception that cannot run on these inputs cannot be the one
                continue
            if len(wrong_outputs) == len(outputs) and all(
                self._grade_case(wrong, got)[0] >= 1.0 for wrong, got in zip(wrong_outputs, outputs)
            ):
                return misconception
        return None

    def hint_text(self, tier: int) -> str:
        """Hints up to `tier` (1-based), one per line; says so when there are no more."""
        if not self.hints:
            return f"[{self.id}] this exercise has no hints."
        tier = max(1, min(int(tier), len(self.hints)))
        lines = [f"[{self.id}] hint {k + 1}/{len(self.hints)}: {text}" for k, text in enumerate(self.hints[:tier])]
        if tier == len(self.hints):
            lines.append(f"[{self.id}] that was the last hint.")
        return "\n".join(lines)

    def run_answer(self, answer, seed: int) -> list[Any]:
        """Call a function answer on every input case (kind "function"), or wrap a value answer."""
        if self.kind == "value":
            return [answer]
        return [answer(*args) for args in self.input_cases(seed)]


def register(exercise: Exercise) -> Exercise:
    if exercise.kind not in ("function", "value"):
        raise ValueError(f"Exercise kind must be 'function' or 'value'; got {exercise.kind!r}.")
    if exercise.task not in TASKS:
        raise ValueError(f"Exercise {exercise.id}: task must be one of {TASKS}; got {exercise.task!r}.")
    names = [m.name for m in exercise.misconceptions]
    if len(set(names)) != len(names) or not all(isinstance(m, Misconception) for m in exercise.misconceptions):
        raise ValueError(f"Exercise {exercise.id}: misconceptions must be Misconception objects with unique names.")
    if exercise.id in _RETIRED:
        raise ValueError(f"Exercise id {exercise.id} is retired ({_RETIRED[exercise.id]}); give it a new id.")
    if exercise.id in _REGISTRY and _REGISTRY[exercise.id] != exercise:
        raise ValueError(f"Exercise id {exercise.id} is registered twice; ids are never reused.")
    _REGISTRY[exercise.id] = exercise
    return exercise


def retire(exercise_id: str, reason: str) -> None:
    """Mark an id as retired: it is never graded or reused again. `reason` says what replaced it and why."""
    if exercise_id in _REGISTRY:
        raise ValueError(f"Exercise id {exercise_id} is registered; a retired id cannot be in use.")
    _RETIRED[exercise_id] = reason


def retired_exercises(notebook_number: str | None = None) -> dict[str, str]:
    """{retired id: reason}, optionally only those of notebook "01", "02", ..."""
    _load_all()
    return {i: r for i, r in sorted(_RETIRED.items(), key=lambda item: tuple(int(p) for p in item[0].split("-")[1:]))
            if notebook_number is None or i.split("-")[1] == notebook_number}


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
    return sorted(found, key=lambda e: tuple(int(part) for part in e.id.split("-")[1:]))  # ex-01-10 after ex-01-9


def get_exercise(exercise_id: str) -> Exercise:
    _load_all()
    if exercise_id in _RETIRED:
        raise KeyError(f"Exercise {exercise_id!r} is retired: {_RETIRED[exercise_id]}")
    if exercise_id not in _REGISTRY:
        raise KeyError(f"No exercise {exercise_id!r}; known ids: {sorted(_REGISTRY)}")
    return _REGISTRY[exercise_id]


def hint(exercise_id: str, tier: int = 1) -> None:
    """Print the hints of an exercise up to `tier` (1 nudges, 2 narrows, ...); no hint is the solution."""
    print(get_exercise(exercise_id).hint_text(tier))


def check(exercise_id: str, answer, fallback=None, hint: int = 0):
    """Instant feedback for the notebook: prints whether `answer` is right and returns what to use next.

    Args:
        exercise_id: e.g. "ex-01-1".
        answer: the student's function (kind "function") or value (kind "value").
        fallback: what to return when the answer is missing or wrong (default: the exercise's reference).
        hint: also print the hints up to this tier (the feedback of a wrong answer already holds tier 1).
    Returns:
        `answer` when it passes, else `fallback` (so later cells keep working).
    """
    exercise = get_exercise(exercise_id)
    if hint:
        print(exercise.hint_text(hint))
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
    more = f" More help: check(\"{exercise_id}\", ..., hint=2)." if len(exercise.hints) > 1 and hint < 2 else ""
    print(f"[{exercise_id}] not yet: {score.feedback}\nThe cells below use the library's version.{more}")
    return use_instead


def _library_names_in(answer, allowed=()) -> list[str]:
    """The course_lib names a function answer uses (the one detector: grading/library_use.py)."""
    from course_lib.grading.library_use import library_names_in

    return library_names_in(answer, allowed)
