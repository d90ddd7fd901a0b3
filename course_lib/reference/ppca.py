"""Probabilistic PCA in closed form (Tipping & Bishop 1999), the exact likelihood a linear VAE must reach.

Model: z ~ N(0, I_q), x = W z + mean + noise, noise ~ N(0, sigma^2 I_d), so p(x) = N(mean, W W^T + sigma^2 I).
Maximum likelihood on centred data with covariance S (1/N normalisation), eigenvalues lambda_1 >= ... >= lambda_d:
sigma^2 = mean of the d - q discarded eigenvalues, W = U_q (Lambda_q - sigma^2 I)^(1/2) (up to a rotation).
Lucas et al. 2019 (arXiv 1911.02469) show that a linear Gaussian VAE's ELBO has the same global optimum.

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.reference.vae import LOG_2PI

__all__ = [
    "PPCA",
    "fit_ppca",
    "multivariate_normal_log_density",
    "ppca_log_likelihood",
    "ppca_mean_log_likelihood_at_optimum",
    "sample_low_rank_gaussian",
]


@dataclass
class PPCA:
    """A fitted pPCA model: mean [d], W [d, q], sigma2 (noise variance), eigenvalues of S [d], descending."""

    mean: np.ndarray
    W: np.ndarray
    sigma2: float
    eigenvalues: np.ndarray

    @property
    def covariance(self) -> np.ndarray:
        """C = W W^T + sigma^2 I, shape [d, d]."""
        return self.W @ self.W.T + self.sigma2 * np.eye(self.W.shape[0])


def _check_data(x) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"Expected data of shape [N >= 2, d]; got {x.shape}. Flatten images to [N, d] first.")
    return x


def fit_ppca(x, latent_dim) -> PPCA:
    """Maximum-likelihood pPCA: sigma^2 = mean(lambda_{q+1..d}), W = U_q (Lambda_q - sigma^2 I)^(1/2).

    Tipping & Bishop 1999, "Probabilistic principal component analysis", JRSS-B 61(3), eqs. 7-8.

    Args:
        x: data, shape [N, d].
        latent_dim: q, with 1 <= q < d.
    Returns:
        PPCA(mean [d], W [d, q], sigma2, eigenvalues [d]).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    x = _check_data(x)
    d = x.shape[1]
    if not 1 <= latent_dim < d:
        raise ValueError(f"latent_dim must be between 1 and d - 1 = {d - 1}; got {latent_dim}.")
    mean = x.mean(axis=0)
    centred = x - mean
    covariance = centred.T @ centred / x.shape[0]          # 1/N normalisation: the ML estimate
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    sigma2 = float(np.mean(eigenvalues[latent_dim:]))
    scale = np.sqrt(np.maximum(eigenvalues[:latent_dim] - sigma2, 0.0))
    W = eigenvectors[:, :latent_dim] * scale
    return PPCA(mean=mean, W=W, sigma2=sigma2, eigenvalues=eigenvalues)


def multivariate_normal_log_density(x, mean, covariance) -> np.ndarray:
    """log N(x | mean, covariance) = -0.5 (d log 2pi + log|C| + (x - m)^T C^-1 (x - m)), via Cholesky.

    Args:
        x: shape [N, d]; mean: [d]; covariance: [d, d], symmetric positive definite.
    Returns:
        Shape [N], nats per point.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    x = np.asarray(x, np.float64)
    covariance = np.asarray(covariance, np.float64)
    try:
        chol = np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError as error:
        raise ValueError("covariance must be symmetric positive definite.") from error
    solved = np.linalg.solve(chol, (x - mean).T)  # L^-1 (x - m), shape [d, N]
    log_det = 2.0 * np.sum(np.log(np.diag(chol)))
    return -0.5 * (x.shape[1] * LOG_2PI + log_det + np.sum(solved ** 2, axis=0))


def ppca_log_likelihood(x, model: PPCA) -> np.ndarray:
    """Exact log p(x) = log N(x | mean, W W^T + sigma^2 I) under a pPCA model, per point.

    Args:
        x: shape [N, d].
        model: a PPCA from fit_ppca (or any mean, W, sigma2).
    Returns:
        Shape [N], nats per point.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    return multivariate_normal_log_density(_check_data(x), model.mean, model.covariance)


def ppca_mean_log_likelihood_at_optimum(model: PPCA) -> float:
    """Closed-form mean log-likelihood of the training data at the ML solution.

    At the optimum tr(C^-1 S) = d (Tipping & Bishop 1999, eq. 4), so
    (1/N) sum_n log p(x_n) = -0.5 (d log 2pi + sum_{j<=q} log lambda_j + (d - q) log sigma^2 + d).

    Args:
        model: the PPCA returned by fit_ppca on that data.
    Returns:
        Nats per point (a float).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    d, q = model.W.shape
    log_det = np.sum(np.log(model.eigenvalues[:q])) + (d - q) * np.log(model.sigma2)
    return float(-0.5 * (d * LOG_2PI + log_det + d))


def sample_low_rank_gaussian(n, dim=8, rank=2, noise_std=0.3, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic data with a known low-rank-plus-noise covariance: x = A z + noise, z ~ N(0, I_rank).

    Args:
        n: number of points; dim: d; rank: true latent dimension; noise_std: isotropic noise; seed: rng seed.
    Returns:
        (x of shape [n, dim], the true covariance A A^T + noise_std^2 I of shape [dim, dim]).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((dim, rank)) * np.linspace(2.0, 1.0, rank)
    offset = rng.standard_normal(dim)
    x = rng.standard_normal((n, rank)) @ A.T + offset + noise_std * rng.standard_normal((n, dim))
    return x, A @ A.T + noise_std ** 2 * np.eye(dim)
