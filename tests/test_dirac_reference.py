"""Dirac-GAN oracle: closed-form eigenvalues, |lambda| = sqrt(1 + h^2/4), and the convergence regimes."""

import numpy as np
import pytest

from course_lib.reference import dirac


def test_field_vanishes_at_equilibrium_and_matches_finite_differences():
    for kw in [{}, {"r1_gamma": 0.5}, {"noise_std": 0.3}, {"loss": "wgan"}]:
        assert np.allclose(dirac.vector_field(0.0, 0.0, **kw), 0.0)
    theta, psi, eps = 0.7, -1.3, 1e-6
    for kw in [{}, {"r1_gamma": 0.5, "noise_std": 0.4}, {"loss": "wgan", "gp_weight": 2.0}]:
        v_theta, v_psi = dirac.vector_field(theta, psi, **kw)
        g = {k: v for k, v in kw.items() if k in ("loss", "noise_std")}
        dg = (dirac.g_loss(theta + eps, psi, **g) - dirac.g_loss(theta - eps, psi, **g)) / (2 * eps)
        dd = (dirac.d_loss(theta, psi + eps, **kw) - dirac.d_loss(theta, psi - eps, **kw)) / (2 * eps)
        np.testing.assert_allclose([v_theta, v_psi], [-dg, -dd], rtol=1e-6, atol=1e-8)


def test_field_is_finite_for_extreme_logits():
    for t in (30.0, 100.0, -100.0):
        v = dirac.vector_field(t, 1.0)
        assert np.all(np.isfinite(v))
    # sigmoid(100) = 1: v_theta = psi, v_psi = -theta
    np.testing.assert_allclose(dirac.vector_field(100.0, 1.0), (1.0, -100.0))


def test_jacobian_matches_numerical_derivative():
    eps = 1e-6
    for kw in [{}, {"r1_gamma": 0.7}, {"noise_std": 0.5}, {"loss": "wgan"}]:
        cols = []
        for e in np.eye(2) * eps:
            plus = np.array(dirac.vector_field(*e, **kw))
            minus = np.array(dirac.vector_field(*(-e), **kw))
            cols.append((plus - minus) / (2 * eps))
        np.testing.assert_allclose(np.stack(cols, axis=1), dirac.jacobian(**kw), atol=1e-6)


def test_closed_form_eigenvalues():
    np.testing.assert_allclose(dirac.jacobian_eigenvalues(), [0.5j, -0.5j])
    np.testing.assert_allclose(dirac.jacobian_eigenvalues(loss="wgan"), [1j, -1j])
    for kw in [{"r1_gamma": 0.3}, {"r1_gamma": 3.0}, {"noise_std": 0.8}]:
        np.testing.assert_allclose(sorted(dirac.jacobian_eigenvalues(**kw), key=lambda z: (z.real, z.imag)),
                                   sorted(np.linalg.eigvals(dirac.jacobian(**kw)), key=lambda z: (z.real, z.imag)),
                                   atol=1e-12)
        assert np.all(dirac.jacobian_eigenvalues(**kw).real < 0)
    # instance noise sigma acts like R1 with gamma = sigma^2 / 2
    np.testing.assert_allclose(dirac.jacobian_eigenvalues(noise_std=0.6), dirac.jacobian_eigenvalues(r1_gamma=0.18))


@pytest.mark.parametrize("h", [0.01, 0.1, 0.5, 1.0])
def test_simultaneous_modulus(h):
    values = dirac.update_eigenvalues(h, "simultaneous")
    np.testing.assert_allclose(np.abs(values), np.sqrt(1 + h ** 2 / 4))
    for method in ("simultaneous", "alternating"):
        np.testing.assert_allclose(np.sort_complex(dirac.update_eigenvalues(h, method, r1_gamma=0.2)),
                                   np.sort_complex(np.linalg.eigvals(dirac.update_matrix(h, method, r1_gamma=0.2))),
                                   atol=1e-12)


@pytest.mark.parametrize("h", [0.1, 0.5, 1.0, 3.9])
def test_alternating_modulus_is_one(h):
    np.testing.assert_allclose(np.abs(dirac.update_eigenvalues(h, "alternating")), 1.0, atol=1e-12)
    assert np.max(np.abs(dirac.update_eigenvalues(4.5, "alternating"))) > 1  # h a > 2 breaks the orbit


@pytest.mark.parametrize("method,kw", [("simultaneous", {}), ("alternating", {}),
                                       ("simultaneous", {"r1_gamma": 0.3}), ("alternating", {"noise_std": 0.5})])
def test_measured_eigenvalues_match_closed_form(method, kw):
    h = 0.2
    path = dirac.trajectory(1e-3, 1e-3, h, 100, method, **kw)
    np.testing.assert_allclose(dirac.measured_eigenvalues(path),
                               sorted(dirac.update_eigenvalues(h, method, **kw), key=lambda z: -z.imag), atol=1e-5)


def _radius(path, k):
    return float(np.linalg.norm(path[k]))


def test_convergence_regimes():
    h, steps = 0.1, 3000
    start = (1.0, 1.0)
    sim = dirac.trajectory(*start, h, steps, "simultaneous")
    assert _radius(sim, -1) > 2 * _radius(sim, 0)                           # spirals out
    alt = dirac.trajectory(*start, h, steps, "alternating")
    assert 0.9 < _radius(alt, -1) / _radius(alt, 0) < 1.1                   # orbits
    for kw in ({"r1_gamma": 0.3}, {"noise_std": 0.7}):
        for method in ("simultaneous", "alternating"):
            assert _radius(dirac.trajectory(*start, h, steps, method, **kw), -1) < 1e-3  # converges
    clipped = dirac.trajectory(*start, h, steps, "alternating", loss="wgan", weight_clip=1.0)
    assert min(_radius(clipped, k) for k in range(steps - 500, steps + 1)) > 0.5  # clipped WGAN: no convergence
    gp = dirac.trajectory(*start, h, steps, "simultaneous", loss="wgan", gp_weight=1.0)
    assert _radius(gp, -1) > 0.5                                            # WGAN-GP: no convergence


def test_gamma_threshold_for_simultaneous_steps():
    # simultaneous + R1: |1 + h lambda| < 1 iff gamma > h a^2 (small gamma): h = 0.5, a = 1/2 -> gamma > 0.125
    h = 0.5
    assert np.max(np.abs(dirac.update_eigenvalues(h, r1_gamma=0.1))) > 1
    assert np.max(np.abs(dirac.update_eigenvalues(h, r1_gamma=0.2))) < 1


def test_errors_teach():
    with pytest.raises(ValueError, match="loss"):
        dirac.vector_field(0, 0, loss="hinge")
    with pytest.raises(ValueError, match="step size"):
        dirac.trajectory(0, 0, -0.1, 3)
    with pytest.raises(ValueError, match="method"):
        dirac.trajectory(0, 0, 0.1, 3, method="adam")
