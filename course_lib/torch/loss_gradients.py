"""Per-sample loss values and their derivatives by autograd, for plots (twin of course_lib/tf/loss_gradients.py)."""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["loss_and_gradient"]


def loss_and_gradient(loss_fn, fake_scores):
    """Per-sample loss l(f) and its derivative dl/df by autograd, for a one-argument (generator) loss.

    Generator losses act on each sample separately, so the gradient of their sum is the per-sample derivative.

    Args:
        loss_fn: a generator loss of course_lib.<framework>.losses, e.g. `losses.minimax_generator_loss`.
        fake_scores: discriminator outputs f on fakes, shape [N] (logits for the sigmoid losses).
    Returns:
        (loss float64 numpy [N], derivative float64 numpy [N]).
    Used in: notebooks/01_gan_losses.ipynb
    """
    f = torch.tensor(np.asarray(fake_scores, dtype=np.float64), requires_grad=True)
    loss = loss_fn(f, reduction="none")
    (grad,) = torch.autograd.grad(loss.sum(), f)
    return loss.detach().numpy(), grad.numpy()
