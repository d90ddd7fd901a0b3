"""The VAE evidence lower bound and its parts in TensorFlow (twin of course_lib/torch/vae.py; oracle: reference/vae.py).

Everything is in nats, summed over pixels and latent dimensions, one number per example (shape [N]).
A model passed to `importance_sampled_log_likelihood` has `encode(x) -> (mu, logvar)`, `decode(z) -> decoded`
and `log_likelihood(x, decoded) -> [N]` (course_lib/tf/vae_models.py).

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

__all__ = [
    "bernoulli_log_likelihood",
    "elbo",
    "gaussian_kl",
    "gaussian_kl_per_dim",
    "gaussian_log_density",
    "gaussian_log_likelihood",
    "importance_log_weights",
    "importance_sampled_log_likelihood",
    "iwae_bound",
    "log_importance_weights",
    "reparameterize",
]

LOG_2PI = math.log(2.0 * math.pi)


def _as_tensor(x, like=None):
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return x if like is None or x.dtype == like.dtype else tf.cast(x, like.dtype)
    dtype = like.dtype if like is not None else tf.float32
    return tf.convert_to_tensor(np.asarray(x), dtype=dtype)


def _flat(x):
    return tf.reshape(x, [tf.shape(x)[0], -1])


def gaussian_kl_per_dim(mu, logvar):
    """KL(N(mu_j, exp(logvar_j)) || N(0, 1)) = 0.5 (exp(logvar) + mu^2 - 1 - logvar), per latent dimension.

    Kingma & Welling 2013 (arXiv 1312.6114), appendix B.

    Args:
        mu, logvar: encoder outputs, shape [N, d].
    Returns:
        Shape [N, d]; averaged over data it tells which latent dimensions are used (active units).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    mu = _as_tensor(mu)
    logvar = _as_tensor(logvar, mu)
    return 0.5 * (tf.exp(logvar) + mu ** 2 - 1.0 - logvar)


def gaussian_kl(mu, logvar):
    """KL(N(mu, diag exp(logvar)) || N(0, I)) = 0.5 sum_j (exp(logvar_j) + mu_j^2 - 1 - logvar_j).

    Kingma & Welling 2013 (arXiv 1312.6114), appendix B.

    Args:
        mu, logvar: encoder outputs, shape [N, d].
    Returns:
        Shape [N], nats, summed over the latent dimensions.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    return tf.reduce_sum(gaussian_kl_per_dim(mu, logvar), axis=-1)


def bernoulli_log_likelihood(x, logits):
    """log Bernoulli(x | sigmoid(logits)) = sum_i x_i l_i - softplus(l_i), summed over pixels.

    Stable for any logits: never log(sigmoid(l)). For x in {0, 1} it is a normalised log-probability; for grey
    levels x in (0, 1) it is only a cross-entropy (see reference.vae.continuous_bernoulli_log_normalizer).

    Args:
        x: targets in [0, 1], shape [N, ...].
        logits: decoder logits, same shape as x.
    Returns:
        Shape [N], nats per example.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    logits = _as_tensor(logits)
    x = _as_tensor(x, logits)
    if x.shape != logits.shape:
        raise ValueError(f"x and logits must have the same shape; got {tuple(x.shape)} and {tuple(logits.shape)}.")
    return tf.reduce_sum(_flat(x * logits - tf.math.softplus(logits)), axis=-1)


