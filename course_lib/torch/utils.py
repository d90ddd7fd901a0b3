"""Seeds, devices and conversions for the PyTorch twin (twin of course_lib/tf/utils.py)."""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["device", "set_seed", "to_numpy"]


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
