"""The numpy oracle of the ELBO: closed forms against Monte Carlo, sums and direct formulas."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, logsumexp

from course_lib.reference import gradient_estimators as ge
from course_lib.reference import vae


def test_gaussian_kl_matches_monte_carlo_within_standard_error():
    rng = np.random.default_rng(1)
    mu = rng.normal(size=(4, 3))
    logvar = rng.normal(scale=0.7, size=(4, 3))
    n = 200_000
    eps = rng.standard_normal((n, 4, 3))
    z = mu + np.exp(0.5 * logvar) * eps
    log_ratio = vae.gaussian_log_density(z, mu, logvar) - vae.gaussian_log_density(z, 0.0, 0.0)  # [n, 4]
    estimate = log_ratio.mean(axis=0)
    standard_error = log_ratio.std(axis=0, ddof=1) / np.sqrt(n)
    analytic = vae.gaussian_kl(mu, logvar)
    # 5 standard errors: a false alarm has probability ~6e-7 per example
    assert np.all(np.abs(estimate - analytic) < 5 * standard_error), (estimate, analytic, standard_error)
    assert np.all(standard_error < 0.05)


def test_gaussian_kl_zero_at_prior_and_per_dim_sums():
    assert np.allclose(vae.gaussian_kl(np.zeros((2, 5)), np.zeros((2, 5))), 0.0)
    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    per_dim = vae.gaussian_kl_per_dim(mu, logvar)
    assert per_dim.shape == (3, 4) and np.all(per_dim >= 0)
    np.testing.assert_allclose(per_dim.sum(1), vae.gaussian_kl(mu, logvar))


def test_active_units_counts_dimensions_that_vary():
    rng = np.random.default_rng(0)
    mu = np.concatenate([rng.normal(size=(500, 2)), 1e-3 * rng.normal(size=(500, 3))], axis=1)
    count, variance = vae.active_units(mu)
    assert count == 2 and variance.shape == (5,)
    with pytest.raises(ValueError, match="shape"):
        vae.active_units(np.zeros(3))


def test_bernoulli_log_likelihood_matches_direct_formula_and_is_stable():
    rng = np.random.default_rng(0)
    x = (rng.random((3, 2, 4)) < 0.5).astype(float)
    logits = rng.normal(scale=3, size=(3, 2, 4))
    p = expit(logits)
    direct = np.sum(x * np.log(p) + (1 - x) * np.log1p(-p), axis=(1, 2))
    np.testing.assert_allclose(vae.bernoulli_log_likelihood(x, logits), direct, rtol=1e-10)
    extreme = np.array([[100.0, -100.0, 30.0, -30.0]])
    value = vae.bernoulli_log_likelihood(np.array([[1.0, 0.0, 0.0, 1.0]]), extreme)
    np.testing.assert_allclose(value, [-(0 + 0 + 30 + 30) - 2 * np.log1p(np.exp(-30))], rtol=1e-12)
    with pytest.raises(ValueError, match="same shape"):
        vae.bernoulli_log_likelihood(np.zeros((2, 3)), np.zeros((2, 4)))


def test_gaussian_log_likelihood_matches_scipy():
    rng = np.random.default_rng(0)
    x, mean = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    logvar = rng.normal(size=(5,))
    expected = stats.norm.logpdf(x, mean, np.exp(0.5 * logvar)).sum(1)
    np.testing.assert_allclose(vae.gaussian_log_likelihood(x, mean, logvar), expected, rtol=1e-12)
    np.testing.assert_allclose(vae.gaussian_log_likelihood(x, mean, 0.0),
                               stats.norm.logpdf(x, mean).sum(1), rtol=1e-12)


def test_reparameterize_given_and_seeded_eps():
    mu, logvar = np.array([[1.0, -2.0]]), np.array([[0.0, np.log(4.0)]])
    np.testing.assert_allclose(vae.reparameterize(mu, logvar, eps=np.array([[1.0, 1.0]])), [[2.0, 0.0]])
    a = vae.reparameterize(mu, logvar, seed=3)
    np.testing.assert_array_equal(a, vae.reparameterize(mu, logvar, seed=3))
    with pytest.raises(ValueError, match="shape"):
        vae.reparameterize(mu, logvar, eps=np.zeros(3))


def test_elbo_parts_and_beta():
    rng = np.random.default_rng(0)
    x = (rng.random((4, 6)) < 0.3).astype(float)
    logits, mu, logvar = rng.normal(size=(4, 6)), rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    parts = vae.elbo(x, logits, mu, logvar, beta=0.5)
    np.testing.assert_allclose(parts["reconstruction"], vae.bernoulli_log_likelihood(x, logits))
    np.testing.assert_allclose(parts["kl"], vae.gaussian_kl(mu, logvar))
    np.testing.assert_allclose(parts["elbo"], parts["reconstruction"] - 0.5 * parts["kl"])
    gaussian = vae.elbo(x, logits, mu, logvar, likelihood="gaussian", decoder_logvar=-1.0)
    np.testing.assert_allclose(gaussian["reconstruction"], vae.gaussian_log_likelihood(x, logits, -1.0))
    with pytest.raises(ValueError, match="likelihood"):
        vae.elbo(x, logits, mu, logvar, likelihood="mse")


def test_iwae_bound_is_stable_logmeanexp_and_k1_is_the_weight():
    rng = np.random.default_rng(0)
    log_w = rng.normal(size=(3, 7)) - 1000.0  # exp underflows: must still be finite
    np.testing.assert_allclose(vae.iwae_bound(log_w), logsumexp(log_w, axis=1) - np.log(7))
    np.testing.assert_allclose(vae.iwae_bound(log_w[:, :1]), log_w[:, 0])
    assert np.all(vae.iwae_bound(log_w) >= log_w.mean(1))  # Jensen


def test_importance_sampling_recovers_exact_marginal_of_a_linear_gaussian_model():
    # p(z) = N(0, 1), p(x|z) = N(2 z, 0.5): log p(x) = log N(x; 0, 4.5); a rough q makes IWAE_k climb to it
    x = np.array([[0.7], [-1.5]])
    mu, logvar = 0.3 * x, np.full_like(x, np.log(0.5))
    rng = np.random.default_rng(0)
    exact = stats.norm.logpdf(x[:, 0], 0.0, np.sqrt(4.5))
    previous = -np.inf
    for k in (1, 10, 1000):
        z = mu[:, None, :] + np.exp(0.5 * logvar)[:, None, :] * rng.standard_normal((2000, 2, k, 1))
        log_px = stats.norm.logpdf(x[:, None, 0], 2 * z[..., 0], np.sqrt(0.5))  # [2000, 2, k]
        bounds = np.stack([vae.iwae_bound(vae.log_importance_weights(lp, zz, mu, logvar))
                           for lp, zz in zip(log_px, z)])  # [2000, 2]
        mean = bounds.mean(0)
        assert np.all(mean <= exact + 3 * bounds.std(0) / np.sqrt(2000))
        assert np.all(mean > previous)
        previous = mean
    np.testing.assert_allclose(previous, exact, atol=0.01)


def test_continuous_bernoulli_normaliser_matches_numerical_integral():
    grid = (np.arange(200_000) + 0.5) / 200_000
    for logit in (-30.0, -3.0, -1e-4, 0.0, 0.5, 4.0, 30.0):
        log_p, log_1mp = -np.logaddexp(0, -logit), -np.logaddexp(0, logit)  # exact even at |logit| = 30
        integral = np.mean(np.exp(grid * log_p + (1 - grid) * log_1mp))
        np.testing.assert_allclose(vae.continuous_bernoulli_log_normalizer(logit), -np.log(integral), rtol=1e-6)


def test_gradient_estimators_agree_in_mean_and_differ_in_variance():
    f, df = (lambda z: (z - 2.0) ** 2), (lambda z: 2.0 * (z - 2.0))
    score = ge.score_function_gradients(f, 0.5, 1.0, 100_000, seed=0)
    reparam = ge.reparameterization_gradients(df, 0.5, 1.0, 100_000, seed=0)
    for g in (score, reparam):
        assert abs(g.mean() - 2.0 * (0.5 - 2.0)) < 5 * g.std() / np.sqrt(len(g))
    assert score.var() > 5 * reparam.var()
