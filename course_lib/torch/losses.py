"""GAN losses and gradient penalties in PyTorch (twin of course_lib/tf/losses.py).

Oracle: course_lib/reference/losses.py.

Sigmoid losses take logits (not probabilities) and use stable forms: -log sigmoid(x) = softplus(-x) and
-log(1 - sigmoid(x)) = softplus(x), finite values and gradients for any logit. Score losses (least squares,
Wasserstein, hinge) take raw discriminator outputs. Every loss has `reduction="mean"|"sum"|"none"`; for
two-term discriminator losses the reduction applies to each term and the terms are added.
Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from course_lib import validation as check

__all__ = [
    "REDUCTIONS",
    "auxiliary_classifier_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "r1_penalty",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
]

REDUCTIONS = ("mean", "sum", "none")
NORM_EPS = 1e-12  # ‖g‖ = sqrt(sum g^2 + NORM_EPS): keeps the penalty's gradient finite when g = 0


def _as_float(x, dtype):
    x = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    return x.to(getattr(torch, dtype))


def _scores(x, name, dtype=None):
    """One logit or score per sample, [N] or [N, 1] -> [N], in the dtype policy's float type."""
    check.check_score_shape(check.shape_of(x), name)
    return _as_float(x, dtype or check.policy_dtype((name, x))).reshape(-1)


def _pair(real, fake, real_name, fake_name, reduction):
    """Both score batches, checked; "none" needs one real and one fake per row (never a [3] + [1] broadcast)."""
    dtype = check.policy_dtype((real_name, real), (fake_name, fake))
    r, f = _scores(real, real_name, dtype), _scores(fake, fake_name, dtype)
    check.check_score_pair(check.shape_of(r), check.shape_of(f), real_name, fake_name, reduction)
    return r, f


def _reduce(loss, reduction):
    check.check_choice(reduction, "reduction", REDUCTIONS)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_smoothing(label_smoothing):
    check.check_number(label_smoothing, "label_smoothing (0.1 means real targets of 0.9)", 0.0, 1.0,
                       high_open=True)


def minimax_discriminator_loss(real_logits, fake_logits, reduction="mean", label_smoothing=0.0):
    """Discriminator loss -log sigmoid(r) - log(1 - sigmoid(f)) (Goodfellow et al. 2014, arXiv 1406.2661).

    Binary cross-entropy with target 1 on real and 0 on fake samples. One-sided label smoothing (Salimans et
    al. 2016, arXiv 1606.03498, section 3.4) replaces the real target 1 by 1 - label_smoothing; fake targets
    stay 0.

    Args:
        real_logits: discriminator logits on real samples, shape [N] or [N, 1].
        fake_logits: discriminator logits on generated samples, shape [M] or [M, 1] (M = N for "none"; each term is
            reduced on its own).
        reduction: "mean", "sum" or "none".
        label_smoothing: in [0, 1); 0 is the plain loss.
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    _check_smoothing(label_smoothing)
    r, f = _pair(real_logits, fake_logits, "real_logits", "fake_logits", reduction)
    target = 1.0 - label_smoothing
    real_term = target * F.softplus(-r) + (1.0 - target) * F.softplus(r)  # BCE(target, sigmoid(r)), stable
    return _reduce(real_term, reduction) + _reduce(F.softplus(f), reduction)  # -log(1 - sigmoid(f)) = softplus(f)


def minimax_generator_loss(fake_logits, reduction="mean"):
    """Saturating generator loss log(1 - sigmoid(f)) = -softplus(f) (arXiv 1406.2661, the minimax game).

    Its gradient -sigmoid(f) vanishes when the discriminator rejects the fakes (f -> -inf), early in training.

    Args:
        fake_logits: discriminator logits on generated samples, shape [N] or [N, 1].
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    return _reduce(-F.softplus(_scores(fake_logits, "fake_logits")), reduction)


def non_saturating_generator_loss(fake_logits, reduction="mean"):
    """Generator loss -log sigmoid(f) = softplus(-f) (Goodfellow et al. 2014, arXiv 1406.2661, section 3).

    Args:
        fake_logits: discriminator logits on generated samples, shape [N] or [N, 1].
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    return _reduce(F.softplus(-_scores(fake_logits, "fake_logits")), reduction)


def least_squares_discriminator_loss(real_scores, fake_scores, reduction="mean"):
    """LSGAN discriminator loss 1/2 (r - 1)^2 + 1/2 f^2 (Mao et al. 2017, arXiv 1611.04076, a=0, b=c=1).

    Args:
        real_scores: discriminator outputs on real samples (no sigmoid), shape [N] or [N, 1].
        fake_scores: discriminator outputs on generated samples, shape [M] or [M, 1] (M = N for "none"; each term is
            reduced on its own).
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    r, f = _pair(real_scores, fake_scores, "real_scores", "fake_scores", reduction)
    return _reduce(0.5 * (r - 1.0) ** 2, reduction) + _reduce(0.5 * f ** 2, reduction)


