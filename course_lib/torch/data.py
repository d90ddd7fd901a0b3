"""Fashion-MNIST batches as PyTorch tensors, NCHW float32 in [-1, 1] (twin of course_lib/tf/data.py).

The layout difference lives here and only here: torch images are (N, 1, 28, 28), tf images (N, 28, 28, 1).
"""

from __future__ import annotations

import numpy as np
import torch

from course_lib import validation as check
from course_lib.data.fashion_mnist import FASHION_MNIST_CLASSES, load_fashion_mnist
from course_lib.data.images import check_uint8_images, uint8_to_unit_range, unit_range_to_uint8
from course_lib.torch.utils import device as default_device

__all__ = ["batches", "fashion_mnist_batches", "to_model_images", "to_uint8_images"]


def to_model_images(images, device=None) -> torch.Tensor:
    """uint8 [N, 28, 28] images -> float32 tensor (N, 1, 28, 28) in [-1, 1], contiguous, on `device` (CPU)."""
    x = torch.from_numpy(uint8_to_unit_range(images)).unsqueeze(1)  # (N, 1, 28, 28)
    return x.to(device) if device is not None else x


def to_uint8_images(x) -> np.ndarray:
    """Model images (N, 1, H, W) or (N, H, W) in [-1, 1] -> uint8 numpy [N, H, W]."""
    array = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    if array.ndim == 4:
        if array.shape[1] != 1:
            raise ValueError(f"Expected grey images (N, 1, H, W) in the torch layout; got shape {array.shape}.")
        array = array[:, 0]
    return unit_range_to_uint8(array)


class _EpochBatches:
    """Re-iterable batches; each pass is a new epoch with its own seeded shuffle (seed + epoch)."""

    def __init__(self, x, y, batch_size, shuffle, seed, drop_remainder):
        self.x, self.y = x, y
        self.batch_size, self.shuffle, self.seed, self.drop_remainder = batch_size, shuffle, seed, drop_remainder
        self.epoch = 0

    def __len__(self):
        n = len(self.x)
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.x)
        if self.shuffle:
            order = np.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = np.arange(n)
        self.epoch += 1
        order = torch.from_numpy(order).to(self.x.device)
        for batch in range(len(self)):
            index = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            # index_select gives a contiguous batch; a strided view would halve the speed of conv layers
            xb = self.x.index_select(0, index)
            yield (xb, self.y.index_select(0, index)) if self.y is not None else xb


def batches(images, labels=None, batch_size=128, shuffle=True, seed=0, drop_remainder=True, on_device=False):
    """Batches of uint8 images as float32 (B, 1, 28, 28) tensors in [-1, 1], with int64 labels when given.

    Args:
        images: uint8 [N, 28, 28].
        labels: optional int [N].
        batch_size, shuffle, seed: shuffled anew each epoch from `seed + epoch`.
        drop_remainder: drop the last partial batch (keeps every batch the same shape).
        on_device: hold the whole data set on the accelerator and slice batches there (no host transfers).
    Returns:
        A re-iterable object with len() batches per epoch, yielding x or (x, y).
    """
    images = check_uint8_images(images)
    check.check_positive_int(batch_size, "batch_size")
    target = default_device() if on_device else torch.device("cpu")
    x = to_model_images(images, target)
    y = None
    if labels is not None:
        labels = check.check_labels(labels, "labels", len(FASHION_MNIST_CLASSES), len(images))
        y = torch.from_numpy(labels.astype(np.int64)).to(target)
    return _EpochBatches(x, y, batch_size, shuffle, seed, drop_remainder)


def fashion_mnist_batches(split="train", batch_size=128, shuffle=True, seed=0, drop_remainder=True,
                          on_device=False, limit=None):
    """`batches` over Fashion-MNIST `split`, optionally only its first `limit` images (quick mode)."""
    images, labels = load_fashion_mnist(split)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return batches(images, labels, batch_size, shuffle, seed, drop_remainder, on_device)
