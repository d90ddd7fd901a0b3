"""A small MLP GAN on toy 2-D mixtures in PyTorch (twin of course_lib/tf/toy_gan.py).

The loop is three numbered steps, identical in both twins: `# 1. sample z`, `# 2. update D`, `# 3. update G`.
Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
from torch import nn

from course_lib.config import ToyGANConfig, asdict
from course_lib.torch import losses
from course_lib.torch.layers import SpectralNormLinear, minibatch_std, pack
from course_lib.torch.loss_pairs import gan_loss_pair
from course_lib.torch.utils import limit_threads, set_seed
from course_lib.toy.result import ToyGANResult, toy_mixture
from course_lib.training import StepLog, is_due

__all__ = [
    "ToyDiscriminator",
    "ToyGenerator",
    "discriminate",
    "discriminator_step",
    "generate_samples",
    "generator_step",
    "train_toy_gan",
]

POOL_SIZE = 100_000  # real samples drawn once; batches are random rows of this pool


def _mlp(in_dim, hidden, depth, out_dim, spectral_norm=False, extra_last=0):
    # extra_last: inputs added before the last layer (the minibatch-std feature)
    linear = SpectralNormLinear if spectral_norm else nn.Linear
    layers, width = [], in_dim
    for _ in range(depth):
        layers += [linear(width, hidden), nn.ReLU()]
        width = hidden
    layers.append(linear(width + extra_last, out_dim))
    return nn.Sequential(*layers)


def _dense_layers(net):
    # the plain nn.Linear of every dense layer (inside SpectralNormLinear too), input to output
    return [m.linear if isinstance(m, SpectralNormLinear) else m for m in net
            if isinstance(m, (nn.Linear, SpectralNormLinear))]


class _NumpyWeights:
    def get_numpy_weights(self):
        """[(kernel [in, out], bias [out]), ...] of every dense layer, input to output, as numpy."""
        return [(m.weight.detach().cpu().numpy().T.copy(), m.bias.detach().cpu().numpy().copy())
                for m in _dense_layers(self.net)]

    def set_numpy_weights(self, weights):
        """Load [(kernel [in, out], bias [out]), ...] as returned by get_numpy_weights (either twin)."""
        dense = _dense_layers(self.net)
        if len(weights) != len(dense):
            raise ValueError(f"expected {len(dense)} (kernel, bias) pairs, got {len(weights)}.")
        with torch.no_grad():
            for m, (kernel, bias) in zip(dense, weights):
                m.weight.copy_(torch.as_tensor(np.asarray(kernel).T))
                m.bias.copy_(torch.as_tensor(np.asarray(bias)))


class ToyGenerator(nn.Module, _NumpyWeights):
    """G(z): z [N, latent_dim] -> x [N, out_dim], `depth` hidden ReLU layers of `hidden` units.

    Used in: notebooks/01_gan_losses.ipynb
    """

    def __init__(self, latent_dim=2, hidden=128, depth=3, out_dim=2):
        super().__init__()
        self.latent_dim, self.out_dim = latent_dim, out_dim
        self.net = _mlp(latent_dim, hidden, depth, out_dim)

    def forward(self, z):
        return self.net(z)


class ToyDiscriminator(nn.Module, _NumpyWeights):
    """D(x): x [N, in_dim] -> logits or scores [N // pack, 1], `depth` hidden ReLU layers of `hidden` units.

    Remedies against mode collapse (notebooks/02_gan_instability.ipynb): `pack` > 1 judges `pack` samples at
    once (PacGAN, arXiv 1712.04086); `minibatch_std` appends the batch's feature std before the last layer
    (arXiv 1710.10196); `spectral_norm` divides every weight by its largest singular value (arXiv 1802.05957).
    Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
    """

    def __init__(self, in_dim=2, hidden=128, depth=3, pack=1, minibatch_std=False, spectral_norm=False):
        super().__init__()
        self.in_dim, self.pack, self.minibatch_std = in_dim, int(pack), bool(minibatch_std)
        self.net = _mlp(in_dim * self.pack, hidden, depth, 1, spectral_norm, 1 if minibatch_std else 0)

    def forward(self, x):
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"ToyDiscriminator expects inputs [N, {self.in_dim}] but got {tuple(x.shape)}: "
                             f"its in_dim must equal the generator's output size.")
        h = pack(x, self.pack)  # (N // pack, pack * in_dim)
        if not self.minibatch_std:
            return self.net(h)
        h = self.net[:-1](h)
        return self.net[-1](minibatch_std(h))


def discriminator_step(generator, discriminator, optimizer, real, z, config):
    """One update of D on a real batch [N, 2] and latent batch [N, latent_dim]: the loss plus penalties.

    Returns the adversarial loss (without penalties) as a scalar tensor.
    Used in: notebooks/01_gan_losses.ipynb
    """
    d_loss_fn = gan_loss_pair(config.loss).discriminator
    fake = generator(z).detach()  # no gradient to G in D's step
    d_loss = d_loss_fn(discriminator(real), discriminator(fake))
    total = d_loss
    if config.gp_weight > 0:
        total = total + losses.gradient_penalty(discriminator, real, fake, config.gp_weight)
    if config.r1_gamma > 0:
        total = total + losses.r1_penalty(discriminator, real, config.r1_gamma)
    optimizer.zero_grad(set_to_none=True)
    total.backward()
    optimizer.step()
    return d_loss.detach()


def generator_step(generator, discriminator, optimizer, z, config):
    """One update of G on a latent batch [N, latent_dim]; D is used but not updated.

    Returns the generator loss as a scalar tensor.
    Used in: notebooks/01_gan_losses.ipynb
    """
    g_loss_fn = gan_loss_pair(config.loss).generator
    g_loss = g_loss_fn(discriminator(generator(z)))
    optimizer.zero_grad(set_to_none=True)
    g_loss.backward()  # also fills D's .grad; D's optimizer clears it before its own step
    optimizer.step()
    return g_loss.detach()


def generate_samples(generator, n, seed=0):
    """n samples G(z), z ~ N(0, I) drawn with `seed`, as float32 numpy [n, out_dim].

    Used in: notebooks/01_gan_losses.ipynb
    """
    z = np.random.default_rng(seed).standard_normal((n, generator.latent_dim)).astype(np.float32)
    with torch.no_grad():
        return generator(torch.from_numpy(z)).numpy()


def discriminate(discriminator, x):
    """D's outputs (logits or scores) on numpy samples x [n, in_dim], as float32 numpy [n // pack].

    Used in: notebooks/01_gan_losses.ipynb
    """
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    with torch.no_grad():
        return discriminator(x).numpy().reshape(-1)


def _check_remedies(config):
    if config.batch_size % config.pack:
        raise ValueError(f"ToyGANConfig.batch_size ({config.batch_size}) must be a multiple of pack "
                         f"({config.pack}): D judges groups of `pack` samples.")


def _clip_weights(discriminator, clip):
    # WGAN weight clipping (arXiv 1701.07875): every weight of D into [-clip, clip] after its update
    if clip > 0:
        with torch.no_grad():
            for p in discriminator.parameters():
                p.clamp_(-clip, clip)


def _learning_rate(config, step):
    start = config.lr_decay_start * config.steps
    if step < start or config.lr_decay_start >= 1.0:
        return config.lr
    return config.lr * max(0.0, (config.steps - step) / (config.steps - start))


def train_toy_gan(config, progress=False, monitor=None):
    """Train ToyGenerator against ToyDiscriminator on `config.data` with `config.loss`; see ToyGANConfig.

    Args:
        config: a ToyGANConfig.
        progress: show a tqdm progress bar.
        monitor: optional callable monitor(step, d_loss, g_loss) called at every `log_every`-th step.
    Returns:
        A ToyGANResult (numpy samples [eval_samples, 2], snapshots, loss history, seconds).
    Raises:
        FloatingPointError: when a loss becomes NaN or infinite (lower lr, or add a penalty).
    Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
    """
    if not isinstance(config, ToyGANConfig):
        raise TypeError(f"config must be a course_lib.config.ToyGANConfig; got {type(config).__name__}.")
    config.validate()
    _check_remedies(config)
    threads = limit_threads(1)  # small MLPs: one thread is as fast, and leaves the other cores free
    try:
        return _train(config, progress, monitor)
    finally:
        limit_threads(threads)


def _diverged(config, done, d_value, g_value):
    return FloatingPointError(f"toy GAN ({config.loss}) diverged at step {done}: d_loss={d_value}, g_loss={g_value}. "
                              "Lower lr, or for 'wasserstein' set gp_weight (e.g. 0.1-10).")


def _train(config, progress, monitor):
    set_seed(config.seed)
    mixture = toy_mixture(config.data, POOL_SIZE, config.seed)
    pool = torch.from_numpy(mixture.samples)
    generator = ToyGenerator(config.latent_dim, config.hidden, config.depth)
    discriminator = ToyDiscriminator(2, config.hidden, config.depth, config.pack, config.minibatch_std,
                                     config.spectral_norm)
    betas = (config.beta1, config.beta2)
    g_opt = torch.optim.Adam(generator.parameters(), lr=config.lr, betas=betas)
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=config.lr, betas=betas)
    result = ToyGANResult("torch", asdict(config), samples=np.zeros((0, 2), np.float32),
                          means=mixture.means, std=mixture.std, generator=generator, discriminator=discriminator)
    log = StepLog(("d_loss", "g_loss"), monitor, loss=config.loss)
    result.history = log.history
    steps = range(config.steps)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"toy GAN ({config.loss}, torch)")
    start = time.perf_counter()
    for step in steps:
        lr = _learning_rate(config, step)
        for opt in (g_opt, d_opt):
            for group in opt.param_groups:
                group["lr"] = lr
        for _ in range(config.critic_steps):
            # 1. sample z (and a real batch)
            real = pool[torch.randint(0, POOL_SIZE, (config.batch_size,))]
            z = torch.randn(config.batch_size, config.latent_dim)
            # 2. update D
            d_loss = discriminator_step(generator, discriminator, d_opt, real, z, config)
            _clip_weights(discriminator, config.weight_clip)
        if config.unrolled_steps:
            # unrolled GAN (first-order form, arXiv 1611.02163): G answers D advanced k more steps, then D is reset
            saved = copy.deepcopy(discriminator.state_dict()), copy.deepcopy(d_opt.state_dict())
            for _ in range(config.unrolled_steps):
                real = pool[torch.randint(0, POOL_SIZE, (config.batch_size,))]
                discriminator_step(generator, discriminator, d_opt, real,
                                   torch.randn(config.batch_size, config.latent_dim), config)
                _clip_weights(discriminator, config.weight_clip)
        # 3. update G
        z = torch.randn(config.batch_size, config.latent_dim)
        g_loss = generator_step(generator, discriminator, g_opt, z, config)
        if config.unrolled_steps:
            discriminator.load_state_dict(saved[0])
            d_opt.load_state_dict(saved[1])

        done = step + 1
        if is_due(done, config.log_every, config.steps):
            d_value, g_value = float(d_loss), float(g_loss)
            log.watch(done, d_value, g_value)  # first, so that a health monitor can stop with its own advice
            log.guard((d_value, g_value), _diverged, config, done, d_value, g_value)
            log.append(done, d_value, g_value)
        if is_due(done, config.snapshot_every):
            result.snapshots.append((done, generate_samples(generator, config.eval_samples, config.seed + 1)))
    result.seconds = time.perf_counter() - start
    result.samples = generate_samples(generator, config.eval_samples, config.seed + 1)
    return result