def least_squares_generator_loss(fake_scores, reduction="mean"):
    """LSGAN generator loss 1/2 (f - 1)^2 (Mao et al. 2017, arXiv 1611.04076, c=1).

    Args:
        fake_scores: discriminator outputs on generated samples (no sigmoid), shape [N] or [N, 1].
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    return _reduce(0.5 * (_scores(fake_scores, "fake_scores") - 1.0) ** 2, reduction)


def wasserstein_critic_loss(real_scores, fake_scores, reduction="mean"):
    """WGAN critic loss f - r (Arjovsky et al. 2017, arXiv 1701.07875): minimising it maximises E[r] - E[f].

    Needs a Lipschitz critic: weight clipping (arXiv 1701.07875), `gradient_penalty` (arXiv 1704.00028) or
    spectral normalisation (arXiv 1802.05957).

    Args:
        real_scores: critic outputs on real samples, shape [N] or [N, 1].
        fake_scores: critic outputs on generated samples, shape [M] or [M, 1] (M = N for "none"; each term is
            reduced on its own).
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    r, f = _pair(real_scores, fake_scores, "real_scores", "fake_scores", reduction)
    return _reduce(f, reduction) + _reduce(-r, reduction)


def wasserstein_generator_loss(fake_scores, reduction="mean"):
    """WGAN generator loss -f (Arjovsky et al. 2017, arXiv 1701.07875).

    Args:
        fake_scores: critic outputs on generated samples, shape [N] or [N, 1].
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    return _reduce(-_scores(fake_scores, "fake_scores"), reduction)


def hinge_discriminator_loss(real_scores, fake_scores, reduction="mean"):
    """Hinge loss max(0, 1 - r) + max(0, 1 + f) (Lim & Ye 2017, arXiv 1705.02894; Miyato et al., arXiv 1802.05957).

    Args:
        real_scores: discriminator outputs on real samples, shape [N] or [N, 1].
        fake_scores: discriminator outputs on generated samples, shape [M] or [M, 1] (M = N for "none"; each term is
            reduced on its own).
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    r, f = _pair(real_scores, fake_scores, "real_scores", "fake_scores", reduction)
    return _reduce(F.relu(1.0 - r), reduction) + _reduce(F.relu(1.0 + f), reduction)


def hinge_generator_loss(fake_scores, reduction="mean"):
    """Hinge-GAN generator loss -f (Lim & Ye 2017, arXiv 1705.02894; Miyato et al. 2018, arXiv 1802.05957).

    Args:
        fake_scores: discriminator outputs on generated samples, shape [N] or [N, 1].
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Used in: notebooks/01_gan_losses.ipynb
    """
    return _reduce(-_scores(fake_scores, "fake_scores"), reduction)


def _input_gradients(critic, x):
    x = x.detach().requires_grad_(True)
    scores = critic(x)
    # create_graph=True: the penalty is differentiated again, with respect to the critic's weights
    (grads,) = torch.autograd.grad(scores.sum(), x, create_graph=True, allow_unused=True)
    if grads is None:  # the critic ignores its input: its gradient is zero
        grads = torch.zeros_like(x)
    return grads.reshape(len(x), -1)  # per sample, all non-batch dimensions


