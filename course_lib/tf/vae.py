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

from course_lib import validation as check

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


def _floats(*named):
    """(name, value) pairs -> tensors in the dtype policy's float type (course_lib.validation: float64 when any
    input is float64, else float32)."""
    dtype = check.policy_dtype(*named)
    return [tf.cast(value if isinstance(value, (tf.Tensor, tf.Variable)) else tf.constant(np.asarray(value)), dtype)
            for _, value in named]


def _host_range(x):
    """[min, max] of x as numpy when the values are on the host ([nan] when any is not finite), else None:
    a GPU tensor or a traced graph skips the value checks rather than wait for the device."""
    if not tf.executing_eagerly() or "GPU" in (getattr(x, "device", "") or "") or x.shape.num_elements() == 0:
        return None
    if not bool(tf.reduce_all(tf.math.is_finite(x))):
        return np.array([np.nan])
    return np.array([float(tf.reduce_min(x)), float(tf.reduce_max(x))])


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
    check.check_latent_pair(check.shape_of(mu), check.shape_of(logvar))
    mu, logvar = _floats(("mu", mu), ("logvar", logvar))
    # expm1(lv) - lv, not exp(lv) - 1 - lv: no cancellation for near-collapsed units (lv close to 0)
    return 0.5 * (tf.math.expm1(logvar) - logvar + mu ** 2)


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
    check.check_data_pair(check.shape_of(x), check.shape_of(logits), "logits")
    x, logits = _floats(("x", x), ("logits", logits))
    if (values := _host_range(x)) is not None:
        check.check_bernoulli_targets(values)
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
    check.check_data_pair(check.shape_of(x), check.shape_of(mean), "mean")
    check.check_broadcastable(check.shape_of(logvar), check.shape_of(x), "logvar", "x")
    x, mean, logvar = _floats(("x", x), ("mean", mean), ("logvar", logvar))
    logvar = tf.broadcast_to(logvar, tf.shape(x))
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
    check.check_rank(check.shape_of(z), "z", range(1, 8), "points [..., d]")
    check.check_broadcastable(check.shape_of(mu), check.shape_of(z), "mu", "z")
    check.check_broadcastable(check.shape_of(logvar), check.shape_of(z), "logvar", "z")
    z, mu, logvar = _floats(("z", z), ("mu", mu), ("logvar", logvar))
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
    check.check_latent_pair(check.shape_of(mu), check.shape_of(logvar))
    named = [("mu", mu), ("logvar", logvar)] + ([("eps", eps)] if eps is not None else [])
    mu, logvar = _floats(*named)[:2]
    if eps is None:
        if seed is not None:
            eps = tf.random.stateless_normal(tf.shape(mu), seed=[int(seed), 0], dtype=mu.dtype)
        else:
            eps = tf.random.normal(tf.shape(mu), dtype=mu.dtype)
    check.check_same_shape("eps", check.shape_of(eps), "mu", check.shape_of(mu))
    eps = _floats(("mu", mu), ("eps", eps))[1]
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
    check.check_choice(likelihood, "likelihood", check.LIKELIHOODS)
    check.check_number(beta, "beta", 0.0)
    check.check_latent_pair(check.shape_of(mu), check.shape_of(logvar), check.shape_of(x))
    if likelihood == "bernoulli":
        reconstruction = bernoulli_log_likelihood(x, decoded)
    else:
        reconstruction = gaussian_log_likelihood(x, decoded, decoder_logvar)
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
    check.check_importance_shapes(check.shape_of(log_px_given_z), check.shape_of(z), check.shape_of(mu),
                                  check.shape_of(logvar))
    log_px_given_z, z, mu, logvar = _floats(("log_px_given_z", log_px_given_z), ("z", z), ("mu", mu),
                                            ("logvar", logvar))
    mu, logvar = mu[:, None, :], logvar[:, None, :]
    log_prior = gaussian_log_density(z, tf.zeros_like(z), tf.zeros_like(z))
    log_q = gaussian_log_density(z, mu, logvar)
    return log_px_given_z + log_prior - log_q


def iwae_bound(log_weights):
    """IWAE_k = log (1/k) sum_i w_i = logsumexp_i(log w_i) - log k (Burda et al. 2015, arXiv 1509.00519).

    Args:
        log_weights: shape [N, k].
    Returns:
        Shape [N]; k = 1 gives the ELBO estimate, and the bound rises towards log p(x) as k grows.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    check.check_rank(check.shape_of(log_weights), "log_weights", (2,), "[N, k]: k importance samples per example")
    check.check_nonempty(check.shape_of(log_weights), "log_weights")
    (log_weights,) = _floats(("log_weights", log_weights))
    return tf.reduce_logsumexp(log_weights, axis=1) - math.log(log_weights.shape[1])


def _log_weight_chunks(model, x, k, batch_size, chunk_size, seed):
    """Yield (batch index, log-weights [n, m]) chunk by chunk: at most batch_size * chunk_size decodes at once."""
    check.check_positive_int(k, "k (importance samples per example)")
    check.check_positive_int(batch_size, "batch_size")
    check.check_positive_int(chunk_size, "chunk_size")
    check.check_rank(check.shape_of(x), "x", range(2, 8), "a batch of images [N, ...]")
    check.check_nonempty(check.shape_of(x), "x")
    generator = tf.random.Generator.from_seed(int(seed))
    x = tf.cast(x if isinstance(x, (tf.Tensor, tf.Variable)) else np.asarray(x),
                model.trainable_variables[0].dtype)  # the model's dtype
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
