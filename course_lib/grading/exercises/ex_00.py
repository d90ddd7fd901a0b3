"""Exercises of notebooks/00_start_here.ipynb."""

import numpy as np

from course_lib.grading.exercise import Exercise, register


def _to_unit_range(images):
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


register(Exercise(
    id="ex-00-1",
    notebook="00_start_here",
    title="scale uint8 product photos to [-1, 1]",
    points=1,
    kind="function",
    answer_name="to_unit_range",
    reference=_to_unit_range,
    make_inputs=lambda rng: (rng.integers(0, 256, size=(4, 28, 28)).astype(np.uint8),),
    hints="0 must map to -1 and 255 to +1: divide by 127.5, then subtract 1 (and mind uint8 overflow).",
    cases=2,
))


def _sneaker_index():
    from course_lib.data import FASHION_MNIST_CLASSES

    return FASHION_MNIST_CLASSES.index("Sneaker")


def _grade_class_index(expected, actual):
    if isinstance(actual, bool) or not isinstance(actual, (int, np.integer)):
        return 0.0, f"expected an integer class index, got {type(actual).__name__}"
    return (1.0, "correct") if int(actual) == expected else (0.0, f"class {actual} is not the sneaker class")


register(Exercise(
    id="ex-00-2",
    notebook="00_start_here",
    title="find the class index of sneakers",
    points=1,
    kind="value",
    answer_name="SNEAKER_CLASS",
    reference=_sneaker_index,
    grade=_grade_class_index,
    hints="look the name up in course_lib.data.FASHION_MNIST_CLASSES (indices start at 0).",
))
