"""A small U-Net that restores degraded 28x28 product photos, and the pix2pix-style conditional discriminator
that judges (degraded, candidate) pairs (PyTorch twin of course_lib/tf/unet.py).

U-Net (Ronneberger et al. 2015, arXiv 1505.04597): two 3x3 convolutions per level (28, 14, 7 pixels), 2x2
average pooling down, nearest-neighbour upsampling up, and a skip connection that concatenates each encoder level
to the decoder at the same size, so fine detail need not squeeze through the 7x7 bottleneck. The network
predicts a correction: restored = x + head(h), where x is the bicubic-upscaled degraded image.
Discriminator (Isola et al. 2017, pix2pix, arXiv 1611.07004): it sees the degraded input and a candidate
side by side (2 channels) and gives one logit per 7x7 patch position ("PatchGAN"): is this a real sharp photo
*of this degraded input*?
Weights travel between the twins as a framework-neutral dict (`get_weights` / `set_weights`): kernels in the
[kh, kw, in, out] layout, biases [out]. Layout: images are (N, 1, 28, 28) here, (N, 28, 28, 1) in the tf twin.
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

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


def _conv(c_in, c_out, size=3):
    return nn.Conv2d(c_in, c_out, size, padding=size // 2)  # "same" padding, as in the tf twin


class UNet(nn.Module):
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
        self.enc1a, self.enc1b = _conv(1, w), _conv(w, w)
        self.enc2a, self.enc2b = _conv(w, 2 * w), _conv(2 * w, 2 * w)
        self.mid_a, self.mid_b = _conv(2 * w, 4 * w), _conv(4 * w, 4 * w)
        self.dec2a, self.dec2b = _conv(6 * w, 2 * w), _conv(2 * w, 2 * w)
        self.dec1a, self.dec1b = _conv(3 * w, w), _conv(w, w)
        self.head = _conv(w, 1, size=1)

    def forward(self, x):
        e1 = F.relu(self.enc1b(F.relu(self.enc1a(x))))                       # (N, w, 28, 28)
        e2 = F.relu(self.enc2b(F.relu(self.enc2a(F.avg_pool2d(e1, 2)))))     # (N, 2w, 14, 14)
        m = F.relu(self.mid_b(F.relu(self.mid_a(F.avg_pool2d(e2, 2)))))      # (N, 4w, 7, 7)
        up2 = torch.cat([F.interpolate(m, scale_factor=2, mode="nearest"), e2], dim=1)    # (N, 6w, 14, 14)
        d2 = F.relu(self.dec2b(F.relu(self.dec2a(up2))))                     # (N, 2w, 14, 14)
        up1 = torch.cat([F.interpolate(d2, scale_factor=2, mode="nearest"), e1], dim=1)   # (N, 3w, 28, 28)
        d1 = F.relu(self.dec1b(F.relu(self.dec1a(up1))))                     # (N, w, 28, 28)
        return x + self.head(d1)                                              # (N, 1, 28, 28)


class PatchDiscriminator(nn.Module):
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
        self.conv1, self.conv2, self.conv3 = _conv(2, w), _conv(w, 2 * w), _conv(2 * w, 2 * w)
        self.logit = _conv(2 * w, 1, size=1)

    def forward(self, degraded, candidate):
        h = torch.cat([degraded, candidate], dim=1)                                # (N, 2, 28, 28)
        h = F.avg_pool2d(F.leaky_relu(self.conv1(h), LEAK), 2)                     # (N, w, 14, 14)
        h = F.avg_pool2d(F.leaky_relu(self.conv2(h), LEAK), 2)                     # (N, 2w, 7, 7)
        return self.logit(F.leaky_relu(self.conv3(h), LEAK))[:, 0]                # (N, 7, 7)


def _layers(model):
    names = UNET_LAYERS if isinstance(model, UNet) else DISCRIMINATOR_LAYERS
    if not isinstance(model, (UNet, PatchDiscriminator)):
        raise InputError(f"model must be a UNet or a PatchDiscriminator; got {type(model).__name__}.")
    return {name: getattr(model, name) for name in names}


def get_weights(model) -> dict:
    """The model's weights as numpy: {"<layer>.kernel": [kh, kw, in, out], "<layer>.bias": [out]}."""
    weights = {}
    for name, conv in _layers(model).items():
        weights[f"{name}.kernel"] = conv.weight.detach().cpu().numpy().transpose(2, 3, 1, 0)  # OIHW -> HWIO
        weights[f"{name}.bias"] = conv.bias.detach().cpu().numpy()
    return weights


def set_weights(model, weights) -> None:
    """Load weights from `get_weights` of either twin (same width); a clear error names a missing or odd array."""
    with torch.no_grad():
        for name, conv in _layers(model).items():
            kernel, bias = weights.get(f"{name}.kernel"), weights.get(f"{name}.bias")
            expected = tuple(conv.weight.shape[2:]) + (conv.weight.shape[1], conv.weight.shape[0])
            if kernel is None or bias is None or tuple(np.shape(kernel)) != expected:
                raise InputError(f"weights[{name!r}.kernel] must have shape {expected} (and a bias); got "
                                 f"{None if kernel is None else np.shape(kernel)}. Same width in both models?")
            conv.weight.copy_(torch.from_numpy(np.asarray(kernel, np.float32).transpose(3, 2, 0, 1)))
            conv.bias.copy_(torch.from_numpy(np.asarray(bias, np.float32)))


def count_parameters(model) -> int:
    """Number of trainable weights."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


def restore_images(model, degraded, batch_size: int = 500) -> np.ndarray:
    """Run the U-Net on uint8 [N, 28, 28] inputs (bicubic-upscaled degraded images); uint8 [N, 28, 28] out."""
    degraded = check_uint8_images(degraded)
    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(degraded), batch_size):
            x = torch.from_numpy(uint8_to_unit_range(degraded[start:start + batch_size]))[:, None]  # (B, 1, 28, 28)
            outputs.append(unit_range_to_uint8(model(x)[:, 0].numpy()))
    return np.concatenate(outputs) if outputs else np.zeros((0, 28, 28), np.uint8)