def gaussian_log_likelihood(x, mean, logvar):
    """log N(x | mean, diag exp(logvar)) = -0.5 sum_i (log 2pi + logvar_i + (x_i - mean_i)^2 exp(-logvar_i)).

    Args:
        x: data, shape [N, ...].
        mean: decoder means, same shape as x.
        logvar: decoder log-variance, broadcastable to x (a scalar, one per pixel, or one per example and pixel).
    Returns:
        Shape [N], nats per example.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    mean = _as_tensor(mean)
    x = _as_tensor(x, mean)
    logvar = tf.broadcast_to(_as_tensor(logvar, mean), tf.shape(x))
    return -0.5 * tf.reduce_sum(_flat(LOG_2PI + logvar + (x - mean) ** 2 * tf.exp(-logvar)), axis=-1)


def gaussian_log_density(z, mu, logvar):
    """log N(z | mu, diag exp(logvar)), summed over the last axis; mu = 0, logvar = 0 give the prior log p(z).

    Args:
        z: points, shape [..., d].
        mu, logvar: broadcastable to z.
    Returns:
        Shape [...] (z's shape without its last axis).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    z = _as_tensor(z)
    mu, logvar = _as_tensor(mu, z), _as_tensor(logvar, z)
    return -0.5 * tf.reduce_sum(LOG_2PI + logvar + (z - mu) ** 2 * tf.exp(-logvar), axis=-1)


def reparameterize(mu, logvar, eps=None, seed=None):
    """z = mu + exp(logvar / 2) * eps with eps ~ N(0, I) (Kingma & Welling 2013, arXiv 1312.6114, section 2.4).

    Args:
        mu, logvar: shape [N, d].
        eps: optional standard-normal noise of shape [N, d] (given: deterministic); drawn from `seed` otherwise.
        seed: seed for eps when it is not given (None: the framework's global generator).
    Returns:
        z, shape [N, d].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    mu = _as_tensor(mu)
    logvar = _as_tensor(logvar, mu)
    if eps is None:
        if seed is not None:
            eps = tf.random.stateless_normal(tf.shape(mu), seed=[int(seed), 0], dtype=mu.dtype)
        else:
            eps = tf.random.normal(tf.shape(mu), dtype=mu.dtype)
    eps = _as_tensor(eps, mu)
    if eps.shape != mu.shape:
        raise ValueError(f"eps must have mu's shape {tuple(mu.shape)}; got {tuple(eps.shape)}.")
    return mu + tf.exp(0.5 * logvar) * eps


def elbo(x, decoded, mu, logvar, beta=1.0, likelihood="bernoulli", decoder_logvar=0.0):
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
    if likelihood == "bernoulli":
        reconstruction = bernoulli_log_likelihood(x, decoded)
    elif likelihood == "gaussian":
        reconstruction = gaussian_log_likelihood(x, decoded, decoder_logvar)
    else:
        raise ValueError(f"likelihood must be 'bernoulli' or 'gaussian'; got {likelihood!r}.")
    kl = gaussian_kl(mu, logvar)
    return {"elbo": reconstruction - beta * kl, "reconstruction": reconstruction, "kl": kl}


def log_importance_weights(log_px_given_z, z, mu, logvar):
    """log w = log p(x|z) + log p(z) - log q(z|x) for z ~ q(z|x) (Burda et al. 2015, arXiv 1509.00519).

    Args:
        log_px_given_z: decoder log-likelihood of x at each z, shape [N, k].
        z: the samples, shape [N, k, d].
        mu, logvar: encoder outputs, shape [N, d] (broadcast over k).
    Returns:
        Shape [N, k].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    z = _as_tensor(z)
    mu, logvar = _as_tensor(mu, z)[:, None, :], _as_tensor(logvar, z)[:, None, :]
    log_prior = gaussian_log_density(z, tf.zeros_like(z), tf.zeros_like(z))
    log_q = gaussian_log_density(z, mu, logvar)
    return _as_tensor(log_px_given_z, z) + log_prior - log_q


def iwae_bound(log_weights):
    """IWAE_k = log (1/k) sum_i w_i = logsumexp_i(log w_i) - log k (Burda et al. 2015, arXiv 1509.00519).

    Args:
        log_weights: shape [N, k].
    Returns:
        Shape [N]; k = 1 gives the ELBO estimate, and the bound rises towards log p(x) as k grows.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    log_weights = _as_tensor(log_weights)
    if log_weights.shape.rank != 2:
        raise ValueError(f"log_weights must have shape [N, k]; got {tuple(log_weights.shape)}.")
    return tf.reduce_logsumexp(log_weights, axis=1) - math.log(log_weights.shape[1])


def _log_weight_chunks(model, x, k, batch_size, chunk_size, seed):
    """Yield (batch index, log-weights [n, m]) chunk by chunk: at most batch_size * chunk_size decodes at once."""
    if int(k) < 1:
        raise ValueError(f"k must be a positive number of importance samples; got {k}.")
    generator = tf.random.Generator.from_seed(int(seed))
    x = _as_tensor(x, model.trainable_variables[0])  # the model's dtype
    for start in range(0, int(x.shape[0]), batch_size):
        xb = x[start:start + batch_size]
        n = int(xb.shape[0])
        mu, logvar = model.encode(xb)
        done = 0
        while done < k:
            m = min(chunk_size, k - done)
            eps = generator.normal((n, m, int(mu.shape[1])), dtype=mu.dtype)
            z = mu[:, None, :] + tf.exp(0.5 * logvar)[:, None, :] * eps              # [n, m, d]
            decoded = model.decode(tf.reshape(z, [n * m, -1]))
            x_rep = tf.repeat(xb, m, axis=0)                                            # example-major, like z
            log_px = tf.reshape(model.log_likelihood(x_rep, decoded), [n, m])
            yield start, tf.cast(log_importance_weights(log_px, z, mu, logvar), tf.float64)
            done += m


def importance_log_weights(model, x, k, batch_size=100, chunk_size=250, seed=0):
    """log w_i = log p(x, z_i) - log q(z_i|x) for k samples z_i ~ q(z|x) per example (Burda et al. 2015).

    The same samples as importance_sampled_log_likelihood with the same arguments; keep k moderate
    (the result holds N * k numbers).

    Args:
        model: has encode(x) -> (mu, logvar), decode(z) -> decoded, log_likelihood(x, decoded) -> [N].
        x: data in the model's input layout, shape [N, ...] (tensor or numpy).
        k, batch_size, chunk_size, seed: as in importance_sampled_log_likelihood.
    Returns:
        numpy float64 array of shape [N, k].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    rows, current, current_start = [], [], 0
    for start, chunk in _log_weight_chunks(model, x, k, batch_size, chunk_size, seed):
        if start != current_start:
            rows.append(tf.concat(current, axis=1))
            current, current_start = [], start
        current.append(chunk)
    rows.append(tf.concat(current, axis=1))
    return tf.concat(rows, axis=0).numpy()


def importance_sampled_log_likelihood(model, x, k, batch_size=100, chunk_size=250, seed=0):
    """log p(x) ~ IWAE_k = log (1/k) sum_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x) (Burda et al. 2015, arXiv 1509.00519).

    Memory stays bounded for any k: examples go in batches of `batch_size`, samples in chunks of `chunk_size`,
    and a running logsumexp combines the chunks. With k = 1 it is a one-sample ELBO estimate; with k in the
    thousands it is the usual estimate of the test log-likelihood (still a lower bound in expectation).

    Args:
        model: has encode(x) -> (mu, logvar), decode(z) -> decoded, log_likelihood(x, decoded) -> [N].
        x: data in the model's input layout, shape [N, ...] (tensor or numpy).
        k: number of importance samples per example.
        batch_size, chunk_size: examples per batch and samples per chunk (at most batch_size * chunk_size
            decoder evaluations at once).
        seed: seed of the samples.
    Returns:
        numpy float64 array of shape [N], nats per example.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    results, running, current_start = [], None, 0
    for start, chunk in _log_weight_chunks(model, x, k, batch_size, chunk_size, seed):
        if running is not None and start != current_start:
            results.append(running - math.log(k))
            running = None
        current_start = start
        total = tf.reduce_logsumexp(chunk, axis=1)
        running = total if running is None else tf.reduce_logsumexp(tf.stack([running, total]), axis=0)
    results.append(running - math.log(k))
    return tf.concat(results, axis=0).numpy()
