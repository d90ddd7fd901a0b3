"""Class-conditional DCGAN-style generator and projection discriminator for 28x28 product images, the EMA of
the generator, DiffAugment and sampling (PyTorch twin of course_lib/tf/product_gan.py).

G(z, y): z -> dense 7x7x2w -> CBN(y) -> up -> conv w (14x14) -> CBN(y) -> up -> conv w/2 (28x28) -> CBN(y) ->
conv 1 -> tanh, where CBN(y) is BatchNorm with a per-class gain and bias (conditional BatchNorm).
D(x, y) = psi(h) + <embed(y), h>, h = sum-pooled features of 3 convolutions (projection discriminator,
Miyato & Koyama 2018, arXiv 1802.05637), with spectral normalisation of every weight (arXiv 1802.05957).
Layout: images are (N, 1, 28, 28) here, (N, 28, 28, 1) in the tf twin.
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from course_lib import validation as check
from course_lib.latents import latent_batch
from course_lib.torch.data import to_uint8_images

__all__ = ["Discriminator", "EMA", "Generator", "count_parameters", "diff_augment", "generate_images", "sample_images"]

NUM_CLASSES = 10
BN_EPS, BN_MOMENTUM = 1e-5, 0.1  # the tf twin uses epsilon=1e-5, momentum=0.9 (keras counts the other way)


def _init(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)  # DCGAN initialisation (arXiv 1511.06434)
        nn.init.zeros_(module.bias)


class _ConditionalBatchNorm(nn.Module):
    """BatchNorm whose gain and bias depend on the class: BN(h) * (1 + gain[y]) + bias[y] (arXiv 1707.00683).

    Unconditional: a plain BatchNorm with one learned gain and bias per channel.
    """

    def __init__(self, channels, num_classes, conditional):
        super().__init__()
        self.conditional = conditional
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM, affine=not conditional)
        if conditional:  # zero-initialised: training starts from plain BatchNorm
            self.gain, self.bias = nn.Embedding(num_classes, channels), nn.Embedding(num_classes, channels)
            nn.init.zeros_(self.gain.weight), nn.init.zeros_(self.bias.weight)

    def forward(self, h, y):
        h = self.bn(h)
        if self.conditional:
            h = h * (1.0 + self.gain(y)[:, :, None, None]) + self.bias(y)[:, :, None, None]
        return h


class Generator(nn.Module):
    """G(z, y) -> images in [-1, 1]; y is ignored when conditional=False.

    The class enters through conditional BatchNorm (a per-class gain and bias after each normalisation, as in
    the projection-discriminator GANs, arXiv 1802.05637). Concatenating a class embedding to z instead made G
    ignore z: one picture per class (measured, see notebooks/04_product_image_project.ipynb).
    Args:
        latent_dim: size of z. width: channel scale w. conditional: class-conditional BatchNorm.
    Call: generator(z [N, latent_dim], y int [N]) -> images (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf.
    """

    def __init__(self, latent_dim=64, width=64, conditional=True, num_classes=NUM_CLASSES):
        super().__init__()
        self.latent_dim, self.width, self.conditional = latent_dim, width, conditional
        self.dense = nn.Linear(latent_dim, 7 * 7 * 2 * width)
        self.bn0 = _ConditionalBatchNorm(2 * width, num_classes, conditional)
        self.conv1 = nn.Conv2d(2 * width, width, 3, padding=1)
        self.bn1 = _ConditionalBatchNorm(width, num_classes, conditional)
        self.conv2 = nn.Conv2d(width, width // 2, 3, padding=1)
        self.bn2 = _ConditionalBatchNorm(width // 2, num_classes, conditional)
        self.conv_out = nn.Conv2d(width // 2, 1, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.apply(_init)

    def forward(self, z, y=None):
        # labels on the host are checked (an index of -1 would silently pick the last class); on a GPU the check
        # would cost a sync per step, and the embedding lookup there fails loudly on a bad index anyway
        if self.conditional and y is not None and y.device.type == "cpu" and not torch.compiler.is_compiling():
            check.check_labels(y.numpy(), "y", NUM_CLASSES)
        h = self.dense(z).view(-1, 2 * self.width, 7, 7)                  # (N, 2w, 7, 7)
        h = torch.relu(self.bn0(h, y))
        h = torch.relu(self.bn1(self.conv1(self.up(h)), y))              # (N, w, 14, 14)
        h = torch.relu(self.bn2(self.conv2(self.up(h)), y))              # (N, w/2, 28, 28)
        return torch.tanh(self.conv_out(h).float())                      # (N, 1, 28, 28), float32

    call = forward  # the Keras name: both twins answer to forward(...) and call(...)


class Discriminator(nn.Module):
    """D(x, y) -> scores [N]: psi(h) + <embed(y), h> (projection, arXiv 1802.05637); psi(h) when unconditional.

    Args:
        width: channel scale w. conditional: add the projection term. spectral_norm: normalise every weight.
    Call: discriminator(x (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf, y int [N]) -> [N] scores
    (logits for the BCE loss).
    """

    def __init__(self, width=64, conditional=True, spectral_norm=True, num_classes=NUM_CLASSES):
        super().__init__()
        self.conditional = conditional
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        self.conv1 = nn.Conv2d(1, width // 2, 3, padding=1)
        self.conv2 = nn.Conv2d(width // 2, width, 4, stride=2, padding=1)      # 28 -> 14
        self.conv3 = nn.Conv2d(width, 2 * width, 4, stride=2, padding=1)      # 14 -> 7
        self.psi = nn.Linear(2 * width, 1)
        self.apply(_init)
        self.conv1, self.conv2, self.conv3, self.psi = sn(self.conv1), sn(self.conv2), sn(self.conv3), sn(self.psi)
        self.embed = None
        if conditional:  # the class embedding of the projection term is spectrally normalised too, as in the paper
            self.embed = nn.Embedding(num_classes, 2 * width)
            nn.init.normal_(self.embed.weight, 0.0, 0.02)
            self.embed = sn(self.embed)

    def forward(self, x, y=None):
        act = nn.functional.leaky_relu
        h = act(self.conv1(x), 0.2)
        h = act(self.conv2(h), 0.2)
        h = act(self.conv3(h), 0.2)                                   # (N, 2w, 7, 7)
        h = h.float().sum(dim=(2, 3))                                 # (N, 2w) sum pooling
        score = self.psi(h)[:, 0]
        if self.conditional:
            score = score + (self.embed(y).float() * h).sum(dim=1)   # the projection term <embed(y), h>
        return score.float()

    call = forward  # the Keras name: both twins answer to forward(...) and call(...)


class EMA:
    """Exponential moving average of a generator: theta_ema <- decay * theta_ema + (1 - decay) * theta.

    (Yazıcı et al. 2018, arXiv 1806.04498.) `ema.model` is the averaged copy (eval mode, no gradients);
    BatchNorm running statistics are averaged the same way.
    """

    def __init__(self, model, decay=0.999):
        self.decay = float(decay)
        self.model = copy.deepcopy(model).eval().requires_grad_(False)
        self._paired_with = None  # (id, data pointer) of the model whose tensors _floats / _others hold

    @torch.no_grad()
    def update(self, model, decay=None):
        """One EMA step towards `model`'s current weights.

        decay: a number, or a 0-d tensor on the model's device (a captured CUDA graph reads its new value at
        every replay); default: the decay given at creation.
        """
        decay = self.decay if decay is None else decay
        key = (id(model), next(model.parameters()).data_ptr())
        if self._paired_with != key:  # the same tensors every step: pair them once
            ema_state, state = self.model.state_dict(keep_vars=True), model.state_dict(keep_vars=True)
            floats = [name for name, value in state.items() if value.dtype.is_floating_point]
            self._floats = ([ema_state[n] for n in floats], [state[n] for n in floats])
            self._others = [(ema_state[n], v) for n, v in state.items() if not v.dtype.is_floating_point]
            self._paired_with = key
        averaged, current = self._floats
        # ema <- ema + (1 - decay) * (theta - ema), one fused call for all tensors
        if isinstance(decay, torch.Tensor):
            gaps = torch._foreach_sub(current, averaged)
            torch._foreach_mul_(gaps, 1.0 - decay)
            torch._foreach_add_(averaged, gaps)
        else:
            torch._foreach_lerp_(averaged, current, 1.0 - float(decay))
        for mine, theirs in self._others:
            mine.copy_(theirs)


def diff_augment(x, policy="translation,cutout", seed=None):
    """Differentiable augmentation applied to real and fake images alike (Zhao et al. 2020, arXiv 2006.10738).

    Args:
        x: images (N, 1, H, W) in torch, (N, H, W, 1) in tf, in [-1, 1].
        policy: comma list of "brightness", "translation", "cutout".
        seed: None (the framework's global generator), or an int (torch) / int pair (tf, stateless) for a
            reproducible draw.
    Returns:
        Augmented images, same shape; gradients flow through.
    """
    if not policy:
        return x
    gen = None
    if seed is not None:
        gen = torch.Generator(device=x.device).manual_seed(int(seed))
    n, _, h, w = x.shape
    rand = lambda *shape: torch.rand(*shape, generator=gen, device=x.device)
    for name in policy.split(","):
        name = name.strip()
        if name == "brightness":
            x = x + (rand(n, 1, 1, 1) - 0.5)
        elif name == "translation":  # shift by up to 1/8 of the size, filling with background (-1)
            s = max(1, h // 8)
            shift = (rand(n, 2) * (2 * s + 1)).long() - s                     # [N, 2] in [-s, s]
            padded = nn.functional.pad(x, (s, s, s, s), value=-1.0)
            rows = (torch.arange(h, device=x.device)[None, :] + s - shift[:, :1])  # [N, H]
            cols = (torch.arange(w, device=x.device)[None, :] + s - shift[:, 1:])  # [N, W]
            batch = torch.arange(n, device=x.device)[:, None, None]
            x = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
        elif name == "cutout":  # blank a random square of half the size
            size = h // 2
            u = rand(n, 2)  # no torch.tensor([h, w]): a host-to-device copy cannot sit inside a CUDA graph
            centre = torch.stack([u[:, 0] * h, u[:, 1] * w], dim=1).long()
            yy = torch.arange(h, device=x.device)[None, :, None]
            xx = torch.arange(w, device=x.device)[None, None, :]
            inside = ((yy - centre[:, :1, None]).abs() < size // 2) & ((xx - centre[:, 1:, None]).abs() < size // 2)
            x = torch.where(inside[:, None], torch.full_like(x, -1.0), x)
        elif name:
            raise ValueError(f"Unknown DiffAugment policy {name!r}: use brightness, translation, cutout.")
    return x.contiguous()


def count_parameters(model):
    """Number of trainable weights of a model."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


@torch.no_grad()
def generate_images(generator, z, labels, batch_size=500):
    """uint8 images [N, 28, 28] = G(z, y) for latents z float32 [N, latent_dim] and classes labels int [N].

    The generator runs in eval mode (BatchNorm uses its running statistics).
    """
    z, labels = check.check_latents_and_labels(z, labels, generator.latent_dim, NUM_CLASSES)
    device = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    out = []
    for start in range(0, len(labels), batch_size):
        zb = torch.from_numpy(z[start:start + batch_size]).to(device)
        yb = torch.from_numpy(labels[start:start + batch_size]).to(device)
        out.append(generator(zb, yb).float().cpu().numpy()[:, 0])
    generator.train(was_training)
    images = np.concatenate(out) if out else np.zeros((0, 28, 28), np.float32)
    return to_uint8_images(images)  # [-1, 1] -> uint8 [N, 28, 28], in data.py with its inverse


def sample_images(generator, labels, seed=0, truncation=None, batch_size=500):
    """uint8 images [N, 28, 28] from `generator` for class `labels` [N], with z drawn in numpy from `seed`.

    z ~ N(0, I), or a truncated normal with |z_i| <= truncation (the truncation trick, arXiv 1809.11096);
    numpy draws z so both twins see the same latents for the same seed. The generator runs in eval mode.
    """
    labels = np.asarray(labels, dtype=np.int64)
    z = latent_batch(len(labels), generator.latent_dim, seed, truncation)
    return generate_images(generator, z, labels, batch_size)
