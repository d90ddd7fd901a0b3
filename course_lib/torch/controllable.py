"""Generator and discriminator conditioned on (class, colour) for coloured 28x28 products: the discriminator
has a projection head or an ACGAN auxiliary head (PyTorch twin of course_lib/tf/controllable.py).

G(z, y, c): z -> dense 7x7x2w -> CBN(y, c) -> up -> conv w (14x14) -> CBN -> up -> conv w/2 (28x28) -> CBN ->
conv 3 -> tanh; CBN(y, c) is BatchNorm with gain 1 + g_class[y] + g_colour[c] and bias b_class[y] + b_colour[c].
D(x, y, c): h = sum-pooled features of 3 convolutions (spectrally normalised, arXiv 1802.05957);
  projection (Miyato & Koyama 2018, arXiv 1802.05637): score = psi(h) + <e_class[y], h> + <e_colour[c], h>;
  ACGAN (Odena et al. 2017, arXiv 1610.09585): score = psi(h), plus class logits W_y h and colour logits W_c h.
Layout: images are (N, 3, 28, 28) here, (N, 28, 28, 3) in the tf twin; uint8 (N, 28, 28, 3) at the boundary.
Weights travel between the twins as a dict of numpy arrays in one framework-neutral layout (dense kernels
(in, out), conv kernels (kh, kw, in, out)): `generator_weights` / `load_generator_weights`.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.errors import InputError
from course_lib.latents import latent_batch
from course_lib.torch.utils import to_numpy

__all__ = ["ControllableDiscriminator", "ControllableGenerator", "generate_images", "generator_weights",
           "load_generator_weights", "sample_images"]

BN_EPS, BN_MOMENTUM = 1e-5, 0.1  # the tf twin: epsilon=1e-5, momentum=0.9 (keras counts the other way)
_BLOCKS = ("bn0", "bn1", "bn2")
_CONVS = ("conv1", "conv2", "conv_out")


def _init(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)  # DCGAN initialisation (arXiv 1511.06434)
        nn.init.zeros_(module.bias)


class _JointConditionalBatchNorm(nn.Module):
    """BN(h) * (1 + g_class[y] + g_colour[c]) + b_class[y] + b_colour[c]; embeddings start at zero."""

    def __init__(self, channels, num_classes, num_colours):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM, affine=False)
        self.gain_class, self.bias_class = nn.Embedding(num_classes, channels), nn.Embedding(num_classes, channels)
        self.gain_colour, self.bias_colour = nn.Embedding(num_colours, channels), nn.Embedding(num_colours, channels)
        for table in (self.gain_class, self.bias_class, self.gain_colour, self.bias_colour):
            nn.init.zeros_(table.weight)

    def forward(self, h, y, c):
        gain = 1.0 + self.gain_class(y) + self.gain_colour(c)
        bias = self.bias_class(y) + self.bias_colour(c)
        return self.bn(h) * gain[:, :, None, None] + bias[:, :, None, None]


class ControllableGenerator(nn.Module):
    """G(z, y, c) -> RGB images in [-1, 1] of class y in palette colour c.

    Args:
        latent_dim: size of z. width: channel scale w. num_classes, num_colours: sizes of the two conditions.
    Call: generator(z [N, latent_dim], y int [N], c int [N]) -> (N, 3, 28, 28) in torch, (N, 28, 28, 3) in tf.
    """

    def __init__(self, latent_dim=32, width=32, num_classes=10, num_colours=6):
        super().__init__()
        self.latent_dim, self.width = latent_dim, width
        self.num_classes, self.num_colours = num_classes, num_colours
        self.dense = nn.Linear(latent_dim, 7 * 7 * 2 * width)  # the first layer that takes z (SeFa reads it)
        self.bn0 = _JointConditionalBatchNorm(2 * width, num_classes, num_colours)
        self.conv1 = nn.Conv2d(2 * width, width, 3, padding=1)
        self.bn1 = _JointConditionalBatchNorm(width, num_classes, num_colours)
        self.conv2 = nn.Conv2d(width, width // 2, 3, padding=1)
        self.bn2 = _JointConditionalBatchNorm(width // 2, num_classes, num_colours)
        self.conv_out = nn.Conv2d(width // 2, 3, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.apply(_init)

    def forward(self, z, y, c):
        h = self.dense(z).view(-1, 2 * self.width, 7, 7)                 # (N, 2w, 7, 7)
        h = torch.relu(self.bn0(h, y, c))
        h = torch.relu(self.bn1(self.conv1(self.up(h)), y, c))          # (N, w, 14, 14)
        h = torch.relu(self.bn2(self.conv2(self.up(h)), y, c))          # (N, w/2, 28, 28)
        return torch.tanh(self.conv_out(h))                             # (N, 3, 28, 28)


class ControllableDiscriminator(nn.Module):
    """D(x, y, c) -> (scores [N], class_logits [N, K] or None, colour_logits [N, P] or None).

    head="projection": scores = psi(h) + <e_class[y], h> + <e_colour[c], h>, no logits (None, None).
    head="acgan": scores = psi(h) (real/fake only), class_logits = W_y h, colour_logits = W_c h; y, c unused.
    Args:
        width: channel scale w. head: "projection" or "acgan". num_classes, num_colours: condition sizes.
        spectral_norm: normalise every weight by its largest singular value.
    Call: discriminator(x (N, 3, 28, 28) in torch, (N, 28, 28, 3) in tf, y int [N], c int [N]).
    """

    def __init__(self, width=32, head="projection", num_classes=10, num_colours=6, spectral_norm=True):
        super().__init__()
        if head not in ("projection", "acgan"):
            raise InputError(f"head must be 'projection' or 'acgan'; got {head!r}.")
        self.head = head
        sn = nn.utils.parametrizations.spectral_norm if spectral_norm else (lambda m: m)
        self.conv1 = nn.Conv2d(3, width // 2, 3, padding=1)
        self.conv2 = nn.Conv2d(width // 2, width, 4, stride=2, padding=1)      # 28 -> 14
        self.conv3 = nn.Conv2d(width, 2 * width, 4, stride=2, padding=1)      # 14 -> 7
        self.psi = nn.Linear(2 * width, 1)
        if head == "acgan":
            self.class_head, self.colour_head = nn.Linear(2 * width, num_classes), nn.Linear(2 * width, num_colours)
        self.apply(_init)
        for name in ("conv1", "conv2", "conv3", "psi") + (("class_head", "colour_head") if head == "acgan" else ()):
            setattr(self, name, sn(getattr(self, name)))
        if head == "projection":
            self.embed_class, self.embed_colour = nn.Embedding(num_classes, 2 * width), nn.Embedding(num_colours,
                                                                                                   2 * width)
            for table in (self.embed_class, self.embed_colour):
                nn.init.normal_(table.weight, 0.0, 0.02)
            self.embed_class, self.embed_colour = sn(self.embed_class), sn(self.embed_colour)

    def forward(self, x, y=None, c=None):
        act = nn.functional.leaky_relu
        h = act(self.conv1(x), 0.2)
        h = act(self.conv2(h), 0.2)
        h = act(self.conv3(h), 0.2)                                   # (N, 2w, 7, 7)
        h = h.sum(dim=(2, 3))                                         # (N, 2w) sum pooling
        score = self.psi(h)[:, 0]
        if self.head == "acgan":
            return score, self.class_head(h), self.colour_head(h)
        score = score + (self.embed_class(y) * h).sum(dim=1) + (self.embed_colour(c) * h).sum(dim=1)
        return score, None, None


def _labels(values, n, name, limit):
    values = np.asarray(values)
    if values.shape != (n,) or not np.issubdtype(values.dtype, np.integer):
        raise InputError(f"{name} must be integers of shape [{n}]; got {values.dtype} of shape {values.shape}.")
    if n and (values.min() < 0 or values.max() >= limit):
        raise InputError(f"{name} must lie in [0, {limit}); got values in [{values.min()}, {values.max()}].")
    return values.astype(np.int64)


@torch.no_grad()
def generate_images(generator, z, classes, colours, batch_size=500):
    """uint8 RGB images [N, 28, 28, 3] = G(z, y, c), generator in eval mode (BatchNorm's running statistics).

    Args:
        z: float32 [N, latent_dim]. classes: int [N] in [0, K). colours: int [N] palette indices in [0, P).
    """
    z = np.asarray(z, dtype=np.float32)
    if z.ndim != 2 or z.shape[1] != generator.latent_dim:
        raise InputError(f"z must have shape [N, {generator.latent_dim}]; got {z.shape}.")
    classes = _labels(classes, len(z), "classes", generator.num_classes)
    colours = _labels(colours, len(z), "colours", generator.num_colours)
    was_training, where = generator.training, generator.dense.weight.device  # a generator trained on a GPU stays there
    generator.eval()
    out = []
    for start in range(0, len(z), batch_size):
        part = slice(start, start + batch_size)
        images = generator(*(torch.from_numpy(array[part]).to(where) for array in (z, classes, colours)))
        out.append(to_numpy(images.permute(0, 2, 3, 1)))              # (B, 28, 28, 3) channels last
    generator.train(was_training)
    images = np.concatenate(out) if out else np.zeros((0, 28, 28, 3), np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def sample_images(generator, classes, colours, seed=0, truncation=None):
    """uint8 RGB images [N, 28, 28, 3] for the requested classes and colours, z drawn in numpy from `seed`
    (so both twins see the same latents); truncation: |z_i| <= truncation (arXiv 1809.11096), None for none."""
    z = latent_batch(len(np.asarray(classes)), generator.latent_dim, seed, truncation)
    return generate_images(generator, z, classes, colours)


def generator_weights(generator):
    """The generator's weights as {name: float32 numpy array} in the framework-neutral layout (dense (in, out),
    conv (kh, kw, in, out), BatchNorm running mean and variance, the four condition tables per block)."""
    out = {"dense.kernel": to_numpy(generator.dense.weight).T,
           "dense.bias": to_numpy(generator.dense.bias)}
    for name in _CONVS:
        conv = getattr(generator, name)
        out[f"{name}.kernel"] = to_numpy(conv.weight).transpose(2, 3, 1, 0)  # OIHW -> HWIO
        out[f"{name}.bias"] = to_numpy(conv.bias)
    for name in _BLOCKS:
        block = getattr(generator, name)
        out[f"{name}.mean"] = to_numpy(block.bn.running_mean)
        out[f"{name}.var"] = to_numpy(block.bn.running_var)
        for table in ("gain_class", "bias_class", "gain_colour", "bias_colour"):
            out[f"{name}.{table}"] = to_numpy(getattr(block, table).weight)
    return {key: np.array(value, dtype=np.float32) for key, value in out.items()}


@torch.no_grad()
def load_generator_weights(generator, weights):
    """Copy {name: numpy array} (the layout of `generator_weights`, from either twin) into `generator`."""
    mine = generator_weights(generator)
    if set(weights) != set(mine):
        raise InputError(f"weights must have exactly the keys {sorted(mine)}; missing "
                         f"{sorted(set(mine) - set(weights))}, unexpected {sorted(set(weights) - set(mine))}.")
    for key, value in weights.items():
        if np.shape(value) != mine[key].shape:
            raise InputError(f"weights[{key!r}] must have shape {mine[key].shape} for this generator (latent_dim "
                             f"{generator.latent_dim}, width {generator.width}); got {np.shape(value)}.")
    tensor = lambda key: torch.from_numpy(np.asarray(weights[key], np.float32))
    generator.dense.weight.copy_(tensor("dense.kernel").T), generator.dense.bias.copy_(tensor("dense.bias"))
    for name in _CONVS:
        conv = getattr(generator, name)
        conv.weight.copy_(tensor(f"{name}.kernel").permute(3, 2, 0, 1)), conv.bias.copy_(tensor(f"{name}.bias"))
    for name in _BLOCKS:
        block = getattr(generator, name)
        block.bn.running_mean.copy_(tensor(f"{name}.mean")), block.bn.running_var.copy_(tensor(f"{name}.var"))
        for table in ("gain_class", "bias_class", "gain_colour", "bias_colour"):
            getattr(block, table).weight.copy_(tensor(f"{name}.{table}"))
    return generator
