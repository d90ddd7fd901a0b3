"""Training loop of the controllable GAN: G(z, class, colour) against a projection or an ACGAN discriminator
(PyTorch twin of course_lib/tf/controllable_train.py). Same numbered steps in both twins.

Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import time

import numpy as np
import torch

from course_lib.controllable.config import ControllableGANConfig
from course_lib.errors import InputError
from course_lib.torch.acgan import acgan_discriminator_loss, acgan_generator_loss
from course_lib.torch.controllable import (
    ControllableDiscriminator,
    ControllableGenerator,
)
from course_lib.torch.losses import (
    auxiliary_classifier_loss,
    hinge_discriminator_loss,
    hinge_generator_loss,
    minimax_discriminator_loss,
    non_saturating_generator_loss,
)
from course_lib.torch.product_gan import EMA
from course_lib.torch.utils import device as default_device

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


_DRAWS_PER_COPY = 100  # steps whose random draws go to the device in one copy (a copy from the host waits for
# the GPU to finish its queue, so one per step would leave the GPU idle between steps)


def _host_draws(rng, steps, config, n_images, dev):
    """(index, z, y_fake, c_fake) of `steps` consecutive steps, drawn in the step-by-step order (so every device
    and every chunk size sees the same numbers for a seed), each stacked to [steps, ...] and moved to `dev`."""
    n, per_step = config.batch_size, []
    for _ in range(steps):
        per_step.append((rng.integers(0, n_images, n),
                         rng.standard_normal((n, config.latent_dim)).astype(np.float32),
                         rng.integers(0, config.num_classes, n), rng.integers(0, config.num_colours, n)))
    return [torch.from_numpy(np.stack(values)).to(dev) for values in zip(*per_step)]


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
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    dev = default_device()  # the GPU when there is one; batches are still drawn on the host, so every device
    # sees the same indices, z and conditions for a seed
    generator, discriminator = (model.to(dev) for model in build_models(config))
    ema = EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    opt_g = torch.optim.Adam(generator.parameters(), config.lr_g, betas=(config.beta1, config.beta2))
    opt_d = torch.optim.Adam(discriminator.parameters(), config.lr_d, betas=(config.beta1, config.beta2))
    d_pair, g_adv = _losses(config)
    acgan, n, history = config.head == "acgan", config.batch_size, []
    data = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0).contiguous().to(dev)
    classes_on_device, colours_on_device = torch.from_numpy(classes).to(dev), torch.from_numpy(colours).to(dev)
    started = time.perf_counter()
    for step in range(1, config.steps + 1):
        # 1. sample a real batch, z, and the classes and colours G is asked for
        if (step - 1) % _DRAWS_PER_COPY == 0:
            draws = _host_draws(rng, min(_DRAWS_PER_COPY, config.steps - step + 1), config, len(images), dev)
        index, z, y_fake, c_fake = (values[(step - 1) % _DRAWS_PER_COPY] for values in draws)
        real, y_real, c_real = data[index], classes_on_device[index], colours_on_device[index]  # (N, 3, 28, 28)
        fake = generator(z, y_fake, c_fake)                                          # (N, 3, 28, 28)
        # 2. update D: real/fake targets 1/0; the conditions go to the projection or the auxiliary heads
        real_out, fake_out = discriminator(real, y_real, c_real), discriminator(fake.detach(), y_fake, c_fake)
        if acgan:
            d_loss = acgan_discriminator_loss(real_out[0], fake_out[0], real_out[1], fake_out[1], y_real, y_fake,
                                              config.aux_weight, config.adversarial)
            d_loss = d_loss + config.aux_weight * (auxiliary_classifier_loss(real_out[2], c_real)
                                                   + auxiliary_classifier_loss(fake_out[2], c_fake))
        else:
            d_loss = d_pair(real_out[0], fake_out[0])
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        # 3. update G: fool the real/fake head and (ACGAN) be classified as the requested class and colour
        out = discriminator(fake, y_fake, c_fake)
        if acgan:
            g_loss = acgan_generator_loss(out[0], out[1], y_fake, config.aux_weight, config.adversarial)
            g_loss = g_loss + config.aux_weight * auxiliary_classifier_loss(out[2], c_fake)
        else:
            g_loss = g_adv(out[0])
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        # 4. EMA of G, warmed up so a short run is not dominated by its random start
        if ema is not None:
            ema.update(generator, min(config.ema_decay, (1.0 + step) / (10.0 + step)))
        # 5. log, and stop on a NaN loss rather than train on garbage
        if step % config.log_every == 0 or step == config.steps:
            entry = {"step": step, "d_loss": float(d_loss.detach()), "g_loss": float(g_loss.detach())}
            if not np.isfinite(entry["d_loss"] + entry["g_loss"]):
                raise FloatingPointError(f"loss became {entry} at step {step}: lower the learning rates.")
            history.append(entry)
            if progress:
                print(f"step {step}: D {entry['d_loss']:.3f}, G {entry['g_loss']:.3f}", flush=True)
            if on_log is not None:
                on_log(step, ema.model if ema is not None else generator)
    seconds = time.perf_counter() - started
    generator.eval()
    return {"generator": generator, "ema_generator": ema.model if ema is not None else generator,
            "discriminator": discriminator, "history": history, "seconds": seconds,
            "images_per_second": config.steps * n / max(seconds, 1e-9), "step": config.steps}
