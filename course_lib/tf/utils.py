"""Seeds, devices and conversions for the TensorFlow twin (twin of course_lib/torch/utils.py)."""

from __future__ import annotations

import random

import numpy as np
import tensorflow as tf

__all__ = ["device", "limit_threads", "set_seed", "to_numpy", "to_tensor"]


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


def to_tensor(array) -> tf.Tensor:
    """A framework tensor with the values, shape and dtype of a numpy array (or anything numpy can read).

    Used in: notebooks/02_gan_instability.ipynb
    """
    return tf.constant(np.asarray(array))


def limit_threads(n: int) -> int:
    """Limit the framework's math to `n` threads in this process; returns the previous number (0: the default).

    Small models gain little from a second thread, and parallel single-thread runs use the cores better.
    Used in: notebooks/02_gan_instability.ipynb (the PacGAN table's worker processes)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of threads; got {n!r}.")
    previous = tf.config.threading.get_intra_op_parallelism_threads()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(n))
        tf.config.threading.set_inter_op_parallelism_threads(int(n))
    except RuntimeError:
        pass  # TensorFlow fixes its thread pools when it first runs an op; later calls cannot change them
    return previous
