"""Numpy oracle of the VAE evidence lower bound and its parts: the tests' ground truth for both twins.

Notation (COURSE.md): x an image (pixels flattened), z a latent, q_phi(z|x) = N(mu, diag exp(logvar)) the
encoder, p_theta(x|z) the decoder, p(z) = N(0, I). Everything is in nats, summed over pixels and latent
dimensions, one number per example (shape [N]) unless a function says otherwise.

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib import validation as check

__all__ = [
    "LOG_2PI",
    "active_units",
    "bernoulli_log_likelihood",
    "continuous_bernoulli_log_normalizer",
    "elbo",
    "gaussian_kl",
    "gaussian_kl_per_dim",
    "gaussian_log_density",
    "gaussian_log_likelihood",
    "iwae_bound",
    "kl_warmup_weight",
    "log_importance_weights",
    "logsumexp",
    "reparameterize",
]

LOG_2PI = float(np.log(2.0 * np.pi))


def _flat(x, name="x") -> np.ndarray:
    """[N, ...] -> [N, D] (float64), so sums run over every non-batch axis."""
    x = check.as_float_array(x, name)
    check.check_rank(x.shape, name, range(1, 8), "a batch [N, ...]")
    check.check_nonempty(x.shape, name)
    return x.reshape(x.shape[0], -1) if x.ndim > 1 else x[:, None]


def _softplus(x):
    return np.logaddexp(0.0, x)


def logsumexp(a, axis=-1) -> np.ndarray:
    """log sum_i exp(a_i) along `axis`, stable for any finite input (subtracts the max first)."""
    a = np.asarray(a, dtype=np.float64)
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def gaussian_kl_per_dim(mu, logvar) -> np.ndarray:
    """KL(N(mu_j, exp(logvar_j)) || N(0, 1)) = 0.5 (exp(logvar) + mu^2 - 1 - logvar), per latent dimension.

    Kingma & Welling 2013 (arXiv 1312.6114), appendix B.

    Args:
        mu, logvar: encoder outputs, shape [N, d].
    Returns:
        Shape [N, d]; averaged over data it tells which latent dimensions are used (active units).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    mu, logvar = check.as_float_array(mu, "mu"), check.as_float_array(logvar, "logvar")
    check.check_latent_pair(mu.shape, logvar.shape)
    # expm1(lv) - lv, not exp(lv) - 1 - lv: no cancellation for near-collapsed units (lv close to 0)
    return 0.5 * (np.expm1(logvar) - logvar + mu ** 2)


def gaussian_kl(mu, logvar) -> np.ndarray:
    """KL(N(mu, diag exp(logvar)) || N(0, I)) = 0.5 sum_j (exp(logvar_j) + mu_j^2 - 1 - logvar_j).

    Kingma & Welling 2013 (arXiv 1312.6114), appendix B.

    Args:
        mu, logvar: encoder outputs, shape [N, d].
    Returns:
        Shape [N], nats, summed over the latent dimensions.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    return gaussian_kl_per_dim(mu, logvar).sum(axis=-1)


def active_units(mu, threshold=1e-2) -> tuple[int, np.ndarray]:
    """Active units (Burda et al. 2015, arXiv 1509.00519): dimension j is active when Cov_x(E_q[z_j]) > threshold.

    Args:
        mu: posterior means over a data set, shape [N, d].
        threshold: variance below which a dimension is called inactive (the paper uses 1e-2).
    Returns:
        (number of active dimensions, per-dimension variance of mu, shape [d]).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    mu = check.as_float_array(mu, "mu")
    if mu.ndim != 2 or mu.shape[0] < 2:
        check.fail("mu", "posterior means of shape [N >= 2, d]", f"shape {mu.shape}")
    check.check_finite(mu, "mu")
    check.check_number(threshold, "threshold", 0.0)
    variance = mu.var(axis=0)
    return int(np.sum(variance > threshold)), variance


