"""Property-based tests (Hypothesis) of the numpy oracle and both twins.

Random valid inputs: the twins agree with the oracle within rtol 1e-5, atol 1e-6. Random invalid inputs: all
three raise the library's own InputError, never a framework error and never a silent number. Small and
reproducible: few examples, derandomized, no example database, no deadline (a shared CPU jitters).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import course_lib  # noqa: E402
from course_lib.errors import ConfigError, InputError, ScaleWarning  # noqa: E402
from course_lib.reference import losses as ref_losses  # noqa: E402
from course_lib.reference import vae as ref_vae  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
TWINS = {name: course_lib.load(name) for name in ("torch", "tf")}
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

GENERATOR_LOSSES = ["minimax_generator_loss", "non_saturating_generator_loss", "least_squares_generator_loss",
                    "wasserstein_generator_loss", "hinge_generator_loss"]
DISCRIMINATOR_LOSSES = ["minimax_discriminator_loss", "least_squares_discriminator_loss",
                        "wasserstein_critic_loss", "hinge_discriminator_loss"]
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _numpy(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def _close(got, want):
    np.testing.assert_allclose(_numpy(got), want, rtol=1e-5, atol=1e-6)


_SCORE_LENGTHS = st.integers(1, 6)


def _scores(n=_SCORE_LENGTHS):
    return n.flatmap(lambda k: hnp.arrays(np.float64, st.sampled_from([(k,), (k, 1)]),
                                          elements=st.floats(-30, 30, allow_nan=False)))


def _all_raise(call, error=InputError):
    """The oracle and both twins raise `error` (the library's type, not a framework's) for the same input."""
    for module in [None, *TWINS.values()]:
        with pytest.raises(error):
            call(module)


# ------------------------------------------------------------------------------------- valid: they agree
@SETTINGS
@given(name=st.sampled_from(GENERATOR_LOSSES), fake=_scores(), reduction=REDUCTIONS)
def test_generator_losses_agree(name, fake, reduction):
    want = getattr(ref_losses, name)(fake, reduction)
    for fw in TWINS.values():
        _close(getattr(fw.losses, name)(fake, reduction), want)


@SETTINGS
@given(name=st.sampled_from(DISCRIMINATOR_LOSSES), data=st.data(), reduction=REDUCTIONS)
def test_discriminator_losses_agree(name, data, reduction):
    n = data.draw(st.integers(1, 6))
    m = n if reduction == "none" else data.draw(st.integers(1, 6))
    real, fake = data.draw(_scores(st.just(n))), data.draw(_scores(st.just(m)))
    want = getattr(ref_losses, name)(real, fake, reduction)
    for fw in TWINS.values():
        _close(getattr(fw.losses, name)(real, fake, reduction), want)


def _latents(n, d, mu_range=4.0, logvar_range=8.0, dtype=np.float64):
    return st.tuples(hnp.arrays(dtype, (n, d), elements=st.floats(-mu_range, mu_range, width=32)),
                     hnp.arrays(dtype, (n, d), elements=st.floats(-logvar_range, logvar_range, width=32)))


@settings(SETTINGS, max_examples=8)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]), near_collapse=st.booleans())
def test_kl_and_elbo_agree(data, dtype, near_collapse):
    n, d, pixels = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5)), data.draw(st.integers(1, 6))
    scale = (2.0 ** -7, 2.0 ** -4) if near_collapse else (4.0, 8.0)  # near collapse: exp(lv) - 1 cancels
    mu, logvar = data.draw(_latents(n, d, *scale, dtype=dtype))
    x = data.draw(hnp.arrays(dtype, (n, pixels), elements=st.floats(0, 1, width=32)))
    logits = data.draw(hnp.arrays(dtype, (n, pixels), elements=st.floats(-30, 30, width=32)))
    likelihood = data.draw(st.sampled_from(["bernoulli", "gaussian"]))
    want = ref_vae.elbo(x, logits, mu, logvar, beta=0.5, likelihood=likelihood)
    for fw in TWINS.values():
        _close(fw.vae.gaussian_kl(mu, logvar), ref_vae.gaussian_kl(mu, logvar))
        got = fw.vae.elbo(x, logits, mu, logvar, beta=0.5, likelihood=likelihood)
        for key in ("elbo", "reconstruction", "kl"):
            _close(got[key], want[key])


# ---------------------------------------------------------------------------- invalid: InputError, always
BAD_SCORES = st.sampled_from([
    np.zeros((3, 2)),            # two scores per sample
    np.zeros((0,)),              # empty batch
    np.zeros((2, 2, 1)),         # rank 3
    np.array(["a", "b"]),        # not numbers
    np.zeros(()),                # a scalar
])


@SETTINGS
@given(name=st.sampled_from(GENERATOR_LOSSES), bad=BAD_SCORES)
def test_generator_losses_reject_bad_scores(name, bad):
    _all_raise(lambda fw: getattr(fw.losses if fw else ref_losses, name)(bad))


@SETTINGS
@given(name=st.sampled_from(DISCRIMINATOR_LOSSES), n=st.integers(2, 5), m=st.integers(1, 5),
       bad=st.sampled_from(["batch", "reduction", "scores"]))
def test_discriminator_losses_reject_bad_pairs(name, n, m, bad):
    if bad == "batch":  # "none" adds the terms row by row: a [3] batch must not broadcast against a [1]
        m = 1 if n != 1 else 2
        args = (np.zeros(n), np.zeros(m), "none")
    elif bad == "reduction":
        args = (np.zeros(n), np.zeros(m), "Mean")
    else:
        args = (np.zeros(n), np.zeros((m, 3)), "mean")
    _all_raise(lambda fw: getattr(fw.losses if fw else ref_losses, name)(*args))


@SETTINGS
@given(smoothing=st.one_of(st.floats(1.0, 10.0), st.floats(-10.0, -1e-3), st.just(float("nan"))))
def test_label_smoothing_out_of_range(smoothing):
    _all_raise(lambda fw: (fw.losses if fw else ref_losses).minimax_discriminator_loss(
        np.zeros(2), np.zeros(2), "mean", smoothing))


def _bad_vae_call(kind, n, d):
    x, logits = np.full((n, 4), 0.5), np.zeros((n, 4))
    mu, logvar = np.zeros((n, d)), np.zeros((n, d))
    if kind == "batch":          # batch-1 mu against a batch-n x must not broadcast
        return lambda vae: vae.elbo(x, logits, mu[:1], logvar[:1])
    if kind == "pixels_255":     # uint8-scale pixels in the Bernoulli likelihood
        return lambda vae: vae.bernoulli_log_likelihood(x * 255.0, logits)
    if kind == "pixels_negative":  # images in [-1, 1]
        return lambda vae: vae.bernoulli_log_likelihood(x - 1.0, logits)
    if kind == "likelihood":
        return lambda vae: vae.elbo(x, logits, mu, logvar, likelihood="Bernoulli")
    if kind == "shapes":
        return lambda vae: vae.gaussian_kl(mu, logvar[:, :1] if d > 1 else logvar[:1])
    if kind == "rank":
        return lambda vae: vae.gaussian_kl(mu[0], logvar[0])
    if kind == "empty":
        return lambda vae: vae.gaussian_kl(mu[:0], logvar[:0])
    if kind == "beta":
        return lambda vae: vae.elbo(x, logits, mu, logvar, beta=-1.0)
    if kind == "iwae":
        return lambda vae: vae.iwae_bound(np.zeros(n))
    raise AssertionError(kind)


@SETTINGS
@given(kind=st.sampled_from(["batch", "pixels_255", "pixels_negative", "likelihood", "shapes", "rank", "empty",
                             "beta", "iwae"]),
       n=st.integers(2, 4), d=st.integers(1, 3))
def test_vae_terms_reject_bad_input(kind, n, d):
    call = _bad_vae_call(kind, n, d)
    _all_raise(lambda fw: call(fw.vae if fw else ref_vae))


# ----------------------------------------------------------------------------- policies, stated and tested
@pytest.mark.parametrize("framework", ["torch", "tf"])
def test_dtype_policy_float64_stays_float64_everything_else_float32(framework):
    fw = TWINS[framework]
    name = lambda t: str(t.dtype).replace("torch.", "").replace("<dtype: '", "").replace("'>", "")
    for given_value, expected in [(np.zeros(3), "float64"), (np.zeros(3, np.float32), "float32"),
                                  (np.zeros(3, np.int64), "float32"), ([0.0, 1.0, 2.0], "float32"),
                                  (np.zeros(3, np.float16), "float32")]:
        assert name(fw.losses.non_saturating_generator_loss(given_value, "none")) == expected
        mu = np.zeros((3, 2), dtype=getattr(given_value, "dtype", np.float32))
        assert name(fw.vae.gaussian_kl(mu, mu)) == expected
    mixed = fw.vae.gaussian_kl(np.zeros((2, 2), np.float32), np.zeros((2, 2), np.float64))
    assert name(mixed) == "float64"  # one float64 input makes the computation float64


def test_nan_policy_losses_propagate_nan():
    fake = np.array([0.0, np.nan])
    assert np.isnan(ref_losses.hinge_generator_loss(fake))
    for fw in TWINS.values():
        for fn in GENERATOR_LOSSES:
            assert np.isnan(_numpy(getattr(fw.losses, fn)(fake))), fn
        assert np.isnan(_numpy(fw.vae.gaussian_kl(np.full((1, 2), np.nan), np.zeros((1, 2))))).all()


def test_boundaries_reject_nan_labels_and_scales():
    from course_lib import latents as sampling
    from course_lib.metrics import classifier, evaluation, frechet

    with pytest.raises(InputError, match="labels"):
        evaluation.class_consistency(np.zeros((3, 10)), np.array([0, 10, 1]))
    with pytest.raises(InputError, match="labels"):
        evaluation.class_consistency(np.zeros((3, 10)), np.array([0, -1, 1]))
    with pytest.raises(InputError, match="finite"):
        frechet.frechet_distance(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(InputError, match="feature dimension"):
        frechet.frechet_distance(np.zeros((3, 2)), np.zeros((3, 4)))
    with pytest.warns(ScaleWarning, match=r"\[0, 1\]"):
        classifier._to_nchw(np.random.default_rng(0).uniform(0, 1, (2, 28, 28)))
    with pytest.raises(InputError, match="uint8"):
        classifier._to_nchw(np.full((2, 28, 28), 200.0))
    with pytest.raises(InputError, match="truncation"):
        sampling.latent_batch(1, 1, truncation=1e-9)  # once a redraw loop that never ended
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        classifier._to_nchw(np.zeros((2, 28, 28), np.uint8))  # the right scale: no warning


@pytest.mark.parametrize("framework", ["torch", "tf"])
def test_generator_and_data_reject_out_of_range_labels(framework):
    fw = TWINS[framework]
    images = np.zeros((4, 28, 28), np.uint8)
    for labels in ([0, 1, 2, 10], [0, -1, 2, 3]):
        with pytest.raises(InputError, match="labels"):
            fw.data.batches(images, np.array(labels), batch_size=2)
    from course_lib.validation import check_latents_and_labels

    with pytest.raises(InputError, match="labels"):  # what generate_images calls first, in both twins
        check_latents_and_labels(np.zeros((2, 8)), [3, -1], 8, 10)


@SETTINGS
@given(field=st.sampled_from(["likelihood", "epochs", "batch_size", "beta", "architecture"]))
def test_configs_reject_typos_and_nonsense(field):
    from course_lib.config import ProductGANConfig, VAEConfig

    bad = {"likelihood": "Bernoulli", "epochs": -1, "batch_size": 0, "beta": float("nan"),
           "architecture": "MLP"}[field]
    with pytest.raises(ConfigError, match=field):
        VAEConfig(**{field: bad})
    with pytest.raises(ConfigError, match="steps"):
        ProductGANConfig(steps=-5)


@pytest.mark.parametrize("framework", ["torch", "tf"])
def test_kl_of_near_collapsed_units_in_float32_matches_the_oracle(framework):
    # exp(lv) - 1 - lv in float32 is off by ~6e-8 / (lv^2 / 2): 0.1 % at lv = 0.01. expm1(lv) - lv is not.
    logvar = np.array([[0.01, -0.01, 0.03, -0.03, 0.1, -0.1]], np.float32)
    mu = np.zeros_like(logvar)
    got = _numpy(TWINS[framework].vae.gaussian_kl_per_dim(mu, logvar))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref_vae.gaussian_kl_per_dim(mu, logvar), rtol=2e-5, atol=0)


@pytest.mark.parametrize("framework", ["torch", "tf"])
@pytest.mark.parametrize("bad_label", [-1, 10])
def test_calling_the_product_generator_with_a_label_out_of_range_raises(framework, bad_label):
    fw = TWINS[framework]
    generator = fw.product_gan.Generator(8, 16, True)
    z = np.zeros((2, 8), np.float32)
    labels = np.array([3, bad_label])
    if framework == "torch":
        import torch

        z, labels = torch.from_numpy(z), torch.from_numpy(labels)
    with pytest.raises(InputError, match="y"):
        generator(z, labels)
