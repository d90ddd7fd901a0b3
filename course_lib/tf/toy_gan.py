"""A small MLP GAN on 2-D mixtures and the remedies against mode collapse (twin of course_lib/torch/toy_gan.py).

Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import math
import time

import numpy as np
import tensorflow as tf

from course_lib.config import ToyGANConfig
from course_lib.data import toy2d
from course_lib.metrics import mode_coverage
from course_lib.tf.layers import SpectralNormLinear, _torch_like_dense, minibatch_std, pack

__all__ = ["ToyDiscriminator", "ToyGenerator", "sample_toy_generator", "train_toy_gan"]

DATASETS = {"ring": toy2d.ring_means, "grid": toy2d.grid_means}
STDS = {"ring": toy2d.RING_STD, "grid": toy2d.GRID_STD}


class ToyGenerator(tf.keras.Model):
    """G: z [N, z_dim] -> x [N, 2], an MLP of `depth` hidden ReLU layers of width `hidden`.

    Args:
        config: ToyGANConfig (z_dim, hidden, depth).
    Used in: notebooks/02_gan_instability.ipynb
    """

    def __init__(self, config):
        super().__init__()
        widths = [config.z_dim] + [config.hidden] * config.depth
        self.z_dim = config.z_dim
        self.hidden_layers = [_torch_like_dense(a, b) for a, b in zip(widths[:-1], widths[1:])]
        self.out = _torch_like_dense(widths[-1], 2)

    def call(self, z):
        h = z
        for layer in self.hidden_layers:
            h = tf.nn.relu(layer(h))
        return self.out(h)


class ToyDiscriminator(tf.keras.Model):
    """D: x [N, 2] -> logits [N // pack, 1]; packs `pack` samples, optional spectral norm and minibatch std.

    Args:
        config: ToyGANConfig (hidden, depth, pack, spectral_norm, minibatch_std).
    Used in: notebooks/02_gan_instability.ipynb
    """

    def __init__(self, config):
        super().__init__()
        self.pack_size = int(config.pack)
        self.use_minibatch_std = bool(config.minibatch_std)
        dense = SpectralNormLinear if config.spectral_norm else _torch_like_dense
        widths = [2 * self.pack_size] + [config.hidden] * config.depth
        self.hidden_layers = [dense(a, b) for a, b in zip(widths[:-1], widths[1:])]
        self.out = dense(widths[-1] + (1 if self.use_minibatch_std else 0), 1)
        self.spectral = bool(config.spectral_norm)

    def call(self, x, training=False):
        kwargs = {"training": training} if self.spectral else {}
        h = pack(x, self.pack_size)  # (N // pack, 2 * pack)
        for layer in self.hidden_layers:
            h = tf.nn.relu(layer(h, **kwargs))
        if self.use_minibatch_std:
            h = minibatch_std(h)
        return self.out(h, **kwargs)


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
    z = np.random.default_rng(seed).standard_normal((n, generator.z_dim)).astype(np.float32)
    return generator(tf.constant(z)).numpy()


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
        return tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))


def _generator_loss(config, fake_logits):
    if config.loss == "wgan":
        return -tf.reduce_mean(fake_logits)
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


def _input_gradient(discriminator, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(discriminator(x, training=True))
    return tape.gradient(total, x)  # (N, 2), d sum(D) / dx per sample


def _make_steps(config, generator, discriminator, d_opt, g_opt):
    groups = config.batch_size // config.pack

    @tf.function
    def d_step(real, z):
        fake = generator(z)
        with tf.GradientTape() as tape:
            d_loss = _losses(config, discriminator(real, training=True), discriminator(fake, training=True))
            if config.r1_gamma > 0:
                # R1: gamma/2 * E ||grad_x D(x_real)||^2 (per packed input)
                grad = _input_gradient(discriminator, real)
                d_loss = d_loss + 0.5 * config.r1_gamma * tf.reduce_sum(grad ** 2) / groups
            if config.gp_weight > 0:
                # WGAN-GP: lambda * E (||grad D(x_hat)|| - 1)^2 on random interpolates of real and fake
                alpha = tf.random.uniform((config.batch_size, 1))
                grad = _input_gradient(discriminator, alpha * real + (1 - alpha) * fake)
                norms = tf.sqrt(tf.reduce_sum(pack(grad, config.pack) ** 2, axis=1) + 1e-12)
                d_loss = d_loss + config.gp_weight * tf.reduce_mean((norms - 1) ** 2)
        variables = discriminator.trainable_variables
        d_opt.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
        if config.weight_clip > 0:
            for v in variables:
                v.assign(tf.clip_by_value(v, -config.weight_clip, config.weight_clip))
        return d_loss

    @tf.function
    def g_step(z):
        with tf.GradientTape() as tape:
            g_loss = _generator_loss(config, discriminator(generator(z), training=True))
        variables = generator.trainable_variables
        g_opt.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
        return g_loss

    return d_step, g_step


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
    tf.random.set_seed(config.seed)
    tf.keras.utils.set_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    means, std = DATASETS[config.dataset](), STDS[config.dataset]
    generator, discriminator = ToyGenerator(config), ToyDiscriminator(config)
    g_opt = tf.keras.optimizers.Adam(config.lr, beta_1=config.beta1, beta_2=config.beta2, epsilon=1e-8)
    d_opt = tf.keras.optimizers.Adam(config.lr, beta_1=config.beta1, beta_2=config.beta2, epsilon=1e-8)
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)
    d_step, g_step = _make_steps(config, generator, discriminator, d_opt, g_opt)
    snapshot_z = tf.constant(
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
        return tf.constant(x.astype(np.float32))

    def noise():
        return tf.random.normal((config.batch_size, config.z_dim))

    for step in steps:
        if step >= decay_from:  # linear decay to 0 over the last part of training
            scale = (config.steps - step) / max(config.steps - decay_from, 1)
            for opt in (g_opt, d_opt):
                opt.learning_rate.assign(config.lr * scale)
        # 1. sample z (and a batch of real samples)
        # 2. update D (d_steps times)
        for _ in range(config.d_steps):
            d_loss = d_step(real_batch(), noise())
        if config.unrolled_steps > 0:
            # unrolled GAN (first-order surrogate): G trains against D advanced k steps, then D is restored
            saved = [v.numpy() for v in discriminator.variables + d_opt.variables]
            for _ in range(config.unrolled_steps):
                d_step(real_batch(), noise())
        # 3. update G
        g_loss = g_step(noise())
        if config.unrolled_steps > 0:
            for v, value in zip(discriminator.variables + d_opt.variables, saved):
                v.assign(value)
        d_loss, g_loss = float(d_loss), float(g_loss)
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
            snapshots.append((step + 1, generator(snapshot_z).numpy()))
    samples = sample_toy_generator(generator, config.eval_samples, seed=config.seed + 2)
    return {"generator": generator, "discriminator": discriminator, "history": history, "snapshots": snapshots,
            "samples": samples, "coverage": mode_coverage(samples, means, std),
            "seconds": time.perf_counter() - start}