def bernoulli_log_likelihood(x, logits) -> np.ndarray:
    """log Bernoulli(x | sigmoid(logits)) = sum_i x_i l_i - softplus(l_i), summed over pixels.

    Stable for any logits: never log(sigmoid(l)). For x in {0, 1} it is a normalised log-probability; for grey
    levels x in (0, 1) it is only a cross-entropy (see continuous_bernoulli_log_normalizer).

    Args:
        x: targets in [0, 1], shape [N, ...].
        logits: decoder logits, same shape as x.
    Returns:
        Shape [N], nats per example.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    x, logits = check.as_float_array(x, "x"), check.as_float_array(logits, "logits")
    check.check_data_pair(x.shape, logits.shape, "logits")
    check.check_bernoulli_targets(x)
    x, logits = _flat(x), _flat(logits, "logits")
    return np.sum(x * logits - _softplus(logits), axis=-1)


def gaussian_log_likelihood(x, mean, logvar) -> np.ndarray:
    """log N(x | mean, diag exp(logvar)) = -0.5 sum_i (log 2pi + logvar_i + (x_i - mean_i)^2 exp(-logvar_i)).

    Args:
        x: data, shape [N, ...].
        mean: decoder means, same shape as x.
        logvar: decoder log-variance, broadcastable to x (a scalar, one per pixel, or one per example and pixel).
    Returns:
        Shape [N], nats per example.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    x, mean = check.as_float_array(x, "x"), check.as_float_array(mean, "mean")
    check.check_data_pair(x.shape, mean.shape, "mean")
    logvar = check.as_float_array(logvar, "logvar")
    check.check_broadcastable(logvar.shape, x.shape, "logvar", "x")
    logvar = np.broadcast_to(logvar, x.shape)
    x, mean, logvar = _flat(x), _flat(mean, "mean"), _flat(logvar, "logvar")
    return -0.5 * np.sum(LOG_2PI + logvar + (x - mean) ** 2 * np.exp(-logvar), axis=-1)


def gaussian_log_density(z, mu, logvar) -> np.ndarray:
    """log N(z | mu, diag exp(logvar)), summed over the last axis; mu = 0, logvar = 0 give the prior log p(z).

    Args:
        z: points, shape [..., d].
        mu, logvar: broadcastable to z.
    Returns:
        Shape [...] (z's shape without its last axis).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    z = check.as_float_array(z, "z")
    mu, logvar = check.as_float_array(mu, "mu"), check.as_float_array(logvar, "logvar")
    check.check_rank(z.shape, "z", range(1, 8), "points [..., d]")
    check.check_broadcastable(mu.shape, z.shape, "mu", "z")
    check.check_broadcastable(logvar.shape, z.shape, "logvar", "z")
    return -0.5 * np.sum(LOG_2PI + logvar + (z - mu) ** 2 * np.exp(-logvar), axis=-1)


def reparameterize(mu, logvar, eps=None, seed=None) -> np.ndarray:
    """z = mu + exp(logvar / 2) * eps with eps ~ N(0, I) (Kingma & Welling 2013, arXiv 1312.6114, section 2.4).

    Args:
        mu, logvar: shape [N, d].
        eps: optional standard-normal noise of shape [N, d] (given: deterministic); drawn from `seed` otherwise.
        seed: seed for eps when it is not given.
    Returns:
        z, shape [N, d].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    mu, logvar = check.as_float_array(mu, "mu"), check.as_float_array(logvar, "logvar")
    check.check_latent_pair(mu.shape, logvar.shape)
    if eps is None:
        eps = np.random.default_rng(seed).standard_normal(mu.shape)
    eps = check.as_float_array(eps, "eps")
    check.check_same_shape("eps", eps.shape, "mu", mu.shape)
    return mu + np.exp(0.5 * logvar) * eps


