"""Both twins compute the Dirac-GAN field and trajectories by autograd on the real losses and match the oracle."""

import numpy as np
import pytest

from course_lib.reference import dirac

CASES = [{}, {"r1_gamma": 0.5}, {"noise_std": 0.4}, {"r1_gamma": 0.2, "noise_std": 0.3},
         {"loss": "wgan"}, {"loss": "wgan", "gp_weight": 1.5}]


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "standard")
def test_vector_field_matches_reference(fw, kw):
    rng = np.random.default_rng(0)
    theta = np.concatenate([rng.normal(size=20), [30.0, -30.0, 100.0, -100.0, 0.0]])
    psi = np.concatenate([rng.normal(size=20), [1.0, 1.0, 1.0, -1.0, 0.5]])
    got = fw.dirac.vector_field(theta, psi, **kw)
    want = dirac.vector_field(theta, psi, **kw)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("method", ["simultaneous", "alternating"])
@pytest.mark.parametrize("kw", [{}, {"r1_gamma": 0.3}, {"loss": "wgan", "weight_clip": 0.5}])
def test_trajectory_matches_reference(fw, method, kw):
    got = fw.dirac.trajectory(1.0, 0.5, 0.2, 30, method, **kw)
    want = dirac.trajectory(1.0, 0.5, 0.2, 30, method, **kw)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_measured_eigenvalues_from_twin_trajectory(fw):
    h = 0.3
    path = fw.dirac.trajectory(1e-3, 1e-3, h, 60, "simultaneous")
    measured = dirac.measured_eigenvalues(path)
    np.testing.assert_allclose(np.abs(measured), np.sqrt(1 + h ** 2 / 4), rtol=1e-5)
