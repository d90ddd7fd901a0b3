"""Fashion-MNIST batches as TensorFlow tensors, NHWC float32 in [-1, 1] (twin of course_lib/torch/data.py).

The layout difference lives here and only here: tf images are (N, 28, 28, 1), torch images (N, 1, 28, 28).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from course_lib import validation as check
from course_lib.data.fashion_mnist import FASHION_MNIST_CLASSES, load_fashion_mnist
from course_lib.data.images import check_uint8_images, uint8_to_unit_range, unit_range_to_uint8
from course_lib.tf.utils import device as default_device

__all__ = ["batches", "fashion_mnist_batches", "to_model_images", "to_uint8_images"]


def to_model_images(images, device=None) -> tf.Tensor:
    """uint8 [N, 28, 28] images -> float32 tensor (N, 28, 28, 1) in [-1, 1], on `device` (CPU by default)."""
    with tf.device(device or "/CPU:0"):
        return tf.constant(uint8_to_unit_range(images)[..., None])  # (N, 28, 28, 1)


def to_uint8_images(x) -> np.ndarray:
    """Model images (N, H, W, 1) or (N, H, W) in [-1, 1] -> uint8 numpy [N, H, W]."""
    array = x.numpy() if isinstance(x, (tf.Tensor, tf.Variable)) else np.asarray(x)
    if array.ndim == 4:
        if array.shape[-1] != 1:
            raise ValueError(f"Expected grey images (N, H, W, 1) in the tf layout; got shape {array.shape}.")
        array = array[..., 0]
    return unit_range_to_uint8(array)


class _EpochBatches:
    """Re-iterable batches sliced from tensors held on the accelerator; tf.data always runs on the host."""

    def __init__(self, x, y, batch_size, shuffle, seed, drop_remainder):
        self.x, self.y = x, y
        self.batch_size, self.shuffle, self.seed, self.drop_remainder = batch_size, shuffle, seed, drop_remainder
        self.epoch = 0

    def __len__(self):
        n = int(self.x.shape[0])
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def __iter__(self):
        n = int(self.x.shape[0])
        order = np.random.default_rng(self.seed + self.epoch).permutation(n) if self.shuffle else np.arange(n)
        self.epoch += 1
        for batch in range(len(self)):
            index = order[batch * self.batch_size:(batch + 1) * self.batch_size]
            xb = tf.gather(self.x, index)
            yield (xb, tf.gather(self.y, index)) if self.y is not None else xb


def batches(images, labels=None, batch_size=128, shuffle=True, seed=0, drop_remainder=True, on_device=False):
    """Batches of uint8 images as float32 (B, 28, 28, 1) tensors in [-1, 1], with int64 labels when given.

    Args:
        images: uint8 [N, 28, 28].
        labels: optional int [N].
        batch_size, shuffle, seed: shuffled anew each epoch (tf.data reshuffles with `seed`).
        drop_remainder: drop the last partial batch (a partial batch retraces a tf.function every epoch).
        on_device: hold the whole data set on the accelerator and slice batches there (no host transfers).
    Returns:
        A `tf.data.Dataset` yielding x or (x, y); with on_device=True a re-iterable object with len().
    """
    images = check_uint8_images(images)
    check.check_positive_int(batch_size, "batch_size")
    y = None
    if labels is not None:
        labels = check.check_labels(labels, "labels", len(FASHION_MNIST_CLASSES), len(images))
        y = labels.astype(np.int64)
    if on_device:
        target = default_device()
        x = to_model_images(images, target)
        with tf.device(target):
            y = tf.constant(y) if y is not None else None
        return _EpochBatches(x, y, batch_size, shuffle, seed, drop_remainder)
    x = uint8_to_unit_range(images)[..., None]
    dataset = tf.data.Dataset.from_tensor_slices((x, y) if y is not None else x)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def fashion_mnist_batches(split="train", batch_size=128, shuffle=True, seed=0, drop_remainder=True,
                          on_device=False, limit=None):
    """`batches` over Fashion-MNIST `split`, optionally only its first `limit` images (quick mode)."""
    images, labels = load_fashion_mnist(split)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return batches(images, labels, batch_size, shuffle, seed, drop_remainder, on_device)
