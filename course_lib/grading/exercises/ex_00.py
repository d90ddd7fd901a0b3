"""Exercises of notebooks/00_start_here.ipynb."""

import numpy as np

from course_lib.grading.exercise import Exercise, Misconception, register


def _to_unit_range(images):
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


def _uint8_arithmetic(images):
    return (np.asarray(images) * 2).astype(np.float32) / 255.0 - 1.0  # images * 2 wraps around in uint8


register(Exercise(
    id="ex-00-1",
    notebook="00_start_here",
    title="scale uint8 product photos to [-1, 1]",
    points=1,
    kind="function",
    answer_name="to_unit_range",
    reference=_to_unit_range,
    make_inputs=lambda rng: (rng.integers(0, 256, size=(4, 28, 28)).astype(np.uint8),),
    hints=("a linear map a * pixel + b sends 0 to -1 and 255 to +1: two equations, two unknowns.",
           "convert to a float type before any arithmetic: uint8 arithmetic wraps around above 255."),
    cases=2,
    task="implement",
    misconceptions=(
        Misconception("unit-interval", lambda images: np.asarray(images, dtype=np.float32) / 255.0,
                      "that is [0, 1]; the generator ends in tanh, so the data must fill [-1, 1] (a generator "
                      "in [-1, 1] trained on [0, 1] data never matches it)."),
        Misconception("uint8-overflow", _uint8_arithmetic,
                      "the arithmetic ran in uint8, where 200 * 2 wraps around to 144: convert to float first."),
        Misconception("divide-by-128", lambda images: np.asarray(images, dtype=np.float32) / 128.0 - 1.0,
                      "close: but 255 must map to exactly +1, and 255 / 128 - 1 is not 1."),
    ),
))


def _sneaker_index():
    from course_lib.data import FASHION_MNIST_CLASSES

    return FASHION_MNIST_CLASSES.index("Sneaker")


def _grade_class_index(expected, actual):
    if type(actual) is type(expected) and actual == expected:  # also lets a misconception be matched
        return 1.0, "correct"
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
    hints=("the class names are in a list in course_lib.data; the label of a class is its position there.",
           "Python counts positions from 0."),
    task="implement",
    misconceptions=(
        Misconception("counted-from-one", 8, "you counted the classes from 1; labels start at 0."),
        Misconception("the-name", "Sneaker", "that is the class's name; the labels are integers."),
        Misconception("ankle-boot", 9, "class 9 is the ankle boot, the other shoe: look the name up."),
    ),
))
