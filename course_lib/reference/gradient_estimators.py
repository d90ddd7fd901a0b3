"""Two unbiased estimators of d/dmu E_{z ~ N(mu, sigma^2)}[f(z)]: score function and reparameterisation.

Score function (REINFORCE, Williams 1992): f(z) d/dmu log N(z | mu, sigma^2) = f(z) (z - mu) / sigma^2.
Reparameterisation (Kingma & Welling 2013, arXiv 1312.6114): z = mu + sigma eps, gradient f'(mu + sigma eps).
Both have the same mean; the notebook measures their variances.

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import numpy as np

__all__ = ["reparameterization_gradients", "score_function_gradients"]


def _noise(mu, n, seed):
    if n < 1:
        raise ValueError(f"n must be a positive number of samples; got {n}.")
    return np.random.default_rng(seed).standard_normal((n,) + np.shape(mu))


def score_function_gradients(f, mu, sigma, n, seed=0, baseline=0.0) -> np.ndarray:
    """n single-sample estimates (f(z) - baseline) (z - mu) / sigma^2 with z = mu + sigma eps.

    Args:
        f: numpy function of z (elementwise).
        mu, sigma: the Gaussian's mean and standard deviation (scalars or arrays).
        n: number of independent estimates; seed: rng seed (the same seed gives the same eps in both estimators).
        baseline: a constant subtracted from f (a control variate; keeps the estimator unbiased).
    Returns:
        Shape [n, *mu.shape].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    eps = _noise(mu, n, seed)
    z = mu + sigma * eps
    return (f(z) - baseline) * eps / sigma


def reparameterization_gradients(df, mu, sigma, n, seed=0) -> np.ndarray:
    """n single-sample estimates f'(mu + sigma eps) with eps ~ N(0, 1).

    Args:
        df: the derivative f'(z), numpy, elementwise.
        mu, sigma, n, seed: as in score_function_gradients.
    Returns:
        Shape [n, *mu.shape].
    Used in: notebooks/03_vae_elbo.ipynb
    """
    eps = _noise(mu, n, seed)
    return df(mu + sigma * eps)
