"""Training the restoration U-Net: L1 only, or L1 plus a conditional adversarial loss (pix2pix, arXiv 1611.07004)
(TensorFlow twin of course_lib/torch/restoration_train.py).

L_G = mean |G(x) - y| + adversarial_weight * mean_patches softplus(-D(x, G(x)))   (non-saturating),
L_D = mean_patches [softplus(-D(x, y)) + softplus(D(x, G(x)))],
x the degraded input, y the clean photo. pix2pix writes L_cGAN + lambda * L1 with lambda = 100; here the L1
term has weight 1, so adversarial_weight = 1 / lambda.
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import time

import keras
import numpy as np
import tensorflow as tf

from course_lib.data.images import check_uint8_images, uint8_to_unit_range
from course_lib.errors import InputError
from course_lib.tf.losses import (
    minimax_discriminator_loss,
    non_saturating_generator_loss,
)
from course_lib.tf.unet import PatchDiscriminator

__all__ = ["train_restoration"]

COMPILE_FROM_STEPS = 100  # fewer steps run eagerly: tracing the step costs more than it saves


def _check_pairs(degraded, clean):
    degraded, clean = check_uint8_images(degraded), check_uint8_images(clean)
    if degraded.shape != clean.shape or len(clean) == 0:
        raise InputError(f"degraded and clean must be non-empty uint8 [N, 28, 28] pairs of the same shape; got "
                         f"{degraded.shape} and {clean.shape}. Upscale the degraded images first (bicubic_upscale).")
    return uint8_to_unit_range(degraded)[..., None], uint8_to_unit_range(clean)[..., None]  # (N, 28, 28, 1)


def train_restoration(unet, degraded, clean, adversarial_weight=0.0, discriminator=None, steps=500,
                      batch_size=64, learning_rate=5e-4, seed=0, log_every=50):
    """Train `unet` in place to map degraded images to clean ones; with adversarial_weight > 0, pix2pix-style.

    Args:
        unet: a course_lib.tf.unet.UNet (fresh, or already trained with L1 to fine-tune it).
        degraded: uint8 [N, 28, 28] inputs (bicubic-upscaled degraded photos); clean: uint8 [N, 28, 28] targets.
        adversarial_weight: weight of the non-saturating adversarial term; 0 trains with L1 only (no D).
        discriminator: a PatchDiscriminator to train alongside (default: a new one of the U-Net's width).
        steps, batch_size, learning_rate: Adam(beta1 = 0.5, beta2 = 0.999) on both players, as in pix2pix.
        seed: seeds the batch order (numpy, the same in both twins) and the new discriminator's weights.
    Returns:
        {"unet", "discriminator" (None for L1 only), "history": {"step", "l1", "g_adversarial", "d_loss"},
         "seconds"}.
    Used in: notebooks/05_product_image_quality.ipynb
    """
    if adversarial_weight < 0 or int(steps) < 1 or int(batch_size) < 1:
        raise InputError(f"need adversarial_weight >= 0, steps >= 1 and batch_size >= 1; got "
                         f"{adversarial_weight}, {steps}, {batch_size}.")
    x_all, y_all = _check_pairs(degraded, clean)
    rng = np.random.default_rng(seed)
    tf.random.set_seed(seed)
    adversarial = adversarial_weight > 0
    if adversarial and discriminator is None:
        discriminator = PatchDiscriminator(unet.width)
    opt_g = keras.optimizers.Adam(learning_rate, beta_1=0.5, beta_2=0.999)
    opt_d = keras.optimizers.Adam(learning_rate, beta_1=0.5, beta_2=0.999) if adversarial else None
    train_step = _make_step(unet, discriminator if adversarial else None, opt_g, opt_d, float(adversarial_weight),
                            compiled=int(steps) >= COMPILE_FROM_STEPS)
    history = {"step": [], "l1": [], "g_adversarial": [], "d_loss": []}
    started = time.perf_counter()
    for step in range(1, int(steps) + 1):
        # 1. sample a batch of (degraded, clean) pairs
        index = rng.integers(0, len(x_all), int(batch_size))
        l1, g_adv, d_loss = train_step(tf.constant(x_all[index]), tf.constant(y_all[index]))  # (B, 28, 28, 1) each
        if step % int(log_every) == 0 or step == int(steps):
            for key, value in (("step", step), ("l1", l1), ("g_adversarial", g_adv), ("d_loss", d_loss)):
                history[key].append(float(value))
            if not np.isfinite(history["l1"][-1]):
                raise FloatingPointError(f"the L1 loss became {history['l1'][-1]} at step {step}: lower "
                                         "learning_rate or adversarial_weight.")
    return {"unet": unet, "discriminator": discriminator, "history": history,
            "seconds": time.perf_counter() - started}


def _make_step(unet, discriminator, opt_g, opt_d, adversarial_weight, compiled):
    """One training step (steps 2 and 3 of the loop); compiled with tf.function for runs long enough to repay
    the tracing (several seconds on a CPU), eager for the few steps of a quick demonstration."""
    adversarial = discriminator is not None

    def step(x, y):
        d_loss = g_adv = tf.zeros(())
        # 2. update D on (degraded, clean) as real and (degraded, restored) as fake pairs
        if adversarial:
            restored = unet(x, training=True)
            with tf.GradientTape() as tape:
                real_logits = tf.reshape(discriminator(x, y, training=True), [-1])           # (B * 49,)
                fake_logits = tf.reshape(discriminator(x, restored, training=True), [-1])    # (B * 49,)
                d_loss = minimax_discriminator_loss(real_logits, fake_logits)
            grads = tape.gradient(d_loss, discriminator.trainable_variables)
            opt_d.apply_gradients(zip(grads, discriminator.trainable_variables))
        # 3. update the U-Net: L1 to the clean photo, plus fooling D when adversarial
        with tf.GradientTape() as tape:
            restored = unet(x, training=True)                                                 # (B, 28, 28, 1)
            l1 = tf.reduce_mean(tf.abs(restored - y))
            if adversarial:
                g_adv = non_saturating_generator_loss(tf.reshape(discriminator(x, restored, training=True), [-1]))
            total = l1 + adversarial_weight * g_adv
        grads = tape.gradient(total, unet.trainable_variables)
        opt_g.apply_gradients(zip(grads, unet.trainable_variables))
        return l1, g_adv, d_loss

    return tf.function(step, reduce_retracing=True) if compiled else step
