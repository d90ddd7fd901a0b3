"""Both twins' ELBO functions against the numpy oracle (course_lib/reference/vae.py)."""

import numpy as np
import pytest

from course_lib.reference import vae as ref

RTOL, ATOL = 1e-5, 1e-6


def _tensor(fw, a):
    a = np.asarray(a)
    if fw.FRAMEWORK == "torch":
        import torch

        return torch.as_tensor(a)
    import tensorflow as tf

    return tf.constant(a)


@pytest.fixture
def inputs():
    rng = np.random.default_rng(7)
    n, d, pixels = 5, 3, 12
    logits = rng.normal(scale=4, size=(n, pixels))
    logits[0, :4] = [30.0, -30.0, 100.0, -100.0]  # extreme logits must stay finite and exact
    logits[1, :4] = [-30.0, 30.0, -100.0, 100.0]
    return {
        "x": (rng.random((n, pixels)) < 0.5).astype(np.float64),
        "grey": rng.random((n, pixels)),
        "logits": logits,
        "mean": rng.normal(size=(n, pixels)),
        "pixel_logvar": rng.normal(size=(pixels,)),
        "mu": rng.normal(scale=2, size=(n, d)),
        "logvar": rng.normal(size=(n, d)),
        "eps": rng.standard_normal((n, d)),
    }


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kl_and_likelihoods_match_oracle(fw, inputs, dtype):
    v = fw.vae
    t = {k: _tensor(fw, a.astype(dtype)) for k, a in inputs.items()}
    rtol = RTOL if dtype == np.float64 else 2e-5  # float32 sums of 12 terms
    cases = [
        (v.gaussian_kl(t["mu"], t["logvar"]), ref.gaussian_kl(inputs["mu"], inputs["logvar"])),
        (v.gaussian_kl_per_dim(t["mu"], t["logvar"]), ref.gaussian_kl_per_dim(inputs["mu"], inputs["logvar"])),
        (v.bernoulli_log_likelihood(t["x"], t["logits"]), ref.bernoulli_log_likelihood(inputs["x"], inputs["logits"])),
        (v.bernoulli_log_likelihood(t["grey"], t["logits"]),
         ref.bernoulli_log_likelihood(inputs["grey"], inputs["logits"])),
        (v.gaussian_log_likelihood(t["x"], t["mean"], t["pixel_logvar"]),
         ref.gaussian_log_likelihood(inputs["x"], inputs["mean"], inputs["pixel_logvar"])),
        (v.gaussian_log_likelihood(t["x"], t["mean"], 0.0),
         ref.gaussian_log_likelihood(inputs["x"], inputs["mean"], 0.0)),
        (v.gaussian_log_density(t["eps"], t["mu"], t["logvar"]),
         ref.gaussian_log_density(inputs["eps"], inputs["mu"], inputs["logvar"])),
    ]
    for got, want in cases:
        got = fw.utils.to_numpy(got)
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, want, rtol=rtol, atol=ATOL)


def test_reparameterize_elbo_and_iwae_match_oracle(fw, inputs):
    v, t = fw.vae, {k: _tensor(fw, a) for k, a in inputs.items()}
    z = fw.utils.to_numpy(v.reparameterize(t["mu"], t["logvar"], eps=t["eps"]))
    np.testing.assert_allclose(z, ref.reparameterize(inputs["mu"], inputs["logvar"], eps=inputs["eps"]),
                               rtol=RTOL, atol=ATOL)
    for likelihood, decoded in (("bernoulli", "logits"), ("gaussian", "mean")):
        got = v.elbo(t["x"], t[decoded], t["mu"], t["logvar"], beta=0.3, likelihood=likelihood,
                     decoder_logvar=t["pixel_logvar"])
        want = ref.elbo(inputs["x"], inputs[decoded], inputs["mu"], inputs["logvar"], beta=0.3,
                        likelihood=likelihood, decoder_logvar=inputs["pixel_logvar"])
        assert set(got) == set(want) == {"elbo", "reconstruction", "kl"}
        for key in want:
            np.testing.assert_allclose(fw.utils.to_numpy(got[key]), want[key], rtol=RTOL, atol=ATOL)
    log_px = np.random.default_rng(0).normal(size=(5, 4)) * 50 - 500
    zs = np.random.default_rng(1).normal(size=(5, 4, 3))
    lw = v.log_importance_weights(_tensor(fw, log_px), _tensor(fw, zs), t["mu"], t["logvar"])
    lw_ref = ref.log_importance_weights(log_px, zs, inputs["mu"], inputs["logvar"])
    np.testing.assert_allclose(fw.utils.to_numpy(lw), lw_ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(fw.utils.to_numpy(v.iwae_bound(_tensor(fw, lw_ref))), ref.iwae_bound(lw_ref),
                               rtol=RTOL, atol=ATOL)


def test_reparameterize_samples_with_seed(fw, inputs):
    v, t = fw.vae, {k: _tensor(fw, a) for k, a in inputs.items()}
    a = fw.utils.to_numpy(v.reparameterize(t["mu"], t["logvar"], seed=5))
    b = fw.utils.to_numpy(v.reparameterize(t["mu"], t["logvar"], seed=5))
    np.testing.assert_array_equal(a, b)
    zero_var = fw.utils.to_numpy(v.reparameterize(t["mu"], _tensor(fw, np.full((5, 3), -200.0))))
    np.testing.assert_allclose(zero_var, inputs["mu"], atol=1e-12)


def test_errors_teach(fw):
    with pytest.raises(ValueError, match="same shape"):
        fw.vae.bernoulli_log_likelihood(_tensor(fw, np.zeros((2, 3))), _tensor(fw, np.zeros((2, 4))))
    with pytest.raises(ValueError, match=r"\[N, k\]"):
        fw.vae.iwae_bound(_tensor(fw, np.zeros(3)))
    with pytest.raises(ValueError, match="likelihood"):
        z = _tensor(fw, np.zeros((2, 3)))
        fw.vae.elbo(z, z, z, z, likelihood="mse")
