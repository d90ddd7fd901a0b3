"""Both twins' GAN losses and penalties against the numpy oracle, closed forms, and torch/tf parity."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import course_lib.reference.losses as ref

ONE_ARG = [
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "least_squares_generator_loss",
    "wasserstein_generator_loss",
    "hinge_generator_loss",
]
TWO_ARG = [
    "minimax_discriminator_loss",
    "least_squares_discriminator_loss",
    "wasserstein_critic_loss",
    "hinge_discriminator_loss",
]
REDUCTIONS = ["mean", "sum", "none"]


def _inputs(kind, n=64, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "random":
        return rng.normal(0.0, 3.0, size=n), rng.normal(0.0, 3.0, size=n)
    if kind == "extreme30":
        return rng.choice([-30.0, 30.0], size=n), rng.choice([-30.0, 30.0], size=n)
    if kind == "extreme100":
        values = [-100.0, -30.0, 0.0, 30.0, 100.0]
        return rng.choice(values, size=n), rng.choice(values, size=n)[::-1].copy()
    raise ValueError(kind)



def _to_numpy(x):
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


@pytest.mark.parametrize("kind", ["random", "extreme30", "extreme100"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ONE_ARG + TWO_ARG)
def test_loss_matches_oracle(fw, name, reduction, kind):
    real, fake = _inputs(kind)
    twin, oracle = getattr(fw.losses, name), getattr(ref, name)
    args = (fake,) if name in ONE_ARG else (real, fake)
    got = _to_numpy(twin(*args, reduction=reduction))
    want = oracle(*args, reduction=reduction)
    assert got.shape == np.shape(want)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ONE_ARG + TWO_ARG)
def test_float32_and_column_inputs(fw, name):
    real, fake = _inputs("extreme100")
    real32, fake32 = real.astype(np.float32)[:, None], fake.astype(np.float32)[:, None]  # [N, 1]
    args32 = (fake32,) if name in ONE_ARG else (real32, fake32)
    args = (fake,) if name in ONE_ARG else (real, fake)
    got = _to_numpy(getattr(fw.losses, name)(*args32, reduction="none"))
    assert got.shape == (len(fake),)
    np.testing.assert_allclose(got, getattr(ref, name)(*args, reduction="none"), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_label_smoothing_matches_oracle(fw, smoothing, reduction):
    real, fake = _inputs("extreme100")
    got = _to_numpy(fw.losses.minimax_discriminator_loss(real, fake, reduction, smoothing))
    want = ref.minimax_discriminator_loss(real, fake, reduction, smoothing)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _loss_gradient(framework, loss_fn, *arrays):
    """Gradients of loss_fn(*tensors) (summed) with respect to every input, as numpy arrays."""
    if framework == "torch":
        import torch

        tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
        loss_fn(*tensors).backward()
        return [t.grad.numpy() for t in tensors]
    import tensorflow as tf

    tensors = [tf.constant(a, dtype=tf.float64) for a in arrays]
    with tf.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        loss = loss_fn(*tensors)
    return [g.numpy() for g in tape.gradient(loss, tensors)]


@pytest.mark.parametrize("name", ONE_ARG + TWO_ARG)
def test_finite_gradients_at_extreme_logits(fw, framework, name):
    real = np.array([-100.0, -30.0, 0.0, 30.0, 100.0])
    fake = real[::-1].copy()
    fn = getattr(fw.losses, name)
    arrays = (fake,) if name in ONE_ARG else (real, fake)
    grads = _loss_gradient(framework, lambda *t: fn(*t, reduction="sum"), *arrays)
    for g in grads:
        assert np.all(np.isfinite(g)), (name, g)


def test_minimax_generator_gradient_vanishes_non_saturating_does_not(fw, framework):
    # D(G(z)) = sigmoid(f) -> 0 as f -> -inf: the discriminator confidently rejects the fakes
    fake = np.array([-5.0, -10.0, -30.0, -100.0])
    (g_minimax,) = _loss_gradient(framework, lambda f: fw.losses.minimax_generator_loss(f, "sum"), fake)
    (g_ns,) = _loss_gradient(framework, lambda f: fw.losses.non_saturating_generator_loss(f, "sum"), fake)
    # d/df log(1 - sigmoid(f)) = -sigmoid(f) -> 0;  d/df -log sigmoid(f) = -(1 - sigmoid(f)) -> -1
    np.testing.assert_allclose(g_minimax, -1.0 / (1.0 + np.exp(-fake)), rtol=1e-6, atol=0)
    assert abs(g_minimax[-2]) < 1e-12 and abs(g_minimax[-1]) < 1e-40
    np.testing.assert_allclose(g_ns, -1.0 / (1.0 + np.exp(fake)), rtol=1e-6)
    assert np.all(np.abs(g_ns) > 0.99)


def test_game_value_at_optimum_is_minus_log_4(fw):
    # p_g = p_data gives D* = 1/2 everywhere, logit 0; V(D*, G) = -(discriminator loss) = -log 4
    logits = np.zeros(16)
    value = -float(_to_numpy(fw.losses.minimax_discriminator_loss(logits, logits)))
    np.testing.assert_allclose(value, -np.log(4.0), rtol=1e-7)


def test_bad_inputs_raise_clear_errors(fw):
    with pytest.raises(ValueError, match="reduction"):
        fw.losses.non_saturating_generator_loss(np.zeros(3), reduction="avg")
    with pytest.raises(ValueError, match=r"\[N\] or \[N, 1\]"):
        fw.losses.hinge_generator_loss(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="label_smoothing"):
        fw.losses.minimax_discriminator_loss(np.zeros(3), np.zeros(3), "mean", 1.0)
    with pytest.raises(ValueError, match="same shape"):
        fw.losses.gradient_penalty(lambda x: x.sum(), np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="epsilon"):
        fw.losses.gradient_penalty(lambda x: x, np.zeros((3, 1)), np.zeros((3, 1)), 10.0, np.zeros(4))


# ---------------------------------------------------------------- penalties


def _tensor(framework, array):
    if framework == "torch":
        import torch

        return torch.tensor(array, dtype=torch.float64)
    import tensorflow as tf

    return tf.constant(array, dtype=tf.float64)


def _linear_critic(framework, w):
    """D(x) = <w, x.flatten()> + 0.3, on this framework's tensors."""
    wt = _tensor(framework, w.reshape(-1, 1))
    if framework == "torch":
        return lambda x: x.reshape(len(x), -1) @ wt + 0.3
    import tensorflow as tf

    return lambda x: tf.reshape(x, [tf.shape(x)[0], -1]) @ wt + 0.3


