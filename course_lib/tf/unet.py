"""A small U-Net that restores degraded 28x28 product photos, and the pix2pix-style conditional discriminator
that judges (degraded, candidate) pairs (TensorFlow twin of course_lib/torch/unet.py).

U-Net (Ronneberger et al. 2015, arXiv 1505.04597): two 3x3 convolutions per level (28, 14, 7 pixels), 2x2
average pooling down, nearest-neighbour upsampling up, and a skip connection that concatenates each encoder level
to the decoder at the same size, so fine detail need not squeeze through the 7x7 bottleneck. The network
predicts a correction: restored = x + head(h), where x is the bicubic-upscaled degraded image.
Discriminator (Isola et al. 2017, pix2pix, arXiv 1611.07004): it sees the degraded input and a candidate
side by side (2 channels) and gives one logit per 7x7 patch position ("PatchGAN"): is this a real sharp photo
*of this degraded input*?
Weights travel between the twins as a framework-neutral dict (`get_weights` / `set_weights`): kernels in the
[kh, kw, in, out] layout, biases [out]. Layout: images are (N, 28, 28, 1) here, (N, 1, 28, 28) in the torch twin.
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from course_lib.data.images import (
    check_uint8_images,
    uint8_to_unit_range,
    unit_range_to_uint8,
)
from course_lib.errors import InputError

__all__ = ["PatchDiscriminator", "UNet", "count_parameters", "get_weights", "restore_images", "set_weights"]

UNET_LAYERS = ("enc1a", "enc1b", "enc2a", "enc2b", "mid_a", "mid_b", "dec2a", "dec2b", "dec1a", "dec1b", "head")
DISCRIMINATOR_LAYERS = ("conv1", "conv2", "conv3", "logit")
LEAK = 0.2  # the discriminator's LeakyReLU slope (pix2pix)


def _conv(c_out, size=3, name=None):
    return keras.layers.Conv2D(c_out, size, padding="same", name=name)  # "same" = torch's padding=size // 2


class UNet(keras.Model):
    """restored = x + U-Net(x) for x the (bicubic-upscaled) degraded image in [-1, 1].

    Args:
        width: channels at full resolution; 2x at 14x14 and 4x at the 7x7 bottleneck.
    Call: model(x) with x in [-1, 1], (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf -> the same shape, not
    clipped (the data boundary clips).
    """

    def __init__(self, width: int = 16):
        super().__init__()
        w = int(width)
        self.width = w
        channels = {"enc1a": w, "enc1b": w, "enc2a": 2 * w, "enc2b": 2 * w, "mid_a": 4 * w, "mid_b": 4 * w,
                    "dec2a": 2 * w, "dec2b": 2 * w, "dec1a": w, "dec1b": w}
        for name, c in channels.items():
            setattr(self, name, _conv(c, name=name))
        self.head = _conv(1, size=1, name="head")
        self.pool = keras.layers.AveragePooling2D(2)
        self.up = keras.layers.UpSampling2D(2, interpolation="nearest")
        self(tf.zeros((1, 28, 28, 1)))  # build the weights now

    def call(self, x, training=False):
        relu = tf.nn.relu
        e1 = relu(self.enc1b(relu(self.enc1a(x))))                            # (N, 28, 28, w)
        e2 = relu(self.enc2b(relu(self.enc2a(self.pool(e1)))))                # (N, 14, 14, 2w)
        m = relu(self.mid_b(relu(self.mid_a(self.pool(e2)))))                 # (N, 7, 7, 4w)
        up2 = tf.concat([self.up(m), e2], axis=-1)                            # (N, 14, 14, 6w): up first, as in torch
        d2 = relu(self.dec2b(relu(self.dec2a(up2))))                          # (N, 14, 14, 2w)
        up1 = tf.concat([self.up(d2), e1], axis=-1)                           # (N, 28, 28, 3w)
        d1 = relu(self.dec1b(relu(self.dec1a(up1))))                          # (N, 28, 28, w)
        return x + self.head(d1)                                              # (N, 28, 28, 1)


class PatchDiscriminator(keras.Model):
    """D(degraded, candidate): one logit per patch, [N, 7, 7] (pix2pix's conditional PatchGAN, arXiv 1611.07004).

    Args:
        width: channels of the first convolution (2x after the first pooling).
    Call: model(degraded, candidate), both in [-1, 1], (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf
    -> logits (N, 7, 7) in both.
    """

    def __init__(self, width: int = 16):
        super().__init__()
        w = int(width)
        self.width = w
        self.conv1, self.conv2 = _conv(w, name="conv1"), _conv(2 * w, name="conv2")
        self.conv3, self.logit = _conv(2 * w, name="conv3"), _conv(1, size=1, name="logit")
        self.pool = keras.layers.AveragePooling2D(2)
        self(tf.zeros((1, 28, 28, 1)), tf.zeros((1, 28, 28, 1)))

    def call(self, degraded, candidate, training=False):
        leaky = lambda h: tf.nn.leaky_relu(h, LEAK)
        h = tf.concat([degraded, candidate], axis=-1)                 # (N, 28, 28, 2)
        h = self.pool(leaky(self.conv1(h)))                           # (N, 14, 14, w)
        h = self.pool(leaky(self.conv2(h)))                           # (N, 7, 7, 2w)
        return self.logit(leaky(self.conv3(h)))[..., 0]               # (N, 7, 7)


def _layers(model):
    names = UNET_LAYERS if isinstance(model, UNet) else DISCRIMINATOR_LAYERS
    if not isinstance(model, (UNet, PatchDiscriminator)):
        raise InputError(f"model must be a UNet or a PatchDiscriminator; got {type(model).__name__}.")
    return {name: getattr(model, name) for name in names}


def get_weights(model) -> dict:
    """The model's weights as numpy: {"<layer>.kernel": [kh, kw, in, out], "<layer>.bias": [out]}."""
    weights = {}
    for name, conv in _layers(model).items():
        weights[f"{name}.kernel"] = conv.kernel.numpy()  # keras keeps HWIO already
        weights[f"{name}.bias"] = conv.bias.numpy()
    return weights


def set_weights(model, weights) -> None:
    """Load weights from `get_weights` of either twin (same width); a clear error names a missing or odd array."""
    for name, conv in _layers(model).items():
        kernel, bias = weights.get(f"{name}.kernel"), weights.get(f"{name}.bias")
        expected = tuple(conv.kernel.shape)
        if kernel is None or bias is None or tuple(np.shape(kernel)) != expected:
            raise InputError(f"weights[{name!r}.kernel] must have shape {expected} (and a bias); got "
                             f"{None if kernel is None else np.shape(kernel)}. Same width in both models?")
        conv.kernel.assign(np.asarray(kernel, np.float32))
        conv.bias.assign(np.asarray(bias, np.float32))


def count_parameters(model) -> int:
    """Number of trainable weights."""
    return int(sum(int(np.prod(v.shape)) for v in model.trainable_weights))


def restore_images(model, degraded, batch_size: int = 500) -> np.ndarray:
    """Run the U-Net on uint8 [N, 28, 28] inputs (bicubic-upscaled degraded images); uint8 [N, 28, 28] out."""
    degraded = check_uint8_images(degraded)
    outputs = []
    for start in range(0, len(degraded), batch_size):
        x = tf.constant(uint8_to_unit_range(degraded[start:start + batch_size])[..., None])  # (B, 28, 28, 1)
        outputs.append(unit_range_to_uint8(model(x, training=False).numpy()[..., 0]))
    return np.concatenate(outputs) if outputs else np.zeros((0, 28, 28), np.uint8)
