"""Training loop of the controllable GAN: G(z, class, colour) against a projection or an ACGAN discriminator
(TensorFlow twin of course_lib/torch/controllable_train.py). Same numbered steps in both twins.

Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from course_lib.controllable.config import ControllableGANConfig
from course_lib.errors import InputError
from course_lib.tf.acgan import acgan_discriminator_loss, acgan_generator_loss
from course_lib.tf.controllable import ControllableDiscriminator, ControllableGenerator
from course_lib.tf.losses import (
    auxiliary_classifier_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
    minimax_discriminator_loss,
    non_saturating_generator_loss,
)
from course_lib.tf.product_gan import EMA

__all__ = ["build_models", "train_controllable_gan"]


def build_models(config):
    """(generator, discriminator) for a ControllableGANConfig."""
    generator = ControllableGenerator(config.latent_dim, config.width, config.num_classes, config.num_colours)
    discriminator = ControllableDiscriminator(config.width, config.head, config.num_classes, config.num_colours,
                                              config.spectral_norm)
    return generator, discriminator


def _check_data(images, classes, colours, config):
    images, classes, colours = np.asarray(images), np.asarray(classes), np.asarray(colours)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != (28, 28, 3):
        raise InputError(f"images must be uint8 [N, 28, 28, 3] coloured products; got {images.dtype} {images.shape}.")
    for name, values, limit in (("classes", classes, config.num_classes), ("colours", colours, config.num_colours)):
        if values.shape != (len(images),) or values.min() < 0 or values.max() >= limit:
            raise InputError(f"{name} must be integers of shape [{len(images)}] in [0, {limit}); got shape "
                             f"{values.shape}, values in [{values.min()}, {values.max()}].")
    if len(images) < config.batch_size:
        raise InputError(f"need at least batch_size = {config.batch_size} images; got {len(images)}.")
    return images, classes.astype(np.int64), colours.astype(np.int64)


def _losses(config):
    if config.adversarial == "hinge":
        return hinge_discriminator_loss, hinge_generator_loss
    return minimax_discriminator_loss, non_saturating_generator_loss


def train_controllable_gan(config: ControllableGANConfig, images, classes, colours, progress=False, on_log=None):
    """Train G(z, y, c) and D(x, y, c) for `config.steps` steps on coloured products.

    Args:
        config: a ControllableGANConfig (head "projection" or "acgan").
        images: uint8 [N, 28, 28, 3]; classes, colours: int [N].
        progress: print a line every `log_every` steps.
        on_log: optional function (step, ema_generator) called at every logged step (e.g. to save weights).
    Returns:
        {"generator", "ema_generator", "discriminator", "history" (list of {"step", "d_loss", "g_loss"}),
         "seconds", "images_per_second", "step"}.
    Used in: notebooks/06_controllable_generation.ipynb
    """
    images, classes, colours = _check_data(images, classes, colours, config)
    keras.utils.set_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    generator, discriminator = build_models(config)
    ema = EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    opt_g = keras.optimizers.Adam(config.lr_g, beta_1=config.beta1, beta_2=config.beta2)
    opt_d = keras.optimizers.Adam(config.lr_d, beta_1=config.beta1, beta_2=config.beta2)
    d_pair, g_adv = _losses(config)
    acgan, n, history, w = config.head == "acgan", config.batch_size, [], config.aux_weight
    data = tf.constant(images.astype(np.float32) / 127.5 - 1.0)                      # (N, 28, 28, 3)

    def train_step(real, y_real, c_real, z, y_fake, c_fake, decay):
        # 2. update D: real/fake targets 1/0; the conditions go to the projection or the auxiliary heads
        fake = generator(z, y_fake, c_fake, training=True)                           # (N, 28, 28, 3)
        with tf.GradientTape() as tape:
            real_out = discriminator(real, y_real, c_real, training=True)
            fake_out = discriminator(tf.stop_gradient(fake), y_fake, c_fake, training=True)
            if acgan:
                d_loss = acgan_discriminator_loss(real_out[0], fake_out[0], real_out[1], fake_out[1], y_real, y_fake,
                                                  w, config.adversarial)
                d_loss += w * (auxiliary_classifier_loss(real_out[2], c_real)
                               + auxiliary_classifier_loss(fake_out[2], c_fake))
            else:
                d_loss = d_pair(real_out[0], fake_out[0])
        grads = tape.gradient(d_loss, discriminator.trainable_variables)
        opt_d.apply_gradients(zip(grads, discriminator.trainable_variables))
        # 3. update G: fool the real/fake head and (ACGAN) be classified as the requested class and colour
        with tf.GradientTape() as tape:
            out = discriminator(generator(z, y_fake, c_fake, training=True), y_fake, c_fake, training=True)
            if acgan:
                g_loss = acgan_generator_loss(out[0], out[1], y_fake, w, config.adversarial)
                g_loss += w * auxiliary_classifier_loss(out[2], c_fake)
            else:
                g_loss = g_adv(out[0])
        grads = tape.gradient(g_loss, generator.trainable_variables)
        opt_g.apply_gradients(zip(grads, generator.trainable_variables))
        # 4. EMA of G, warmed up so a short run is not dominated by its random start
        if ema is not None:
            ema.update(generator, decay)
        return d_loss, g_loss

    if config.compile == "yes" or (config.compile == "auto" and config.steps >= 100):
        train_step = tf.function(train_step)
    started = time.perf_counter()
    for step in range(1, config.steps + 1):
        # 1. sample a real batch, z, and the classes and colours G is asked for
        index = rng.integers(0, len(images), n)
        z = rng.standard_normal((n, config.latent_dim)).astype(np.float32)
        y_fake, c_fake = rng.integers(0, config.num_classes, n), rng.integers(0, config.num_colours, n)
        decay = tf.constant(min(config.ema_decay, (1.0 + step) / (10.0 + step)), tf.float32)
        tensors = [tf.constant(a) for a in (classes[index], colours[index], z, y_fake, c_fake)]  # tensors: no retracing
        d_loss, g_loss = train_step(tf.gather(data, index), *tensors, decay)
        # 5. log, and stop on a NaN loss rather than train on garbage
        if step % config.log_every == 0 or step == config.steps:
            entry = {"step": step, "d_loss": float(d_loss), "g_loss": float(g_loss)}
            if not np.isfinite(entry["d_loss"] + entry["g_loss"]):
                raise FloatingPointError(f"loss became {entry} at step {step}: lower the learning rates.")
            history.append(entry)
            if progress:
                print(f"step {step}: D {entry['d_loss']:.3f}, G {entry['g_loss']:.3f}", flush=True)
            if on_log is not None:
                on_log(step, ema.model if ema is not None else generator)
    seconds = time.perf_counter() - started
    return {"generator": generator, "ema_generator": ema.model if ema is not None else generator,
            "discriminator": discriminator, "history": history, "seconds": seconds,
            "images_per_second": config.steps * n / max(seconds, 1e-9), "step": config.steps}