def _quadratic_critic(framework, a):
    """D(x) = 1/2 sum(a * x^2) per sample; gradient a * x."""
    at = _tensor(framework, a)
    if framework == "torch":
        return lambda x: 0.5 * (at * x ** 2).reshape(len(x), -1).sum(1)
    import tensorflow as tf

    return lambda x: 0.5 * tf.reduce_sum(tf.reshape(at * x ** 2, [tf.shape(x)[0], -1]), axis=1)


def test_gradient_penalty_is_zero_for_unit_norm_linear_critic(fw, framework):
    rng = np.random.default_rng(1)
    w = rng.normal(size=(1, 4, 4))
    w /= np.linalg.norm(w)
    real, fake = rng.normal(size=(8, 1, 4, 4)), rng.normal(size=(8, 1, 4, 4))
    gp = _to_numpy(fw.losses.gradient_penalty(_linear_critic(framework, w), real, fake))
    assert abs(float(gp)) < 1e-10


@pytest.mark.parametrize("scale", [0.2, 1.0, 3.0])
def test_gradient_penalty_of_any_linear_critic(fw, framework, scale):
    rng = np.random.default_rng(2)
    w = scale * rng.normal(size=(4, 4, 1))
    real, fake = rng.normal(size=(8, 4, 4, 1)), rng.normal(size=(8, 4, 4, 1))
    gp = float(_to_numpy(fw.losses.gradient_penalty(_linear_critic(framework, w), real, fake, weight=7.0)))
    want = 7.0 * (np.linalg.norm(w) - 1.0) ** 2
    np.testing.assert_allclose(gp, want, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(gp, ref.gradient_penalty(ref.linear_critic_grad(w), real, fake, 7.0), rtol=1e-6)


def test_gradient_penalty_with_epsilon_matches_oracle(fw, framework):
    rng = np.random.default_rng(3)
    a = rng.uniform(0.2, 2.0, size=(2, 3, 3))
    real, fake = rng.normal(size=(6, 2, 3, 3)), rng.normal(size=(6, 2, 3, 3))
    eps = rng.uniform(size=6)
    gp = float(_to_numpy(fw.losses.gradient_penalty(_quadratic_critic(framework, a), real, fake, 10.0, eps)))
    want = ref.gradient_penalty(ref.quadratic_critic_grad(a), real, fake, 10.0, eps)
    np.testing.assert_allclose(gp, want, rtol=1e-5, atol=1e-6)
    # without epsilon the interpolation is random but the penalty stays finite and non-negative
    gp_random = float(_to_numpy(fw.losses.gradient_penalty(_quadratic_critic(framework, a), real, fake)))
    assert np.isfinite(gp_random) and gp_random >= 0


def test_r1_penalty_of_linear_and_quadratic_discriminators(fw, framework):
    rng = np.random.default_rng(4)
    w = rng.normal(size=(3, 5))
    real = rng.normal(size=(7, 3, 5))
    r1 = float(_to_numpy(fw.losses.r1_penalty(_linear_critic(framework, w), real, gamma=4.0)))
    np.testing.assert_allclose(r1, 4.0 / 2 * np.sum(w ** 2), rtol=1e-6)
    np.testing.assert_allclose(r1, ref.r1_penalty(ref.linear_critic_grad(w), real, 4.0), rtol=1e-6)
    a = rng.uniform(0.2, 2.0, size=(3, 5))
    r1q = float(_to_numpy(fw.losses.r1_penalty(_quadratic_critic(framework, a), real, gamma=10.0)))
    np.testing.assert_allclose(r1q, ref.r1_penalty(ref.quadratic_critic_grad(a), real, 10.0), rtol=1e-5)


def test_conv_critic_penalties_agree_across_twins():
    """A small conv critic, weights copied torch -> tf; inputs NCHW in torch and NHWC in tf."""
    torch = pytest.importorskip("torch")
    tf = pytest.importorskip("tensorflow")
    from course_lib.tf import losses as tf_losses
    from course_lib.torch import losses as torch_losses

    torch.manual_seed(0)
    conv = torch.nn.Conv2d(2, 4, 3, padding=1).double()
    head = torch.nn.Linear(4, 1).double()

    def torch_critic(x):  # (N, 2, 6, 6)
        return head(torch.tanh(conv(x)).mean(dim=(2, 3)))

    tf_conv = tf.keras.layers.Conv2D(4, 3, padding="same", dtype="float64")
    tf_head = tf.keras.layers.Dense(1, dtype="float64")
    tf_conv.build((None, 6, 6, 2))
    tf_head.build((None, 4))
    tf_conv.set_weights([conv.weight.detach().numpy().transpose(2, 3, 1, 0), conv.bias.detach().numpy()])
    tf_head.set_weights([head.weight.detach().numpy().T, head.bias.detach().numpy()])

    def tf_critic(x):  # (N, 6, 6, 2)
        return tf_head(tf.reduce_mean(tf.tanh(tf_conv(x)), axis=(1, 2)))

    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(5, 2, 6, 6)), rng.normal(size=(5, 2, 6, 6))  # NCHW
    eps = rng.uniform(size=5)
    nhwc = lambda a: a.transpose(0, 2, 3, 1)  # noqa: E731

    gp_torch = torch_losses.gradient_penalty(torch_critic, torch.tensor(real), torch.tensor(fake), 10.0, eps)
    r1_torch = torch_losses.r1_penalty(torch_critic, torch.tensor(real), 10.0)
    (gp_w_torch,) = torch.autograd.grad(gp_torch + r1_torch, [conv.weight])
    with tf.GradientTape() as tape:
        gp_tf = tf_losses.gradient_penalty(tf_critic, tf.constant(nhwc(real)), tf.constant(nhwc(fake)), 10.0, eps)
        r1_tf = tf_losses.r1_penalty(tf_critic, tf.constant(nhwc(real)), 10.0)
        total = gp_tf + r1_tf
    gp_w_tf = tape.gradient(total, tf_conv.kernel)

    np.testing.assert_allclose(gp_tf.numpy(), gp_torch.item(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r1_tf.numpy(), r1_torch.item(), rtol=1e-5, atol=1e-6)
    assert gp_torch.item() > 1e-3 and r1_torch.item() > 1e-6  # not trivially zero
    # the penalties are differentiable with respect to the critic's weights, equally in both twins
    np.testing.assert_allclose(gp_w_tf.numpy(), gp_w_torch.numpy().transpose(2, 3, 1, 0), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("module", ["losses", "loss_gradients", "toy_gan"])
def test_twins_expose_the_same_api(module):
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    import importlib

    torch_mod = importlib.import_module(f"course_lib.torch.{module}")
    tf_mod = importlib.import_module(f"course_lib.tf.{module}")
    assert torch_mod.__all__ == tf_mod.__all__
    for name in torch_mod.__all__:
        a, b = getattr(torch_mod, name), getattr(tf_mod, name)
        if callable(a):
            assert inspect.signature(a) == inspect.signature(b), name
            assert inspect.getdoc(a) == inspect.getdoc(b), name
            assert "Used in: notebooks/" in inspect.getdoc(a), name
            if module == "losses":
                assert "arXiv" in inspect.getdoc(a), name


def test_losses_follow_the_oracle_argument_order():
    from course_lib.torch import losses as torch_losses

    for name in ONE_ARG + TWO_ARG:
        twin = inspect.signature(getattr(torch_losses, name)).parameters
        oracle = inspect.signature(getattr(ref, name)).parameters
        assert list(twin) == list(oracle), name


def test_tf_gradient_penalty_inside_a_tf_function_without_a_fixed_batch():
    tf = pytest.importorskip("tensorflow")
    from course_lib.tf import losses as tf_losses

    w = tf.constant([[0.6], [0.8]], dtype=tf.float32)  # unit norm: the penalty is 0

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)] * 2)
    def penalty(real, fake):
        return tf_losses.gradient_penalty(lambda x: x @ w, real, fake)

    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    assert abs(float(penalty(x, x[::-1].copy()))) < 1e-6
