"""The GAN game in closed form, in numpy: optimal discriminator, value of the game, JS and Wasserstein distances.

Goodfellow et al. 2014 (arXiv 1406.2661): for a fixed G the best discriminator is
D*(x) = p_data(x) / (p_data(x) + p_g(x)), and V(D*, G) = -log 4 + 2 JSD(p_data || p_g), so the game's value
at p_g = p_data is -log 4. Arjovsky et al. 2017 (arXiv 1701.07875): on disjoint supports JSD stays log 2
while the Wasserstein-1 distance keeps measuring how far apart the distributions are.
Used in: notebooks/01_gan_losses.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.reference.losses import softplus

__all__ = [
    "GENERATOR_LOSS_DERIVATIVES",
    "game_value",
    "gaussian_pdf",
    "generator_loss_derivative",
    "js_divergence",
    "optimal_discriminator",
    "optimal_discriminator_logit",
    "point_mass_distances",
    "wasserstein_1d",
]


def gaussian_pdf(x, mu=0.0, sigma=1.0):
    """Density of N(mu, sigma^2) at x."""
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2.0 * np.pi))


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) (arXiv 1406.2661, Proposition 1); 1/2 where both are 0."""
    p_data, p_g = np.asarray(p_data, np.float64), np.asarray(p_g, np.float64)
    total = p_data + p_g
    return np.where(total > 0, p_data / np.where(total > 0, total, 1.0), 0.5)


def optimal_discriminator_logit(log_p_data, log_p_g):
    """The logit of D*: log p_data(x) - log p_g(x) (stable where the densities underflow)."""
    return np.asarray(log_p_data, np.float64) - np.asarray(log_p_g, np.float64)


_trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 names it trapz


def _integrate(values, x):
    return float(_trapezoid(values, x))


def game_value(x, p_data, p_g, d_logits):
    """V(D, G) = E_data[log D(x)] + E_g[log(1 - D(x))], by quadrature on the grid x.

    Args:
        x: grid [M] covering both densities.
        p_data, p_g: densities on the grid [M].
        d_logits: the discriminator's logits on the grid [M] (log D = -softplus(-l), log(1 - D) = -softplus(l)).
    Returns:
        The value (a float); -log 4 ~ -1.386 at p_g = p_data with D = D*.
    """
    d_logits = np.asarray(d_logits, np.float64)
    return _integrate(-np.asarray(p_data) * softplus(-d_logits) - np.asarray(p_g) * softplus(d_logits), x)


def js_divergence(p, q, x=None):
    """Jensen-Shannon divergence 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q)/2, in nats, at most log 2.

    Args:
        p, q: densities on the grid `x` (quadrature), or probability vectors when x is None (a sum).
    """
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = 0.5 * (np.where(p > 0, p * np.log(p / m), 0.0) + np.where(q > 0, q * np.log(q / m), 0.0))
    return float(terms.sum()) if x is None else _integrate(terms, x)


def wasserstein_1d(support, p, q):
    """Wasserstein-1 distance between two distributions on the same sorted 1-D support: sum |F_p - F_q| dx.

    Args:
        support: sorted points [M]; p, q: probability vectors [M].
    """
    support = np.asarray(support, np.float64)
    cdf_gap = np.abs(np.cumsum(p) - np.cumsum(q))[:-1]
    return float(np.sum(cdf_gap * np.diff(support)))


def point_mass_distances(theta):
    """(JSD, W1) between the point masses delta_0 (real) and delta_theta (fake), computed from their definitions.

    JSD is log 2 for every theta != 0 (no gradient tells G which way to move); W1 = |theta|.
    """
    support = np.array(sorted({0.0, float(theta)}))
    p = (support == 0.0).astype(np.float64)
    q = (support == float(theta)).astype(np.float64)
    return js_divergence(p, q), wasserstein_1d(support, p, q)


def _sigmoid(x):
    return np.exp(-softplus(-np.asarray(x, np.float64)))  # sigmoid(x) = exp(-softplus(-x)): accurate in the tails


GENERATOR_LOSS_DERIVATIVES = {
    # d loss / d f for the generator losses of course_lib.reference.losses, f = D's output on a fake
    "minimax": lambda f: -_sigmoid(f),                  # d/df log(1 - sigmoid(f))
    "non_saturating": lambda f: -_sigmoid(-f),          # d/df -log sigmoid(f)
    "least_squares": lambda f: np.asarray(f, np.float64) - 1.0,  # d/df 1/2 (f - 1)^2
    "hinge": lambda f: -np.ones_like(np.asarray(f, np.float64)),  # d/df -f
    "wasserstein": lambda f: -np.ones_like(np.asarray(f, np.float64)),  # d/df -f
}


def generator_loss_derivative(loss, fake_scores):
    """d loss / d f, per sample, for the generator loss named `loss` (a key of GENERATOR_LOSS_DERIVATIVES)."""
    if loss not in GENERATOR_LOSS_DERIVATIVES:
        raise ValueError(f"loss must be one of {tuple(GENERATOR_LOSS_DERIVATIVES)}; got {loss!r}.")
    return GENERATOR_LOSS_DERIVATIVES[loss](fake_scores)
