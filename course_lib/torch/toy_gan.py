"""A small MLP GAN on 2-D mixtures and the remedies against mode collapse (twin of course_lib/tf/toy_gan.py).

Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch

from course_lib.config import ToyGANConfig
from course_lib.data import toy2d
from course_lib.metrics import mode_coverage
from course_lib.torch.layers import SpectralNormLinear, minibatch_std, pack

__all__ = ["ToyDiscriminator", "ToyGenerator", "sample_toy_generator", "train_toy_gan"]

DATASETS = {"ring": toy2d.ring_means, "grid": toy2d.grid_means}
STDS = {"ring": toy2d.RING_STD, "grid": toy2d.GRID_STD}


class ToyGenerator(torch.nn.Module):
    """G: z [N, z_dim] -> x [N, 2], an MLP of `depth` hidden ReLU layers of width `hidden`.

    Args:
        config: ToyGANConfig (z_dim, hidden, depth).
    Used in: notebooks/02_gan_instability.ipynb
    """

    def __init__(self, config):
        super().__init__()
        widths = [config.z_dim] + [config.hidden] * config.depth
        layers = []
        for w_in, w_out in zip(widths[:-1], widths[1:]):
            layers += [torch.nn.Linear(w_in, w_out), torch.nn.ReLU()]
        self.body = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], 2))

    def forward(self, z):
        return self.body(z)


class ToyDiscriminator(torch.nn.Module):
    """D: x [N, 2] -> logits [N // pack, 1]; packs `pack` samples, optional spectral norm and minibatch std.

    Args:
        config: ToyGANConfig (hidden, depth, pack, spectral_norm, minibatch_std).
    Used in: notebooks/02_gan_instability.ipynb
    """

    def __init__(self, config):
        super().__init__()
        self.pack_size = int(config.pack)
        self.use_minibatch_std = bool(config.minibatch_std)
        dense = SpectralNormLinear if config.spectral_norm else torch.nn.Linear
        widths = [2 * self.pack_size] + [config.hidden] * config.depth
        self.hidden_layers = torch.nn.ModuleList(dense(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.out = dense(widths[-1] + (1 if self.use_minibatch_std else 0), 1)

    def forward(self, x):
        h = pack(x, self.pack_size)  # (N // pack, 2 * pack)
        for layer in self.hidden_layers:
            h = torch.relu(layer(h))
        if self.use_minibatch_std:
            h = minibatch_std(h)
        return self.out(h)


def sample_toy_generator(generator, n, seed=0):
    """n samples of G as numpy float32 [n, 2], from z ~ N(0, I) drawn with `seed` (the same z in both twins).

    Args:
        generator: a ToyGenerator.
        n: number of samples.
        seed: seed of the numpy generator that draws z.
    Returns:
        numpy float32 [n, 2].
    Used in: notebooks/02_gan_instability.ipynb
    """
    z_dim = generator.body[0].in_features
    z = np.random.default_rng(seed).standard_normal((n, z_dim)).astype(np.float32)
    with torch.no_grad():
        return generator(torch.from_numpy(z)).numpy()


def _check_config(config):
    if config.dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}; got {config.dataset!r}.")
    if config.loss not in ("non_saturating", "wgan"):
        raise ValueError(f'loss must be "non_saturating" or "wgan"; got {config.loss!r}.')
    if config.pack < 1 or config.batch_size % config.pack:
        raise ValueError(f"batch_size ({config.batch_size}) must be a multiple of pack ({config.pack}).")


def _losses(config, real_logits, fake_logits):
    # non-saturating GAN: softplus(-x) = -log sigmoid(x), softplus(x) = -log(1 - sigmoid(x)); WGAN: critic scores
    if config.loss == "wgan":
        return torch.mean(fake_logits) - torch.mean(real_logits)
    return torch.mean(torch.nn.functional.softplus(-real_logits)) + torch.mean(torch.nn.functional.softplus(fake_logits))


def _generator_loss(config, fake_logits):
    if config.loss == "wgan":
        return -torch.mean(fake_logits)
    return torch.mean(torch.nn.functional.softplus(-fake_logits))


def _input_gradient(discriminator, x):
    x = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(torch.sum(discriminator(x)), x, create_graph=True)
    return grad  # (N, 2), d sum(D) / dx per sample


def _d_step(config, generator, discriminator, d_opt, real, z):
    fake = generator(z).detach()
    d_loss = _losses(config, discriminator(real), discriminator(fake))
    groups = real.shape[0] // config.pack
    if config.r1_gamma > 0:
        # R1: gamma/2 * E ||grad_x D(x_real)||^2 (per packed input)
        grad = _input_gradient(discriminator, real)
        d_loss = d_loss + 0.5 * config.r1_gamma * torch.sum(grad ** 2) / groups
    if config.gp_weight > 0:
        # WGAN-GP: lambda * E (||grad D(x_hat)|| - 1)^2 on random interpolates of real and fake
        alpha = torch.rand(real.shape[0], 1)
        grad = _input_gradient(discriminator, alpha * real + (1 - alpha) * fake)
        norms = torch.sqrt(torch.sum(pack(grad, config.pack) ** 2, dim=1) + 1e-12)
        d_loss = d_loss + config.gp_weight * torch.mean((norms - 1) ** 2)
    d_opt.zero_grad(set_to_none=True)
    d_loss.backward()
    d_opt.step()
    if config.weight_clip > 0:
        with torch.no_grad():
            for p in discriminator.parameters():
                p.clamp_(-config.weight_clip, config.weight_clip)
    return float(d_loss.detach())


def train_toy_gan(config=None, progress=False, monitor=None):
    """Train a GAN on a 2-D mixture; D loss -log D(x) - log(1 - D(G(z))), G loss -log D(G(z)) (arXiv 1406.2661).

    Remedies (ToyGANConfig): pack, minibatch_std, spectral_norm, unrolled_steps, weight_clip, gp_weight, r1_gamma.
    Real batches are drawn with numpy (seed `config.seed`), so both twins see the same data stream.

    Args:
        config: ToyGANConfig (defaults when None).
        progress: show a tqdm progress bar.
        monitor: optional callable monitor(step, d_loss, g_loss) called after every step with Python floats,
            e.g. course_lib.health.TrainingMonitor; it may raise to stop training.
    Returns:
        dict with "generator", "discriminator", "history" {"step", "d_loss", "g_loss"} (lists),
        "snapshots" [(step, samples [snapshot_samples, 2])], "samples" [eval_samples, 2] (numpy),
        "coverage" (ModeCoverage of the samples), "seconds".
    Used in: notebooks/02_gan_instability.ipynb
    """
    config = config or ToyGANConfig()
    _check_config(config)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    means, std = DATASETS[config.dataset](), STDS[config.dataset]
    generator, discriminator = ToyGenerator(config), ToyDiscriminator(config)
    g_opt = torch.optim.Adam(generator.parameters(), lr=config.lr, betas=(config.beta1, config.beta2))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=config.lr, betas=(config.beta1, config.beta2))
    snapshot_z = torch.from_numpy(
        np.random.default_rng(config.seed + 1).standard_normal((config.snapshot_samples, config.z_dim)).astype(np.float32))
    history = {"step": [], "d_loss": [], "g_loss": []}
    snapshots = []
    decay_from = int(config.lr_decay_start * config.steps)
    steps = range(config.steps)
    if progress:
        from tqdm.auto import tqdm
        steps = tqdm(steps, desc=f"{config.dataset} GAN", leave=False)
    start = time.perf_counter()

    def real_batch():
        labels = rng.integers(0, len(means), size=config.batch_size)
        x = means[labels] + std * rng.standard_normal((config.batch_size, 2))
        return torch.from_numpy(x.astype(np.float32))

    for step in steps:
        if step >= decay_from:  # linear decay to 0 over the last part of training
            scale = (config.steps - step) / max(config.steps - decay_from, 1)
            for opt in (g_opt, d_opt):
                for group in opt.param_groups:
                    group["lr"] = config.lr * scale
        # 1. sample z (and a batch of real samples)
        # 2. update D (d_steps times)
        for _ in range(config.d_steps):
            d_loss = _d_step(config, generator, discriminator, d_opt, real_batch(),
                             torch.randn(config.batch_size, config.z_dim))
        if config.unrolled_steps > 0:
            # unrolled GAN (first-order surrogate): G trains against D advanced k steps, then D is restored
            saved = (copy.deepcopy(discriminator.state_dict()), copy.deepcopy(d_opt.state_dict()))
            for _ in range(config.unrolled_steps):
                _d_step(config, generator, discriminator, d_opt, real_batch(),
                        torch.randn(config.batch_size, config.z_dim))
        # 3. update G
        g_loss = _generator_loss(config, discriminator(generator(torch.randn(config.batch_size, config.z_dim))))
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        if config.unrolled_steps > 0:
            discriminator.load_state_dict(saved[0])
            d_opt.load_state_dict(saved[1])
        g_loss = float(g_loss.detach())
        history["step"].append(step)
        history["d_loss"].append(d_loss)
        history["g_loss"].append(g_loss)
        if monitor is not None:
            monitor(step, d_loss, g_loss)
        elif not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            raise FloatingPointError(
                f"step {step}: D loss {d_loss}, G loss {g_loss} is not finite. Lower config.lr, or add a "
                "penalty (r1_gamma=1.0) to keep D smooth.")
        if config.snapshot_every and (step + 1) % config.snapshot_every == 0:
            with torch.no_grad():
                snapshots.append((step + 1, generator(snapshot_z).numpy()))
    samples = sample_toy_generator(generator, config.eval_samples, seed=config.seed + 2)
    return {"generator": generator, "discriminator": discriminator, "history": history, "snapshots": snapshots,
            "samples": samples, "coverage": mode_coverage(samples, means, std),
            "seconds": time.perf_counter() - start}