def elbo(x, decoded, mu, logvar, beta=1.0, likelihood="bernoulli", decoder_logvar=0.0) -> dict:
    """ELBO = E_q[log p(x|z)] - beta KL(q(z|x) || p(z)), one-sample estimate, with its parts.

    Kingma & Welling 2013 (arXiv 1312.6114); beta from Higgins et al. 2017 (beta-VAE).

    Args:
        x: data, shape [N, ...].
        decoded: decoder output for one z per example: logits ("bernoulli") or means ("gaussian"), x's shape.
        mu, logvar: encoder outputs, shape [N, d].
        beta: weight on the KL term (1 gives the ELBO itself).
        likelihood: "bernoulli" or "gaussian".
        decoder_logvar: the Gaussian decoder's log-variance, broadcastable to x (ignored for "bernoulli").
    Returns:
        {"elbo": [N], "reconstruction": [N] (log p(x|z)), "kl": [N]}, nats per example.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    check.check_choice(likelihood, "likelihood", check.LIKELIHOODS)
    check.check_number(beta, "beta", 0.0)
    check.check_latent_pair(np.shape(mu), np.shape(logvar), np.shape(x))
    if likelihood == "bernoulli":
        reconstruction = bernoulli_log_likelihood(x, decoded)
    else:
        reconstruction = gaussian_log_likelihood(x, decoded, decoder_logvar)
    kl = gaussian_kl(mu, logvar)
    return {"elbo": reconstruction - beta * kl, "reconstruction": reconstruction, "kl": kl}


def log_importance_weights(log_px_given_z, z, mu, logvar) -> np.ndarray:
    """log w = log p(x|z) + log p(z) - log q(z|x) for z ~ q(z|x) (Burda et al. 2015, arXiv 1509.00519).

    Args:
        log_px_given_z: decoder log-likelihood of x at each z, shape [N, k].
        z: the samples, shape [N, k, d].
        mu, logvar: encoder outputs, shape [N, d] (broadcast over k).
    Returns:
        Shape [N, k].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    z, log_px_given_z = check.as_float_array(z, "z"), check.as_float_array(log_px_given_z, "log_px_given_z")
    mu, logvar = check.as_float_array(mu, "mu"), check.as_float_array(logvar, "logvar")
    check.check_importance_shapes(log_px_given_z.shape, z.shape, mu.shape, logvar.shape)
    mu, logvar = mu[:, None, :], logvar[:, None, :]
    log_prior = gaussian_log_density(z, 0.0, 0.0)
    log_q = gaussian_log_density(z, mu, logvar)
    return log_px_given_z + log_prior - log_q


def iwae_bound(log_weights) -> np.ndarray:
    """IWAE_k = log (1/k) sum_i w_i = logsumexp_i(log w_i) - log k (Burda et al. 2015, arXiv 1509.00519).

    Args:
        log_weights: shape [N, k].
    Returns:
        Shape [N]; k = 1 gives the ELBO estimate, and the bound rises towards log p(x) as k grows.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    log_weights = check.as_float_array(log_weights, "log_weights")
    check.check_rank(log_weights.shape, "log_weights", (2,), "[N, k]: k importance samples per example")
    check.check_nonempty(log_weights.shape, "log_weights")
    return logsumexp(log_weights, axis=1) - np.log(log_weights.shape[1])


def continuous_bernoulli_log_normalizer(logits) -> np.ndarray:
    """log C(lambda) with 1 / C = int_0^1 lambda^x (1 - lambda)^(1 - x) dx, lambda = sigmoid(logits).

    Loaiza-Ganem & Cunningham 2019 (arXiv 1907.06845): a Bernoulli "likelihood" on grey levels integrates to
    1 / C(lambda) < 1 over x in [0, 1], so it is not a density; log C > 0 is what each pixel is missing.
    In closed form 1 / C = (2 lambda - 1) / logit(lambda) = tanh(l / 2) / l.

    Args:
        logits: any shape.
    Returns:
        log C, same shape (log 2 at logits = 0, growing like log |l| for large |l|).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    logits = check.as_float_array(logits, "logits")
    small = np.abs(logits) < 1e-3
    safe = np.where(small, 1.0, logits)
    # integral = (sigmoid(l) - sigmoid(-l)) / l = tanh(l / 2) / l
    log_integral = np.log(np.tanh(np.abs(safe) / 2.0)) - np.log(np.abs(safe))
    # Taylor series at 0: tanh(l/2)/l = 1/2 (1 - l^2/12 + ...)
    log_integral_small = np.log(0.5) - logits ** 2 / 12.0
    return -np.where(small, log_integral_small, log_integral)


def kl_warmup_weight(step, beta=1.0, warmup_steps=0) -> float:
    """KL warm-up (Bowman et al. 2015, arXiv 1511.06349; Sønderby et al. 2016, arXiv 1602.02282):
    beta_t = beta min(1, step / warmup_steps); warmup_steps = 0 gives beta from the start.

    Used in: notebooks/03_vae_elbo.ipynb
    """
    check.check_number(step, "step", 0.0)
    check.check_number(beta, "beta", 0.0)
    check.check_number(warmup_steps, "warmup_steps", None)
    if warmup_steps <= 0:
        return float(beta)
    return float(beta) * min(1.0, step / float(warmup_steps))
