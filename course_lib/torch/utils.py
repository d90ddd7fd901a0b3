"""Seeds, devices and conversions for the PyTorch twin (twin of course_lib/tf/utils.py)."""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["device", "limit_threads", "set_seed", "to_numpy", "to_tensor"]


def set_seed(seed: int) -> None:
    """Seed Python's `random`, numpy and torch (CPU and every GPU) with `seed`.

    Used in: every notebook.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))  # also seeds every CUDA device


def device() -> torch.device:
    """The accelerator when there is one (CUDA, then Apple MPS), else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def to_numpy(x) -> np.ndarray:
    """A numpy copy of a tensor (detached, on the CPU); numpy arrays and Python numbers pass through."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def to_tensor(array) -> torch.Tensor:
    """A framework tensor with the values, shape and dtype of a numpy array (or anything numpy can read).

    Used in: notebooks/02_gan_instability.ipynb
    """
    return torch.from_numpy(np.array(array))  # a copy: later writes to `array` do not show through


def limit_threads(n: int) -> int:
    """Limit the framework's math to `n` threads in this process; returns the previous number (0: the default).

    Small models gain little from a second thread, and parallel single-thread runs use the cores better.
    Used in: notebooks/02_gan_instability.ipynb (the PacGAN table's worker processes)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of threads; got {n!r}.")
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n))
    return previous
