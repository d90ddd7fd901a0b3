"""GAN losses as named (discriminator, generator) pairs, selected by one name (PyTorch twin of
course_lib/tf/loss_pairs.py).

In the style of TF-GAN's tuple losses: a training loop asks for `gan_loss_pair(config.loss)` and gets both halves of
the game at once, so a loop can never pair one loss's D with another's G by mistake. The names are
course_lib.config.GAN_LOSS_PAIRS's (the framework-free list that configs and plots use), plus "bce": the
blog-post name of the minimax D loss with the non-saturating G loss.
Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb, notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from course_lib.torch import losses

__all__ = ["LOSS_PAIRS", "GANLossPair", "gan_loss_pair"]


class GANLossPair(NamedTuple):
    """A discriminator loss d(real_logits, fake_logits) and the generator loss g(fake_logits) it is played with."""

    discriminator: Callable
    generator: Callable


LOSS_PAIRS = {
    "minimax": GANLossPair(losses.minimax_discriminator_loss, losses.minimax_generator_loss),
    "non_saturating": GANLossPair(losses.minimax_discriminator_loss, losses.non_saturating_generator_loss),
    "least_squares": GANLossPair(losses.least_squares_discriminator_loss, losses.least_squares_generator_loss),
    "hinge": GANLossPair(losses.hinge_discriminator_loss, losses.hinge_generator_loss),
    "wasserstein": GANLossPair(losses.wasserstein_critic_loss, losses.wasserstein_generator_loss),
    "bce": GANLossPair(losses.minimax_discriminator_loss, losses.non_saturating_generator_loss),
}


def gan_loss_pair(name: str, allowed=None) -> GANLossPair:
    """The (discriminator, generator) losses called `name`; a clear error for any other name.

    Args:
        name: a key of LOSS_PAIRS, e.g. "hinge".
        allowed: optional subset of names that the calling loop supports (default: every key of LOSS_PAIRS).
    Returns:
        A GANLossPair.
    """
    allowed = tuple(LOSS_PAIRS) if allowed is None else tuple(allowed)
    if name not in allowed:
        raise ValueError(f"config.loss must be one of {allowed}; got {name!r}.")
    return LOSS_PAIRS[name]
