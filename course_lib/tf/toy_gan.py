"""A small MLP GAN on toy 2-D mixtures in TensorFlow (twin of course_lib/torch/toy_gan.py).

The loop is three numbered steps, identical in both twins: `# 1. sample z`, `# 2. update D`, `# 3. update G`.
Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf

from course_lib.config import GAN_LOSS_PAIRS, ToyGANConfig, asdict
from course_lib.toy_gan_result import ToyGANResult, toy_mixture
from course_lib.tf import losses
from course_lib.tf.utils import set_seed

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


def _dense(units, fan_in, activation=None):
    # PyTorch's nn.Linear initialisation (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for kernel and bias), so that
    # both twins start training from the same kind of network
    bound = 1.0 / np.sqrt(fan_in)
    return tf.keras.layers.Dense(
        units, activation=activation,
        kernel_initializer=tf.keras.initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform"),
        bias_initializer=tf.keras.initializers.RandomUniform(-bound, bound))


def _mlp(in_dim, hidden, depth, out_dim):
    layers, width = [], in_dim
    for _ in range(depth):
        layers.append(_dense(hidden, width, "relu"))
        width = hidden
    layers.append(_dense(out_dim, width))
    net = tf.keras.Sequential(layers)
    net.build((None, in_dim))
    return net


class _NumpyWeights:
    def get_numpy_weights(self):
        """[(kernel [in, out], bias [out]), ...] of every dense layer, input to output, as numpy."""
        return [(layer.kernel.numpy().copy(), layer.bias.numpy().copy()) for layer in self.net.layers]

    def set_numpy_weights(self, weights):
        """Load [(kernel [in, out], bias [out]), ...] as returned by get_numpy_weights (either twin)."""
        dense = self.net.layers
        if len(weights) != len(dense):
            raise ValueError(f"expected {len(dense)} (kernel, bias) pairs, got {len(weights)}.")
        for layer, (kernel, bias) in zip(dense, weights):
            layer.kernel.assign(np.asarray(kernel, np.float32))
            layer.bias.assign(np.asarray(bias, np.float32))


class ToyGenerator(tf.keras.Model, _NumpyWeights):
    """G(z): z [N, latent_dim] -> x [N, out_dim], `depth` hidden ReLU layers of `hidden` units.

    Used in: notebooks/01_gan_losses.ipynb
    """

    def __init__(self, latent_dim=2, hidden=128, depth=3, out_dim=2):
        super().__init__()
        self.latent_dim, self.out_dim = latent_dim, out_dim
        self.net = _mlp(latent_dim, hidden, depth, out_dim)

    def call(self, z):
        return self.net(z)


class ToyDiscriminator(tf.keras.Model, _NumpyWeights):
    """D(x): x [N, in_dim] -> logits or scores [N, 1], `depth` hidden ReLU layers of `hidden` units.

    Used in: notebooks/01_gan_losses.ipynb
    """

    def __init__(self, in_dim=2, hidden=128, depth=3):
        super().__init__()
        self.in_dim = in_dim
        self.net = _mlp(in_dim, hidden, depth, 1)

    def call(self, x):
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"ToyDiscriminator expects inputs [N, {self.in_dim}] but got {tuple(x.shape)}: "
                             f"its in_dim must equal the generator's output size.")
        return self.net(x)


def _loss_functions(config):
    d_name, g_name = GAN_LOSS_PAIRS[config.loss]
    return getattr(losses, d_name), getattr(losses, g_name)


def discriminator_step(generator, discriminator, optimizer, real, z, config):
    """One update of D on a real batch [N, 2] and latent batch [N, latent_dim]: the loss plus penalties.

    Returns the adversarial loss (without penalties) as a scalar tensor.
    Used in: notebooks/01_gan_losses.ipynb
    """
    d_loss_fn, _ = _loss_functions(config)
    fake = tf.stop_gradient(generator(z))  # no gradient to G in D's step
    with tf.GradientTape() as tape:
        d_loss = d_loss_fn(discriminator(real), discriminator(fake))
        total = d_loss
        if config.gp_weight > 0:
            total = total + losses.gradient_penalty(discriminator, real, fake, config.gp_weight)
        if config.r1_gamma > 0:
            total = total + losses.r1_penalty(discriminator, real, config.r1_gamma)
    grads = tape.gradient(total, discriminator.trainable_variables)
    optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
    return d_loss


def generator_step(generator, discriminator, optimizer, z, config):
    """One update of G on a latent batch [N, latent_dim]; D is used but not updated.

    Returns the generator loss as a scalar tensor.
    Used in: notebooks/01_gan_losses.ipynb
    """
    _, g_loss_fn = _loss_functions(config)
    with tf.GradientTape() as tape:
        g_loss = g_loss_fn(discriminator(generator(z)))
    grads = tape.gradient(g_loss, generator.trainable_variables)  # only G's variables: D stays as it is
    optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return g_loss


def generate_samples(generator, n, seed=0):
    """n samples G(z), z ~ N(0, I) drawn with `seed`, as float32 numpy [n, out_dim].

    Used in: notebooks/01_gan_losses.ipynb
    """
    z = np.random.default_rng(seed).standard_normal((n, generator.latent_dim)).astype(np.float32)
    return generator(tf.constant(z)).numpy()


def discriminate(discriminator, x):
    """D's outputs (logits or scores) on numpy samples x [n, in_dim], as float32 numpy [n].

    Used in: notebooks/01_gan_losses.ipynb
    """
    x = tf.constant(np.asarray(x, dtype=np.float32))
    return discriminator(x).numpy().reshape(len(x))


def _not_yet_implemented(config):
    for name, off in (("pack", 1), ("minibatch_std", False), ("spectral_norm", False),
                      ("unrolled_steps", 0), ("weight_clip", 0.0)):
        if getattr(config, name) != off:
            raise NotImplementedError(f"ToyGANConfig.{name}={getattr(config, name)!r} is a remedy added by issue 4 "
                                      f"(notebooks/02_gan_instability.ipynb); leave it at {off!r} for now.")


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
    _not_yet_implemented(config)
    return _train(config, progress, monitor)


def _train(config, progress, monitor):
    set_seed(config.seed)
    mixture = toy_mixture(config.data, POOL_SIZE, config.seed)
    pool = tf.constant(mixture.samples)
    generator = ToyGenerator(config.latent_dim, config.hidden, config.depth)
    discriminator = ToyDiscriminator(2, config.hidden, config.depth)
    g_opt = tf.keras.optimizers.Adam(learning_rate=config.lr, beta_1=config.beta1, beta_2=config.beta2)
    d_opt = tf.keras.optimizers.Adam(learning_rate=config.lr, beta_1=config.beta1, beta_2=config.beta2)
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)
    # compiled once per run: the config's options are Python constants inside the graph
    d_step = tf.function(lambda real, z: discriminator_step(generator, discriminator, d_opt, real, z, config))
    g_step = tf.function(lambda z: generator_step(generator, discriminator, g_opt, z, config))
    result = ToyGANResult("tf", asdict(config), samples=np.zeros((0, 2), np.float32),
                          means=mixture.means, std=mixture.std, generator=generator, discriminator=discriminator)
    steps = range(config.steps)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc=f"toy GAN ({config.loss}, tf)")
    current_lr = config.lr
    start = time.perf_counter()
    for step in steps:
        lr = _learning_rate(config, step)
        if lr != current_lr:
            current_lr = lr
            g_opt.learning_rate.assign(lr)
            d_opt.learning_rate.assign(lr)
        for _ in range(config.critic_steps):
            # 1. sample z (and a real batch)
            real = tf.gather(pool, tf.random.uniform([config.batch_size], 0, POOL_SIZE, dtype=tf.int32))
            z = tf.random.normal([config.batch_size, config.latent_dim])
            # 2. update D
            d_loss = d_step(real, z)
        # 3. update G
        z = tf.random.normal([config.batch_size, config.latent_dim])
        g_loss = g_step(z)

        if (step + 1) % config.log_every == 0 or step + 1 == config.steps:
            d_value, g_value = float(d_loss), float(g_loss)
            if not (np.isfinite(d_value) and np.isfinite(g_value)):
                raise FloatingPointError(
                    f"toy GAN ({config.loss}) diverged at step {step + 1}: d_loss={d_value}, g_loss={g_value}. "
                    f"Lower lr, or for 'wasserstein' set gp_weight (e.g. 0.1-10).")
            for key, value in (("step", step + 1), ("d_loss", d_value), ("g_loss", g_value)):
                result.history[key].append(value)
            if monitor is not None:
                monitor(step + 1, d_value, g_value)
        if config.snapshot_every and (step + 1) % config.snapshot_every == 0:
            result.snapshots.append((step + 1, generate_samples(generator, config.eval_samples, config.seed + 1)))
    result.seconds = time.perf_counter() - start
    result.samples = generate_samples(generator, config.eval_samples, config.seed + 1)
    return result
