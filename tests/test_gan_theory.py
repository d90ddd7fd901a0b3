"""Closed forms of the GAN game (numpy) and the twins' autograd derivatives against the analytic ones."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.reference import gan_theory as th
from course_lib.reference import losses as ref


def test_optimal_discriminator_and_game_value_on_gaussians():
    x = np.linspace(-12, 14, 100_001)
    p_data = th.gaussian_pdf(x, 0.0, 1.0)
    for mu_g in (0.0, 1.0, 3.0):
        p_g = th.gaussian_pdf(x, mu_g, 1.0)
        d_star = th.optimal_discriminator(p_data, p_g)
        logit = th.optimal_discriminator_logit(np.log(p_data), np.log(p_g))
        np.testing.assert_allclose(1 / (1 + np.exp(-logit)), d_star, rtol=1e-9, atol=1e-12)
        value = th.game_value(x, p_data, p_g, logit)
        np.testing.assert_allclose(value, -np.log(4) + 2 * th.js_divergence(p_data, p_g, x), rtol=1e-6)
        # any other discriminator does worse (lower value): D* maximises V for a fixed G
        assert th.game_value(x, p_data, p_g, 0.8 * logit + 0.1) <= value + 1e-9
    same = th.game_value(x, p_data, p_data, np.zeros_like(x))
    np.testing.assert_allclose(same, -np.log(4), rtol=1e-9)


def test_optimal_discriminator_where_both_densities_vanish():
    np.testing.assert_allclose(th.optimal_discriminator([0.0, 1.0, 0.0], [0.0, 1.0, 2.0]), [0.5, 0.5, 0.0])


@pytest.mark.parametrize("theta", [-3.0, -0.1, 0.5, 2.0, 10.0])
def test_point_masses_js_is_log2_and_w_is_distance(theta):
    js, w = th.point_mass_distances(theta)
    np.testing.assert_allclose(js, np.log(2), rtol=1e-12)
    np.testing.assert_allclose(w, abs(theta), rtol=1e-12)
    assert th.point_mass_distances(0.0) == (0.0, 0.0)


def test_wasserstein_1d_on_a_small_example():
    # moving 1/2 of the mass by 2 and 1/2 by 1
    assert th.wasserstein_1d([0, 1, 2, 3], [0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]) == pytest.approx(2.0)


@pytest.mark.parametrize("loss", list(th.GENERATOR_LOSS_DERIVATIVES))
def test_autograd_derivatives_match_the_analytic_ones(fw, loss):
    from course_lib.config import GAN_LOSS_PAIRS

    f = np.array([-100.0, -30.0, -3.0, 0.0, 0.5, 3.0, 30.0, 100.0])
    values, grads = fw.loss_gradients.loss_and_gradient(getattr(fw.losses, GAN_LOSS_PAIRS[loss][1]), f)
    np.testing.assert_allclose(values, getattr(ref, GAN_LOSS_PAIRS[loss][1])(f, "none"), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(grads, th.generator_loss_derivative(loss, f), rtol=1e-6, atol=1e-30)


def test_generator_loss_derivative_rejects_unknown_names():
    with pytest.raises(ValueError, match="must be one of"):
        th.generator_loss_derivative("bce", [0.0])
