"""The toy 2-D GAN in both twins: config checks, model parity with copied weights, short training runs."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from course_lib.config import GAN_LOSS_PAIRS, ToyGANConfig
from course_lib.toy.result import ToyGANResult, toy_mixture


@pytest.mark.parametrize("field, value, match", [
    ("data", "spiral", "data must be one of"),
    ("loss", "bce", "loss must be one of"),
    ("steps", 0, "steps must be a positive integer"),
    ("batch_size", 2.5, "batch_size must be a positive integer"),
    ("depth", True, "depth must be a positive integer"),
    ("lr", 0.0, "lr must be positive"),
    ("beta1", 1.0, r"beta1 must be in \[0, 1\)"),
    ("gp_weight", -1.0, "gp_weight must be >= 0"),
    ("lr_decay_start", 1.5, r"lr_decay_start must be in \[0, 1\]"),
    ("snapshot_every", -1, "snapshot_every must be a non-negative integer"),
    ("pack", 0, "pack must be a positive integer"),
])
def test_config_rejects_bad_values_with_a_clear_message(field, value, match):
    with pytest.raises(ValueError, match=match):
        ToyGANConfig(**{field: value})
    config = ToyGANConfig()
    setattr(config, field, value)  # changed after construction: validate() still catches it
    with pytest.raises(ValueError, match=match):
        config.validate()


def test_every_loss_name_names_functions_of_both_twins():
    from course_lib.reference import losses as ref

    for d_name, g_name in GAN_LOSS_PAIRS.values():
        assert hasattr(ref, d_name) and hasattr(ref, g_name)


@pytest.mark.parametrize("field, value", [("pack", 2), ("minibatch_std", True), ("spectral_norm", True),
                                          ("unrolled_steps", 5), ("weight_clip", 0.01)])
def test_every_remedy_trains_a_few_steps(fw, field, value):
    """The remedies against mode collapse run in both twins (notebook 02 and benchmarks/ measure their effect)."""
    result = fw.toy_gan.train_toy_gan(ToyGANConfig(steps=3, log_every=1, eval_samples=64, **{field: value}))
    assert result.samples.shape == (64, 2) and np.all(np.isfinite(result.samples))
    assert len(result.history["d_loss"]) == 3


def test_pack_needs_a_batch_divisible_by_pack(fw):
    with pytest.raises(ValueError, match="multiple of pack"):
        fw.toy_gan.train_toy_gan(ToyGANConfig(steps=1, batch_size=100, pack=3))


def test_train_rejects_something_that_is_not_a_config(fw):
    with pytest.raises(TypeError, match="ToyGANConfig"):
        fw.toy_gan.train_toy_gan({"steps": 10})


def test_generator_and_discriminator_agree_across_twins_with_copied_weights():
    torch = pytest.importorskip("torch")
    tf = pytest.importorskip("tensorflow")
    from course_lib.tf import toy_gan as tf_gan
    from course_lib.torch import toy_gan as torch_gan

    torch.manual_seed(0)
    for torch_model, tf_model, in_dim in [
        (torch_gan.ToyGenerator(3, 16, 2), tf_gan.ToyGenerator(3, 16, 2), 3),
        (torch_gan.ToyDiscriminator(2, 16, 3), tf_gan.ToyDiscriminator(2, 16, 3), 2),
    ]:
        tf_model.set_numpy_weights(torch_model.get_numpy_weights())
        x = np.random.default_rng(0).normal(size=(9, in_dim)).astype(np.float32)
        with torch.no_grad():
            want = torch_model(torch.from_numpy(x)).numpy()
        got = tf_model(tf.constant(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        # and back: tf -> torch
        for kernel_t, kernel_f in zip(torch_model.get_numpy_weights(), tf_model.get_numpy_weights()):
            np.testing.assert_array_equal(kernel_t[0], kernel_f[0])


def test_both_twins_initialise_like_torch(fw):
    """Same initialisation scheme in both twins: weights within +-1/sqrt(fan_in)."""
    model = fw.toy_gan.ToyDiscriminator(2, 64, 2)
    for kernel, bias in model.get_numpy_weights():
        bound = 1.0 / np.sqrt(kernel.shape[0])
        assert np.abs(kernel).max() <= bound + 1e-7 and np.abs(bias).max() <= bound + 1e-7
        assert np.abs(kernel).max() > 0.5 * bound


def test_discriminator_explains_a_wrong_input_size(fw):
    model = fw.toy_gan.ToyDiscriminator(in_dim=4)
    with pytest.raises(ValueError, match="in_dim must equal the generator's output size"):
        model(np.zeros((3, 2), np.float32))


def _mean_distance_to_nearest_mode(samples, means):
    d = np.linalg.norm(samples[:, None, :] - means[None, :, :], axis=-1)
    return float(d.min(axis=1).mean())


def test_a_short_run_moves_samples_toward_the_data(fw):
    config = ToyGANConfig(data="ring", loss="non_saturating", steps=300, snapshot_every=100, eval_samples=500,
                          log_every=10, seed=1)
    calls = []
    result = fw.toy_gan.train_toy_gan(config, monitor=lambda step, d, g: calls.append((step, d, g)))
    assert isinstance(result, ToyGANResult) and result.framework == fw.FRAMEWORK
    assert result.samples.shape == (500, 2) and result.samples.dtype == np.float32
    assert [s for s, _ in result.snapshots] == [100, 200, 300]
    assert result.history["step"] == list(range(10, 301, 10)) == [c[0] for c in calls]
    assert np.all(np.isfinite(result.history["d_loss"])) and result.seconds > 0
    untrained = fw.toy_gan.generate_samples(fw.toy_gan.ToyGenerator(config.latent_dim), 500, seed=2)
    before = _mean_distance_to_nearest_mode(untrained, result.means)
    after = _mean_distance_to_nearest_mode(result.samples, result.means)
    assert after < 0.5 * before, (before, after)
    assert after < 0.4  # ring of radius 1: samples move onto the circle
    # the discriminator separates real from fake less well than at the start: log 4 ~ 1.39 at equilibrium
    d_loss, g_loss = result.final_losses()
    assert 0.5 < d_loss < 1.6 and 0.3 < g_loss < 2.5


@pytest.mark.parametrize("loss, extra", [("wasserstein", {"gp_weight": 0.1, "critic_steps": 2}),
                                         ("hinge", {"r1_gamma": 1.0}),
                                         ("least_squares", {"lr_decay_start": 0.5}),
                                         ("minimax", {})])
def test_every_loss_and_penalty_trains_a_few_steps(fw, loss, extra):
    result = fw.toy_gan.train_toy_gan(ToyGANConfig(data="grid", loss=loss, steps=30, eval_samples=100, **extra))
    assert result.samples.shape == (100, 2) and np.all(np.isfinite(result.samples))
    assert len(result.history["step"]) == 3 and result.summary()["loss"] == loss


def test_learning_rate_decays_linearly_to_zero(fw):
    config = ToyGANConfig(steps=100, lr=1e-3, lr_decay_start=0.5)
    lr = [fw.toy_gan._learning_rate(config, step) for step in range(100)]
    assert lr[0] == lr[50] == 1e-3 and lr[75] == pytest.approx(5e-4) and lr[99] == pytest.approx(2e-5)


def test_toy_mixture_names():
    assert toy_mixture("grid", 10, 0).means.shape == (25, 2)
    with pytest.raises(ValueError, match="ring"):
        toy_mixture("moons", 10, 0)


def test_twins_expose_the_same_api():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from course_lib.tf import toy_gan as tf_gan
    from course_lib.torch import toy_gan as torch_gan

    assert torch_gan.__all__ == tf_gan.__all__
    for name in torch_gan.__all__:
        a, b = getattr(torch_gan, name), getattr(tf_gan, name)
        assert inspect.signature(a) == inspect.signature(b), name
        assert inspect.getdoc(a) == inspect.getdoc(b), name
    steps = [line.strip() for line in inspect.getsource(torch_gan).splitlines() if line.strip().startswith("# ")]
    steps_tf = [line.strip() for line in inspect.getsource(tf_gan).splitlines() if line.strip().startswith("# ")]
    numbered = [s for s in steps if s[2:3].isdigit()]
    assert numbered == [s for s in steps_tf if s[2:3].isdigit()]
    assert [s[:4] for s in numbered] == ["# 1.", "# 2.", "# 3."]


def test_discriminate_takes_and_returns_numpy(fw):
    model = fw.toy_gan.ToyDiscriminator(in_dim=3, hidden=8, depth=1)
    out = fw.toy_gan.discriminate(model, np.zeros((4, 3)))
    assert isinstance(out, np.ndarray) and out.shape == (4,)


def test_each_twins_loss_pair_table_matches_the_config_names(fw):
    for name, (d_name, g_name) in GAN_LOSS_PAIRS.items():
        pair = fw.loss_pairs.gan_loss_pair(name)
        assert (pair.discriminator.__name__, pair.generator.__name__) == (d_name, g_name)
    assert fw.loss_pairs.gan_loss_pair("bce") == fw.loss_pairs.gan_loss_pair("non_saturating")
    with pytest.raises(ValueError, match="must be one of"):
        fw.loss_pairs.gan_loss_pair("minimax", allowed=("hinge", "bce"))
