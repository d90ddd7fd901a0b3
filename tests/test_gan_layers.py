"""Twin parity of the anti-collapse layers (pack, minibatch std, spectral norm) with copied weights, and numpy
oracles."""

import numpy as np
import pytest

import course_lib

torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")

RTOL, ATOL = 1e-5, 1e-6


def _np(x):
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x.numpy()


def _both(fn_name, x, *args):
    t = getattr(course_lib.load("torch").layers, fn_name)(torch.from_numpy(x), *args)
    f = getattr(course_lib.load("tf").layers, fn_name)(tf.constant(x), *args)
    return _np(t), _np(f)


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_pack_parity_and_layout(m):
    x = np.random.default_rng(m).standard_normal((12, 2)).astype(np.float32)
    t, f = _both("pack", x, m)
    expected = x.reshape(12 // m, 2 * m)
    np.testing.assert_array_equal(t, expected)
    np.testing.assert_array_equal(f, expected)
    # packed row j holds samples j*m .. j*m+m-1 in order
    np.testing.assert_array_equal(t[1, :2], x[m])


def test_pack_needs_divisible_batch(fw):
    x = np.zeros((10, 2), np.float32)
    tensor = torch.from_numpy(x) if fw.FRAMEWORK == "torch" else tf.constant(x)
    with pytest.raises(ValueError, match="divisible"):
        fw.layers.pack(tensor, 3)


def test_minibatch_std_parity_and_oracle():
    h = np.random.default_rng(0).standard_normal((16, 5)).astype(np.float32) * 3
    t, f = _both("minibatch_std", h)
    s = np.mean(np.sqrt(h.astype(np.float64).var(axis=0) + 1e-8))
    expected = np.concatenate([h, np.full((16, 1), s)], axis=1)
    np.testing.assert_allclose(t, expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(f, expected, rtol=RTOL, atol=ATOL)


def test_spectral_norm_parity_with_copied_weights():
    layer_t = course_lib.load("torch").layers.SpectralNormLinear(6, 4)
    layer_f = course_lib.load("tf").layers.SpectralNormLinear(6, 4)
    state = course_lib.load("torch").layers.get_layer_state(layer_t)
    assert set(state) == {"weight", "bias", "u"} and state["weight"].shape == (4, 6)
    course_lib.load("tf").layers.set_layer_state(layer_f, state)
    x = np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32)
    layer_t.train()
    for _ in range(3):  # training-mode calls advance u identically in both twins
        out_t = _np(layer_t(torch.from_numpy(x)))
        out_f = _np(layer_f(tf.constant(x), training=True))
        np.testing.assert_allclose(out_t, out_f, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(layer_t.u), layer_f.u.numpy(), rtol=RTOL, atol=ATOL)
    # after many power iterations sigma is the largest singular value; outputs use W / sigma_max
    w = state["weight"].astype(np.float64)
    for _ in range(200):
        layer_t(torch.from_numpy(x))
        layer_f(tf.constant(x), training=True)
    sigma_max = np.linalg.svd(w, compute_uv=False)[0]
    np.testing.assert_allclose(float(layer_t.sigma().detach()), sigma_max, rtol=1e-4)
    np.testing.assert_allclose(float(layer_f.sigma()), sigma_max, rtol=1e-4)
    layer_t.eval()
    expected = x @ (w / sigma_max).T + state["bias"]
    np.testing.assert_allclose(_np(layer_t(torch.from_numpy(x))), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(layer_f(tf.constant(x), training=False)), expected, rtol=1e-4, atol=1e-5)


def test_eval_mode_leaves_u_alone():
    layer_f = course_lib.load("tf").layers.SpectralNormLinear(3, 3)
    before = layer_f.u.numpy().copy()
    layer_f(tf.ones((2, 3)), training=False)
    np.testing.assert_array_equal(before, layer_f.u.numpy())


@pytest.mark.parametrize("options", [{"pack": 2}, {"pack": 3, "minibatch_std": True}, {"spectral_norm": True},
                                     {"pack": 2, "minibatch_std": True, "spectral_norm": True}])
def test_toy_discriminator_with_remedies_agrees_across_twins(options):
    """The toy GAN's D with packing, minibatch std and spectral norm: same logits in both twins, copied weights."""
    d_t = course_lib.load("torch").toy_gan.ToyDiscriminator(2, 16, 2, **options)
    d_f = course_lib.load("tf").toy_gan.ToyDiscriminator(2, 16, 2, **options)
    d_f.set_numpy_weights(d_t.get_numpy_weights())  # u starts at the same deterministic vector in both
    x = np.random.default_rng(3).standard_normal((12, 2)).astype(np.float32)
    out_t, out_f = _np(d_t(torch.from_numpy(x))), _np(d_f(tf.constant(x)))
    assert out_t.shape == (12 // options.get("pack", 1), 1)
    np.testing.assert_allclose(out_t, out_f, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(course_lib.load("torch").toy_gan.discriminate(d_t, x),
                               course_lib.load("tf").toy_gan.discriminate(d_f, x), rtol=RTOL, atol=ATOL)


def test_tf_power_iteration_state_is_tracked():
    """u is a Keras weight: it is saved with the model and restored by the unrolled GAN's reset."""
    d_f = course_lib.load("tf").toy_gan.ToyDiscriminator(2, 8, 2, spectral_norm=True)
    assert len(d_f.non_trainable_variables) == 3  # one u per SpectralNormLinear