def gradient_penalty(critic, real, fake, weight=10.0, epsilon=None):
    """WGAN-GP penalty weight * E[(‖grad critic(x_hat)‖_2 - 1)^2] (Gulrajani et al. 2017, arXiv 1704.00028).

    x_hat = eps x + (1 - eps) x_fake with eps ~ U[0, 1] per sample. The norm is over all non-batch
    dimensions, so the value does not depend on the layout. Call it inside the critic's update: it is
    differentiable with respect to the critic's weights.

    Args:
        critic: callable, tensor [N, ...] -> scores [N] or [N, 1], in this framework's layout.
        real: real samples [N, ...] (images: (N, C, H, W) in torch, (N, H, W, C) in tf).
        fake: generated samples, same shape as `real` (no gradient flows to the generator).
        weight: lambda (10 in the paper).
        epsilon: optional interpolation weights, shape [N]; given, the penalty is deterministic.
    Returns:
        The penalty, shape [].
    Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
    """
    check.check_penalty_inputs(check.shape_of(real), check.shape_of(fake), weight, "weight")
    if epsilon is not None and not check.is_tensor(epsilon):
        check.check_epsilon(check.shape_of(epsilon), (check.shape_of(real) or (None,))[0],
                            check.as_float_array(epsilon, "epsilon"))
    real, fake = torch.as_tensor(real), torch.as_tensor(fake)
    n = real.shape[0]
    if epsilon is None:
        eps = torch.rand(n, dtype=real.dtype, device=real.device)
    else:
        eps = torch.as_tensor(epsilon, dtype=real.dtype, device=real.device)
        check.check_epsilon(tuple(eps.shape), n)
    eps = eps.reshape((n,) + (1,) * (real.ndim - 1))
    x_hat = eps * real.detach() + (1.0 - eps) * fake.detach()
    grads = _input_gradients(critic, x_hat)
    norms = torch.sqrt((grads ** 2).sum(dim=1) + NORM_EPS)
    return weight * ((norms - 1.0) ** 2).mean()


def r1_penalty(discriminator, real, gamma=10.0):
    """R1 penalty gamma/2 * E[‖grad D(x)‖_2^2] on real data (Mescheder et al. 2018, arXiv 1801.04406).

    The 1/2 follows the paper's convention (gamma/2); some code bases drop it, so their gamma is half of ours.
    D(x) is the logit. The norm is over all non-batch dimensions.

    Args:
        discriminator: callable, tensor [N, ...] -> logits [N] or [N, 1], in this framework's layout.
        real: real samples [N, ...] (images: (N, C, H, W) in torch, (N, H, W, C) in tf).
        gamma: the penalty weight.
    Returns:
        The penalty, shape [].
    Used in: notebooks/01_gan_losses.ipynb, notebooks/02_gan_instability.ipynb
    """
    check.check_penalty_inputs(check.shape_of(real), None, gamma, "gamma")
    grads = _input_gradients(discriminator, torch.as_tensor(real))
    return 0.5 * gamma * (grads ** 2).sum(dim=1).mean()


def auxiliary_classifier_loss(class_logits, labels, reduction="mean"):
    """Auxiliary classifier loss -log softmax(l)_y = logsumexp_k(l_k) - l_y (ACGAN, Odena et al. 2017,
    arXiv 1610.09585).

    Softmax cross-entropy on logits, finite for any logit. ACGAN adds it for the class head of D on real and
    generated images (the discriminator's loss) and on generated images (the generator's loss); the real/fake
    head keeps targets 1 and 0, never the class labels.

    Args:
        class_logits: logits of the auxiliary head, shape [N, K].
        labels: integer classes in [0, K), shape [N].
        reduction: "mean", "sum" or "none".
    Returns:
        The loss, shape [] (or [N] for "none").
    Raises:
        course_lib.errors.InputError: logits not [N, K], labels not integer [N], or a label outside [0, K).
    Used in: notebooks/06_controllable_generation.ipynb
    """
    logits, labels = _class_inputs(class_logits, labels)
    # log-sum-exp is stable for any logit; gather rather than F.cross_entropy, whose ignore_index (-100) would
    # silently drop a label of -100 on a device where labels are not checked
    picked = logits.gather(1, labels[:, None])[:, 0]
    return _reduce(torch.logsumexp(logits, dim=1) - picked, reduction)


def _class_inputs(class_logits, labels):
    from course_lib.errors import InputError

    logits = torch.as_tensor(class_logits)
    if not logits.is_floating_point():
        logits = logits.float()
    if logits.ndim != 2 or logits.shape[1] < 1:
        raise InputError(f"class_logits must have shape [N, K] (one logit per class); got shape {tuple(logits.shape)}.")
    labels = torch.as_tensor(labels, device=logits.device)
    if tuple(labels.shape) != (len(logits),) or labels.is_floating_point() or labels.dtype == torch.bool:
        raise InputError(f"labels must be integers of shape [N] = [{len(logits)}]; got {labels.dtype} "
                         f"of shape {tuple(labels.shape)}.")
    # Checked on the host only: on a GPU the check would stall the queue twice per call, and the gather in
    # auxiliary_classifier_loss fails loudly there (device-side assert) on an index outside [0, K) anyway.
    if labels.numel() and labels.device.type == "cpu" and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise InputError(f"labels must lie in [0, K) = [0, {logits.shape[1]}); got values in "
                         f"[{int(labels.min())}, {int(labels.max())}].")
    return logits, labels.long()
