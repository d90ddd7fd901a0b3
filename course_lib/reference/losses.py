"""numpy oracle of the GAN losses and penalties: the ground truth both twins are tested against.

Same names and positional order as course_lib/torch/losses.py and course_lib/tf/losses.py. Sigmoid losses take
logits and use stable forms: -log sigmoid(x) = softplus(-x), -log(1 - sigmoid(x)) = softplus(x), with
softplus(x) = logaddexp(0, x), finite for any x. The penalties take the critic's *gradient* as a numpy function
(numpy has no autodiff); `linear_critic_grad` and `quadratic_critic_grad` give closed-form ones.
Used in: notebooks/01_gan_losses.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check

__all__ = [
    "REDUCTIONS",
    "auxiliary_classifier_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "linear_critic_grad",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "quadratic_critic_grad",
    "r1_penalty",
    "softplus",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
]

REDUCTIONS = ("mean", "sum", "none")
NORM_EPS = 1e-12  # ‖g‖ = sqrt(sum g^2 + NORM_EPS): keeps the penalty's gradient finite when g = 0


def softplus(x):
    """log(1 + e^x), computed as logaddexp(0, x): finite for any x."""
    return np.logaddexp(0.0, x)


def _scores(x, name):
    x = check.as_float_array(x, name)
    check.check_score_shape(x.shape, name)
    return x.reshape(-1)


def _pair(real, fake, real_name, fake_name, reduction):
    """Both score batches, checked; "none" needs one real and one fake per row (never a [3] + [1] broadcast)."""
    r, f = _scores(real, real_name), _scores(fake, fake_name)
    check.check_score_pair(r.shape, f.shape, real_name, fake_name, reduction)
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
    """-log sigmoid(r) - log(1 - sigmoid(f)) (Goodfellow et al. 2014, arXiv 1406.2661), numpy oracle."""
    _check_smoothing(label_smoothing)
    r, f = _pair(real_logits, fake_logits, "real_logits", "fake_logits", reduction)
    target = 1.0 - label_smoothing
    real_term = target * softplus(-r) + (1.0 - target) * softplus(r)
    return _reduce(real_term, reduction) + _reduce(softplus(f), reduction)


def minimax_generator_loss(fake_logits, reduction="mean"):
    """log(1 - sigmoid(f)) = -softplus(f), the saturating loss of arXiv 1406.2661, numpy oracle."""
    return _reduce(-softplus(_scores(fake_logits, "fake_logits")), reduction)


def non_saturating_generator_loss(fake_logits, reduction="mean"):
    """-log sigmoid(f) = softplus(-f) (arXiv 1406.2661, section 3), numpy oracle."""
    return _reduce(softplus(-_scores(fake_logits, "fake_logits")), reduction)


def least_squares_discriminator_loss(real_scores, fake_scores, reduction="mean"):
    """1/2 (r - 1)^2 + 1/2 f^2 (LSGAN, Mao et al. 2017, arXiv 1611.04076, a=0, b=c=1), numpy oracle."""
    r, f = _pair(real_scores, fake_scores, "real_scores", "fake_scores", reduction)
    return _reduce(0.5 * (r - 1.0) ** 2, reduction) + _reduce(0.5 * f ** 2, reduction)


def least_squares_generator_loss(fake_scores, reduction="mean"):
    """1/2 (f - 1)^2 (arXiv 1611.04076), numpy oracle."""
    return _reduce(0.5 * (_scores(fake_scores, "fake_scores") - 1.0) ** 2, reduction)


def wasserstein_critic_loss(real_scores, fake_scores, reduction="mean"):
    """f - r (WGAN, Arjovsky et al. 2017, arXiv 1701.07875), numpy oracle."""
    r, f = _pair(real_scores, fake_scores, "real_scores", "fake_scores", reduction)
    return _reduce(f, reduction) + _reduce(-r, reduction)


def wasserstein_generator_loss(fake_scores, reduction="mean"):
    """-f (arXiv 1701.07875), numpy oracle."""
    return _reduce(-_scores(fake_scores, "fake_scores"), reduction)


def hinge_discriminator_loss(real_scores, fake_scores, reduction="mean"):
    """max(0, 1 - r) + max(0, 1 + f) (Lim & Ye 2017, arXiv 1705.02894; Miyato et al. 2018, arXiv 1802.05957)."""
    r, f = _pair(real_scores, fake_scores, "real_scores", "fake_scores", reduction)
    return _reduce(np.maximum(0.0, 1.0 - r), reduction) + _reduce(np.maximum(0.0, 1.0 + f), reduction)


def hinge_generator_loss(fake_scores, reduction="mean"):
    """-f (arXiv 1802.05957), numpy oracle."""
    return _reduce(-_scores(fake_scores, "fake_scores"), reduction)


def _per_sample_norm(grads):
    grads = np.asarray(grads, dtype=np.float64)
    return np.sqrt((grads.reshape(len(grads), -1) ** 2).sum(axis=1) + NORM_EPS)


def gradient_penalty(critic_grad, real, fake, weight=10.0, epsilon=None, seed=0):
    """weight * E[(‖grad critic(x_hat)‖_2 - 1)^2], x_hat = eps x + (1 - eps) x_fake (WGAN-GP, arXiv 1704.00028).

    Args:
        critic_grad: numpy function x [N, ...] -> gradient of the critic at each sample, [N, ...].
        real, fake: arrays [N, ...] of the same shape.
        weight: lambda.
        epsilon: [N] interpolation weights; None draws eps ~ U[0, 1] with `seed`.
    Returns:
        The penalty, a float; the norm is over all non-batch dimensions.
    """
    real, fake = check.as_float_array(real, "real"), check.as_float_array(fake, "fake")
    check.check_penalty_inputs(real.shape, fake.shape, weight, "weight")
    n = len(real)
    if epsilon is None:
        eps = np.random.default_rng(seed).uniform(size=n)
    else:
        eps = check.as_float_array(epsilon, "epsilon")
        check.check_epsilon(eps.shape, n, eps)
    eps = eps.reshape((n,) + (1,) * (real.ndim - 1))
    x_hat = eps * real + (1.0 - eps) * fake
    return float(weight * np.mean((_per_sample_norm(critic_grad(x_hat)) - 1.0) ** 2))


def r1_penalty(discriminator_grad, real, gamma=10.0):
    """gamma/2 * E[‖grad D(x)‖_2^2] on real data (Mescheder et al. 2018, arXiv 1801.04406), numpy oracle."""
    real = check.as_float_array(real, "real")
    check.check_penalty_inputs(real.shape, None, gamma, "gamma")
    grads = np.asarray(discriminator_grad(real), dtype=np.float64)
    return float(0.5 * gamma * np.mean((grads.reshape(len(grads), -1) ** 2).sum(axis=1)))


def linear_critic_grad(w):
    """Gradient function of the linear critic D(x) = <w, x> + b: the constant w at every sample."""
    w = np.asarray(w, dtype=np.float64)
    return lambda x: np.broadcast_to(w, np.shape(x)).copy()


def quadratic_critic_grad(a):
    """Gradient function of D(x) = 1/2 sum(a * x^2): a * x (a varies across x, so GP depends on eps)."""
    a = np.asarray(a, dtype=np.float64)
    return lambda x: a * np.asarray(x, dtype=np.float64)


def auxiliary_classifier_loss(class_logits, labels, reduction="mean"):
    """-log softmax(l)_y = logsumexp(l) - l_y, the auxiliary classifier loss of ACGAN (Odena et al. 2017,
    arXiv 1610.09585), numpy oracle: stable for any logit, integer labels in [0, K)."""
    from course_lib.errors import InputError

    logits = np.asarray(class_logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[1] < 1:
        raise InputError(f"class_logits must have shape [N, K] (one logit per class); got shape {logits.shape}.")
    labels = np.asarray(labels)
    if labels.shape != (len(logits),) or not (np.issubdtype(labels.dtype, np.integer) or labels.size == 0):
        raise InputError(f"labels must be integers of shape [N] = [{len(logits)}]; got {labels.dtype} "
                         f"of shape {labels.shape}.")
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise InputError(f"labels must lie in [0, K) = [0, {logits.shape[1]}); got values in "
                         f"[{labels.min()}, {labels.max()}].")
    top = logits.max(axis=1, keepdims=True)  # log-sum-exp shifted by the largest logit: no overflow
    log_normaliser = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return _reduce(log_normaliser - logits[np.arange(len(logits)), labels], reduction)
