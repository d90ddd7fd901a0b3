"""Seeds, devices and conversions for the TensorFlow twin (twin of course_lib/torch/utils.py)."""

from __future__ import annotations

import random

import numpy as np
import tensorflow as tf

__all__ = ["device", "set_seed", "to_numpy"]


def set_seed(seed: int) -> None:
    """Seed Python's `random`, numpy and TensorFlow (the global generator and op seeds) with `seed`.

    Used in: every notebook.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    random.seed(int(seed))
    np.random.seed(int(seed))
    tf.random.set_seed(int(seed))
    tf.keras.utils.set_random_seed(int(seed))  # Keras layers' initialisers draw from here


def device() -> str:
    """The accelerator when there is one ("/GPU:0"), else "/CPU:0"; use it as `with tf.device(device()):`."""
    return "/GPU:0" if tf.config.list_physical_devices("GPU") else "/CPU:0"


def to_numpy(x) -> np.ndarray:
    """A numpy copy of a tensor or variable; numpy arrays and Python numbers pass through."""
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x.numpy()
    return np.asarray(x)
