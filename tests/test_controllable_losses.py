"""The auxiliary classifier loss and the ACGAN losses: oracle against closed forms, both twins against the
oracle (rtol 1e-5, extreme logits included), clear errors on bad labels, and the same API in both twins."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import course_lib.reference.acgan as ref_acgan
import course_lib.reference.losses as ref
from course_lib.errors import InputError


def _logits(kind, n=24, k=7, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "random":
        return rng.normal(0.0, 3.0, size=(n, k)), rng.integers(0, k, n)
    if kind == "extreme30":
        return rng.choice([-30.0, 30.0], size=(n, k)), rng.integers(0, k, n)
    return rng.choice([-1000.0, -30.0, 0.0, 30.0, 1000.0], size=(n, k)), rng.integers(0, k, n)


def _numpy(x):
    return x.detach().cpu().numpy() if hasattr(x, "detach") else np.asarray(x)


def test_oracle_is_softmax_cross_entropy_and_stable():
    logits, labels = _logits("random")
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(ref.auxiliary_classifier_loss(logits, labels, "none"),
                               -np.log(p[np.arange(len(labels)), labels]), rtol=1e-12)
    # uniform logits: log K for every row, whatever the label
    np.testing.assert_allclose(ref.auxiliary_classifier_loss(np.zeros((3, 5)), [0, 2, 4]), np.log(5), rtol=1e-12)
    big, labels = _logits("extreme1000")
    assert np.all(np.isfinite(ref.auxiliary_classifier_loss(big, labels, "none")))
    assert ref.auxiliary_classifier_loss(np.array([[1000.0, -1000.0]]), [1]) == pytest.approx(2000.0)


@pytest.mark.parametrize("bad_labels, match", [([0, 1, 7], r"\[0, K\) = \[0, 7\)"), ([-1, 0, 1], r"\[0, K\)"),
                                               ([0.0, 1.0, 2.0], "integers"), ([0, 1], r"shape \[N\] = \[3\]")])
def test_bad_labels_raise_input_error_in_oracle_and_twins(fw, bad_labels, match):
    logits = np.zeros((3, 7))
    for function in (ref.auxiliary_classifier_loss, fw.losses.auxiliary_classifier_loss):
        with pytest.raises(InputError, match=match):
            function(logits, np.array(bad_labels))
    with pytest.raises(InputError, match=r"\[N, K\]"):
        fw.losses.auxiliary_classifier_loss(np.zeros(3), np.array([0, 1, 2]))


@pytest.mark.parametrize("kind", ["random", "extreme30", "extreme1000"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_twin_matches_oracle(fw, kind, reduction):
    logits, labels = _logits(kind)
    got = _numpy(fw.losses.auxiliary_classifier_loss(logits.astype(np.float32), labels, reduction))
    want = ref.auxiliary_classifier_loss(logits, labels, reduction)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 if kind != "extreme1000" else 1e-3)


def test_gradient_is_softmax_minus_one_hot_and_finite_at_extreme_logits(framework):
    logits, labels = _logits("extreme30", n=5, k=4)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    want = (p - np.eye(4)[labels]) / len(labels)
    if framework == "torch":
        import torch

        from course_lib.torch.losses import auxiliary_classifier_loss
        x = torch.tensor(logits, requires_grad=True)
        auxiliary_classifier_loss(x, torch.tensor(labels)).backward()
        grad = x.grad.numpy()
    else:
        import tensorflow as tf

        from course_lib.tf.losses import auxiliary_classifier_loss
        x = tf.Variable(logits)
        with tf.GradientTape() as tape:
            loss = auxiliary_classifier_loss(x, tf.constant(labels))
        grad = tape.gradient(loss, x).numpy()
    np.testing.assert_allclose(grad, want, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("adversarial", ["non_saturating", "hinge"])
@pytest.mark.parametrize("kind", ["random", "extreme30"])
def test_acgan_losses_match_oracle(fw, adversarial, kind):
    rng = np.random.default_rng(1)
    real_logits, y_real = _logits(kind, n=16, k=10, seed=2)
    fake_logits, y_fake = _logits(kind, n=16, k=10, seed=3)
    r, f = (rng.choice([-30.0, 30.0], 16) if kind == "extreme30" else rng.normal(size=16) for _ in range(2))
    args = [a.astype(np.float32) for a in (r, f, real_logits, fake_logits)] + [y_real, y_fake]
    got = _numpy(fw.acgan.acgan_discriminator_loss(*args, 0.5, adversarial))
    want = ref_acgan.acgan_discriminator_loss(r, f, real_logits, fake_logits, y_real, y_fake, 0.5, adversarial)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    got = _numpy(fw.acgan.acgan_generator_loss(f.astype(np.float32), fake_logits.astype(np.float32), y_fake, 2.0,
                                               adversarial))
    want = ref_acgan.acgan_generator_loss(f, fake_logits, y_fake, 2.0, adversarial)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_acgan_oracle_is_the_sum_of_its_parts():
    r, f = np.array([0.3, -1.0]), np.array([2.0, 0.1])
    lr, lf, yr, yf = np.eye(3)[:2] * 2, np.ones((2, 3)), np.array([0, 1]), np.array([2, 2])
    want = (ref.minimax_discriminator_loss(r, f) + 0.7 * (ref.auxiliary_classifier_loss(lr, yr)
                                                          + ref.auxiliary_classifier_loss(lf, yf)))
    assert ref_acgan.acgan_discriminator_loss(r, f, lr, lf, yr, yf, 0.7) == pytest.approx(want, rel=1e-12)
    assert ref_acgan.acgan_generator_loss(f, lf, yf, 1.0, "hinge") == pytest.approx(-f.mean() + np.log(3), rel=1e-12)
    with pytest.raises(InputError, match="adversarial"):
        ref_acgan.acgan_generator_loss(f, lf, yf, 1.0, "bce")


@pytest.mark.parametrize("module", ["acgan", "controllable", "controllable_train"])
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
    assert list(inspect.signature(ref_acgan.acgan_discriminator_loss).parameters) == list(
        inspect.signature(torch_mod.__dict__.get("acgan_discriminator_loss", ref_acgan.acgan_discriminator_loss))
        .parameters)


def test_aux_loss_argument_order_is_the_oracles():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from course_lib.tf import losses as tf_losses
    from course_lib.torch import losses as torch_losses

    for module in (torch_losses, tf_losses):
        assert list(inspect.signature(module.auxiliary_classifier_loss).parameters) == ["class_logits", "labels",
                                                                                       "reduction"]
        assert inspect.getdoc(module.auxiliary_classifier_loss) == inspect.getdoc(
            torch_losses.auxiliary_classifier_loss)
