"""pPCA in closed form against a direct multivariate-normal density and the ML optimum."""

import numpy as np
import pytest
from scipy import stats

from course_lib.reference import ppca


@pytest.fixture(scope="module")
def data():
    return ppca.sample_low_rank_gaussian(4000, dim=6, rank=2, noise_std=0.3, seed=0)


def test_ppca_recovers_noise_and_covariance(data):
    x, true_cov = data
    model = ppca.fit_ppca(x, 2)
    assert abs(model.sigma2 - 0.09) < 0.01
    assert np.max(np.abs(model.covariance - true_cov)) < 0.25
    # The fitted covariance equals the sample covariance in the top-q subspace
    centred = x - x.mean(0)
    sample_cov = centred.T @ centred / len(x)
    top = np.linalg.eigh(sample_cov)[1][:, ::-1][:, :2]
    np.testing.assert_allclose(top.T @ model.covariance @ top, top.T @ sample_cov @ top, atol=1e-10)


def test_ppca_log_likelihood_matches_scipy_and_closed_form(data):
    x, _ = data
    model = ppca.fit_ppca(x, 2)
    per_point = ppca.ppca_log_likelihood(x, model)
    np.testing.assert_allclose(per_point, stats.multivariate_normal(model.mean, model.covariance).logpdf(x),
                               rtol=1e-10)
    np.testing.assert_allclose(per_point.mean(), ppca.ppca_mean_log_likelihood_at_optimum(model), rtol=1e-10)


def test_ppca_is_the_maximum_likelihood(data):
    x, _ = data
    model = ppca.fit_ppca(x, 2)
    best = ppca.ppca_log_likelihood(x, model).mean()
    rng = np.random.default_rng(0)
    for _ in range(5):
        other = ppca.PPCA(model.mean, model.W + 0.05 * rng.normal(size=model.W.shape), model.sigma2 * 1.1,
                          model.eigenvalues)
        assert ppca.ppca_log_likelihood(x, other).mean() < best
    # a larger q can only fit better; the true rank is where the gain stops
    gains = np.diff([ppca.ppca_mean_log_likelihood_at_optimum(ppca.fit_ppca(x, q)) for q in (1, 2, 3)])
    assert gains[0] > 1.0 and 0 <= gains[1] < 0.01


def test_ppca_errors_teach():
    with pytest.raises(ValueError, match="latent_dim"):
        ppca.fit_ppca(np.zeros((10, 3)), 3)
    with pytest.raises(ValueError, match="Flatten"):
        ppca.fit_ppca(np.zeros((10, 3, 3)), 1)
