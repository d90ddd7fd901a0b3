"""Training the restoration U-Net: L1 only, or L1 plus a conditional adversarial loss (pix2pix, arXiv 1611.07004)
(PyTorch twin of course_lib/tf/restoration_train.py).

L_G = mean |G(x) - y| + adversarial_weight * mean_patches softplus(-D(x, G(x)))   (non-saturating),
L_D = mean_patches [softplus(-D(x, y)) + softplus(D(x, G(x)))],
x the degraded input, y the clean photo. pix2pix writes L_cGAN + lambda * L1 with lambda = 100; here the L1
term has weight 1, so adversarial_weight = 1 / lambda.
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import time

import numpy as np
import torch

from course_lib.data.images import check_uint8_images, uint8_to_unit_range
from course_lib.errors import InputError
from course_lib.torch.losses import (
    minimax_discriminator_loss,
    non_saturating_generator_loss,
)
from course_lib.torch.unet import PatchDiscriminator

__all__ = ["train_restoration"]


def _check_pairs(degraded, clean):
    degraded, clean = check_uint8_images(degraded), check_uint8_images(clean)
    if degraded.shape != clean.shape or len(clean) == 0:
        raise InputError(f"degraded and clean must be non-empty uint8 [N, 28, 28] pairs of the same shape; got "
                         f"{degraded.shape} and {clean.shape}. Upscale the degraded images first (bicubic_upscale).")
    return uint8_to_unit_range(degraded)[:, None], uint8_to_unit_range(clean)[:, None]  # (N, 1, 28, 28)


def train_restoration(unet, degraded, clean, adversarial_weight=0.0, discriminator=None, steps=500,
                      batch_size=64, learning_rate=5e-4, seed=0, log_every=50):
    """Train `unet` in place to map degraded images to clean ones; with adversarial_weight > 0, pix2pix-style.

    Args:
        unet: a course_lib.torch.unet.UNet (fresh, or already trained with L1 to fine-tune it).
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
    torch.manual_seed(seed)
    adversarial = adversarial_weight > 0
    if adversarial and discriminator is None:
        discriminator = PatchDiscriminator(unet.width)
    opt_g = torch.optim.Adam(unet.parameters(), lr=learning_rate, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=learning_rate, betas=(0.5, 0.999)) if adversarial else None
    history = {"step": [], "l1": [], "g_adversarial": [], "d_loss": []}
    unet.train()
    started = time.perf_counter()
    for step in range(1, int(steps) + 1):
        # 1. sample a batch of (degraded, clean) pairs
        index = rng.integers(0, len(x_all), int(batch_size))
        x, y = torch.from_numpy(x_all[index]), torch.from_numpy(y_all[index])  # (B, 1, 28, 28) each
        restored = unet(x)                                                      # (B, 1, 28, 28)
        d_loss = g_adv = torch.zeros(())
        # 2. update D on (degraded, clean) as real and (degraded, restored) as fake pairs
        if adversarial:
            real_logits = discriminator(x, y).reshape(-1)                      # (B * 49,)
            fake_logits = discriminator(x, restored.detach()).reshape(-1)      # (B * 49,)
            d_loss = minimax_discriminator_loss(real_logits, fake_logits)
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
        # 3. update the U-Net: L1 to the clean photo, plus fooling D when adversarial
        l1 = (restored - y).abs().mean()
        if adversarial:
            g_adv = non_saturating_generator_loss(discriminator(x, restored).reshape(-1))
        opt_g.zero_grad(set_to_none=True)
        (l1 + adversarial_weight * g_adv).backward()
        opt_g.step()
        if step % int(log_every) == 0 or step == int(steps):
            for key, value in (("step", step), ("l1", l1), ("g_adversarial", g_adv), ("d_loss", d_loss)):
                history[key].append(float(value.detach()) if torch.is_tensor(value) else float(value))
            if not np.isfinite(history["l1"][-1]):
                raise FloatingPointError(f"the L1 loss became {history['l1'][-1]} at step {step}: lower "
                                         "learning_rate or adversarial_weight.")
    unet.eval()
    return {"unet": unet, "discriminator": discriminator, "history": history,
            "seconds": time.perf_counter() - started}
