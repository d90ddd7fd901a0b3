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
