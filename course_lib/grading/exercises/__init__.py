"""Exercise specifications, one module per notebook (ex_01.py for notebooks/01_gan_losses.ipynb, ...).

Each module calls `course_lib.grading.exercise.register(Exercise(...))` at import time.
"""
