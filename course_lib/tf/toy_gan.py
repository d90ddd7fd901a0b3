"""A small MLP GAN on toy 2-D mixtures in TensorFlow (twin of course_lib/torch/toy_gan.py).

The loop is three numbered steps, identical in both twins: `# 1. sample z`, `# 2. update D`, `# 3. update G`.
Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf

from course_lib.config import ToyGANConfig, asdict
from course_lib.tf import losses
from course_lib.tf.layers import SpectralNormLinear, minibatch_std, pack
from course_lib.tf.loss_pairs import gan_loss_pair
from course_lib.tf.utils import set_seed
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


def _dense(units, fan_in, activation=None):
    # PyTorch's nn.Linear initialisation (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for kernel and bias), so that
    # both twins start training from the same kind of network
    bound = 1.0 / np.sqrt(fan_in)
    return tf.keras.layers.Dense(
        units, activation=activation,
        kernel_initializer=tf.keras.initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform"),
        bias_initializer=tf.keras.initializers.RandomUniform(-bound, bound))


def _built_dense(fan_in, units):
    layer = _dense(units, fan_in)
    layer.build((None, fan_in))
    return layer


def _mlp(in_dim, hidden, depth, out_dim):
    layers, width = [], in_dim
    for _ in range(depth):
        layers.append(_dense(hidden, width, "relu"))
        width = hidden
    layers.append(_dense(out_dim, width))
    net = tf.keras.Sequential(layers)
    net.build((None, in_dim))
    return net


def _dense_layers(net):
    # the plain Dense of every dense layer (inside SpectralNormLinear too), input to output
    layers = net.layers if isinstance(net, tf.keras.Sequential) else net
    return [layer.linear if isinstance(layer, SpectralNormLinear) else layer for layer in layers]


class _NumpyWeights:
    def get_numpy_weights(self):
        """[(kernel [in, out], bias [out]), ...] of every dense layer, input to output, as numpy."""
        return [(layer.kernel.numpy().copy(), layer.bias.numpy().copy()) for layer in _dense_layers(self.net)]

    def set_numpy_weights(self, weights):
        """Load [(kernel [in, out], bias [out]), ...] as returned by get_numpy_weights (either twin)."""
        dense = _dense_layers(self.net)
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
    """D(x): x [N, in_dim] -> logits or scores [N // pack, 1], `depth` hidden ReLU layers of `hidden` units.

    Remedies against mode collapse (notebooks/02_gan_instability.ipynb): `pack` > 1 judges `pack` samples at
    once (PacGAN, arXiv 1712.04086); `minibatch_std` appends the batch's feature std before the last layer
    (arXiv 1710.10196); `spectral_norm` divides every weight by its largest singular value (arXiv 1802.05957).
    Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
    """

    def __init__(self, in_dim=2, hidden=128, depth=3, pack=1, minibatch_std=False, spectral_norm=False):
        super().__init__()
        self.in_dim, self.pack, self.minibatch_std = in_dim, int(pack), bool(minibatch_std)
        self.spectral_norm = bool(spectral_norm)
        extra = 1 if minibatch_std else 0
        if spectral_norm or minibatch_std:
            # a plain list of linear layers (ReLU applied in call); with spectral norm every call advances the
            # power iteration, like torch's modules in training mode
            make = SpectralNormLinear if spectral_norm else _built_dense
            widths = [in_dim * self.pack] + [hidden] * depth
            self.net = [make(a, b) for a, b in zip(widths[:-1], widths[1:])] + [make(hidden + extra, 1)]
        else:
            self.net = _mlp(in_dim * self.pack, hidden, depth, 1)

    def call(self, x):
        if x.shape[-1] != self.in_dim:
            raise ValueError(f"ToyDiscriminator expects inputs [N, {self.in_dim}] but got {tuple(x.shape)}: "
                             f"its in_dim must equal the generator's output size.")
        h = pack(x, self.pack)  # (N // pack, pack * in_dim)
        if isinstance(self.net, tf.keras.Sequential):
            return self.net(h)
        for layer in self.net[:-1]:
            h = tf.nn.relu(layer(h, training=True) if self.spectral_norm else layer(h))
        if self.minibatch_std:
            h = minibatch_std(h)
        return self.net[-1](h, training=True) if self.spectral_norm else self.net[-1](h)


def discriminator_step(generator, discriminator, optimizer, real, z, config):
    """One update of D on a real batch [N, 2] and latent batch [N, latent_dim]: the loss plus penalties.

    Returns the adversarial loss (without penalties) as a scalar tensor.
    Used in: notebooks/01_gan_losses.ipynb
    """
    d_loss_fn = gan_loss_pair(config.loss).discriminator
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
    g_loss_fn = gan_loss_pair(config.loss).generator
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
    """D's outputs (logits or scores) on numpy samples x [n, in_dim], as float32 numpy [n // pack].

    Used in: notebooks/01_gan_losses.ipynb
    """
    x = tf.constant(np.asarray(x, dtype=np.float32))
    return discriminator(x).numpy().reshape(-1)


def _check_remedies(config):
    if config.batch_size % config.pack:
        raise ValueError(f"ToyGANConfig.batch_size ({config.batch_size}) must be a multiple of pack "
                         f"({config.pack}): D judges groups of `pack` samples.")


def _clip_weights(discriminator, clip):
    # WGAN weight clipping (arXiv 1701.07875): every weight of D into [-clip, clip] after its update
    if clip > 0:
        for variable in discriminator.trainable_variables:
            variable.assign(tf.clip_by_value(variable, -clip, clip))


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
    return _train(config, progress, monitor)


def _diverged(config, done, d_value, g_value):
    return FloatingPointError(f"toy GAN ({config.loss}) diverged at step {done}: d_loss={d_value}, g_loss={g_value}. "
                              "Lower lr, or for 'wasserstein' set gp_weight (e.g. 0.1-10).")


def _compiled_step(config, generator, discriminator, g_opt, d_opt, pool):
    """One whole training step (D's critic steps, the unrolled look-ahead, G's step) as one tf.function.

    Sampling happens inside the graph too: on a CPU, the Python calls and eager random ops around a small step
    cost as much as the step itself, so one call per step trains about 1.8x faster than a call per update.
    """
    def sample_real():
        return tf.gather(pool, tf.random.uniform([config.batch_size], 0, POOL_SIZE, dtype=tf.int32))

    def sample_z():
        return tf.random.normal([config.batch_size, config.latent_dim])

    def update_d():
        # 1. sample z (and a real batch)
        real, z = sample_real(), sample_z()
        # 2. update D
        d_loss = discriminator_step(generator, discriminator, d_opt, real, z, config)
        _clip_weights(discriminator, config.weight_clip)
        return d_loss

    unrolled_state = discriminator.variables + d_opt.variables if config.unrolled_steps else []

    def step():
        for _ in range(config.critic_steps):
            d_loss = update_d()
        # unrolled GAN (first-order form, arXiv 1611.02163): G answers D advanced k more steps, then D is reset
        saved = [tf.identity(tf.convert_to_tensor(v)) for v in unrolled_state]
        for _ in range(config.unrolled_steps):
            update_d()
        # 3. update G
        g_loss = generator_step(generator, discriminator, g_opt, sample_z(), config)
        for variable, value in zip(unrolled_state, saved):
            variable.assign(value)
        return d_loss, g_loss

    return tf.function(step)  # compiled once per run: the config's options are Python constants inside the graph


def _train(config, progress, monitor):
    set_seed(config.seed)
    mixture = toy_mixture(config.data, POOL_SIZE, config.seed)
    generator = ToyGenerator(config.latent_dim, config.hidden, config.depth)
    discriminator = ToyDiscriminator(2, config.hidden, config.depth, config.pack, config.minibatch_std,
                                     config.spectral_norm)
    g_opt = tf.keras.optimizers.Adam(learning_rate=config.lr, beta_1=config.beta1, beta_2=config.beta2)
    d_opt = tf.keras.optimizers.Adam(learning_rate=config.lr, beta_1=config.beta1, beta_2=config.beta2)
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)
    train_step = _compiled_step(config, generator, discriminator, g_opt, d_opt, tf.constant(mixture.samples))
    result = ToyGANResult("tf", asdict(config), samples=np.zeros((0, 2), np.float32),
                          means=mixture.means, std=mixture.std, generator=generator, discriminator=discriminator)
    log = StepLog(("d_loss", "g_loss"), monitor, loss=config.loss)
    result.history = log.history
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
        d_loss, g_loss = train_step()
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
