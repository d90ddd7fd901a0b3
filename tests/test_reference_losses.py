"""The numpy oracle itself against hand-computed values and closed forms (no framework needed)."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib.reference.losses as ref


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_oracle_matches_the_naive_formulas_on_moderate_logits():
    r = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])
    f = np.array([1.5, -1.0, 0.2, -3.0, 0.0])
    naive_d = -np.log(_sigmoid(r)) - np.log(1 - _sigmoid(f))
    np.testing.assert_allclose(ref.minimax_discriminator_loss(r, f, "none"), naive_d, rtol=1e-12)
    np.testing.assert_allclose(ref.minimax_generator_loss(f, "none"), np.log(1 - _sigmoid(f)), rtol=1e-12)
    np.testing.assert_allclose(ref.non_saturating_generator_loss(f, "none"), -np.log(_sigmoid(f)), rtol=1e-12)
    np.testing.assert_allclose(ref.least_squares_discriminator_loss(r, f, "none"),
                               0.5 * (r - 1) ** 2 + 0.5 * f ** 2)
    np.testing.assert_allclose(ref.least_squares_generator_loss(f, "none"), 0.5 * (f - 1) ** 2)
    np.testing.assert_allclose(ref.wasserstein_critic_loss(r, f, "none"), f - r)
    np.testing.assert_allclose(ref.wasserstein_generator_loss(f, "none"), -f)
    np.testing.assert_allclose(ref.hinge_discriminator_loss(r, f, "none"),
                               np.maximum(0, 1 - r) + np.maximum(0, 1 + f))
    np.testing.assert_allclose(ref.hinge_generator_loss(f, "none"), -f)


def test_reductions_apply_to_each_term():
    r, f = np.array([1.0, 2.0, 3.0]), np.array([0.5, -0.5])  # different sizes are fine for mean and sum
    assert ref.wasserstein_critic_loss(r, f) == pytest.approx(0.0 - 2.0)
    assert ref.wasserstein_critic_loss(r, f, "sum") == pytest.approx(0.0 - 6.0)


def test_oracle_is_finite_at_extreme_logits():
    x = np.array([-100.0, -30.0, 30.0, 100.0])
    for value in (ref.minimax_discriminator_loss(x, x, "none"), ref.minimax_generator_loss(x, "none"),
                  ref.non_saturating_generator_loss(x, "none")):
        assert np.all(np.isfinite(value))
    np.testing.assert_allclose(ref.non_saturating_generator_loss(x, "none"), [100.0, 30.0, 9.357623e-14, 0.0],
                               rtol=1e-6, atol=1e-40)


def test_label_smoothing_is_cross_entropy_with_a_soft_real_target():
    r, f = np.array([0.3, -1.2]), np.array([0.1, 2.0])
    t = 0.9
    want = -(t * np.log(_sigmoid(r)) + (1 - t) * np.log(1 - _sigmoid(r))) - np.log(1 - _sigmoid(f))
    np.testing.assert_allclose(ref.minimax_discriminator_loss(r, f, "none", 0.1), want, rtol=1e-12)


def _normal_pdf(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


@pytest.mark.parametrize("mu_g", [0.0, 0.5, 2.0])
def test_game_value_at_the_optimal_discriminator_on_1d_gaussians(mu_g):
    """V(D*, G) = -log 4 + 2 JSD(p_data || p_g); at p_g = p_data it is -log 4 (arXiv 1406.2661, Theorem 1)."""
    x = np.linspace(-12, 14, 200_001)
    dx = x[1] - x[0]
    p_data, p_g = _normal_pdf(x, 0.0, 1.0), _normal_pdf(x, mu_g, 1.0)
    d_star_logit = np.log(p_data) - np.log(p_g)  # D* = p_data / (p_data + p_g), so its logit is the log ratio
    # V = E_data[log D*] + E_g[log(1 - D*)] = -(per-sample discriminator loss terms), integrated
    real_term = ref.non_saturating_generator_loss(d_star_logit, "none")  # -log D*(x)
    fake_term = -ref.minimax_generator_loss(d_star_logit, "none")         # -log(1 - D*(x))
    value = -np.sum(p_data * real_term + p_g * fake_term) * dx
    m = 0.5 * (p_data + p_g)
    jsd = 0.5 * np.sum(p_data * np.log(p_data / m) + p_g * np.log(p_g / m)) * dx
    np.testing.assert_allclose(value, -np.log(4) + 2 * jsd, rtol=1e-6)
    if mu_g == 0.0:
        np.testing.assert_allclose(value, -np.log(4), rtol=1e-9)
    else:
        assert value > -np.log(4)


def test_reference_penalties_on_linear_critics():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 3))
    real, fake = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 2, 3))
    gp = ref.gradient_penalty(ref.linear_critic_grad(w), real, fake, weight=10.0)
    assert gp == pytest.approx(10.0 * (np.linalg.norm(w) - 1) ** 2, rel=1e-9)
    unit = w / np.linalg.norm(w)
    assert ref.gradient_penalty(ref.linear_critic_grad(unit), real, fake) == pytest.approx(0.0, abs=1e-20)
    assert ref.r1_penalty(ref.linear_critic_grad(w), real, gamma=3.0) == pytest.approx(1.5 * np.sum(w ** 2))


def test_reference_gradient_penalty_uses_epsilon():
    a = np.array([1.0, 2.0])
    real, fake = np.array([[1.0, 1.0], [0.0, 2.0]]), np.array([[3.0, -1.0], [1.0, 0.0]])
    eps = np.array([0.25, 1.0])
    x_hat = np.array([[0.25 * 1 + 0.75 * 3, 0.25 * 1 + 0.75 * -1], [0.0, 2.0]])
    norms = np.linalg.norm(a * x_hat, axis=1)
    want = 10.0 * np.mean((norms - 1) ** 2)
    assert ref.gradient_penalty(ref.quadratic_critic_grad(a), real, fake, 10.0, eps) == pytest.approx(want)
