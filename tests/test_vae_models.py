"""VAE models: twin parity with copied weights, save/load across twins, the linear VAE meets pPCA,
importance sampling in bounded memory, training with warm-up and the NaN guard."""

import numpy as np
import pytest

import course_lib
from course_lib.config import VAEConfig
from course_lib.reference import ppca

# float32 layers summing hundreds of products in a different order: parity to ~1e-5 relative
PARITY = dict(rtol=1e-5, atol=2e-5)


@pytest.fixture(scope="module")
def twins():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    return course_lib.load("torch"), course_lib.load("tf")


def _images(n=6, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28)).astype(np.uint8)


@pytest.mark.parametrize("architecture", ["mlp", "conv"])
def test_twin_parity_of_forward_passes_with_copied_weights(twins, architecture):
    import torch

    th, tf_ = twins
    config = VAEConfig(architecture=architecture, latent_dim=5, hidden_dim=32, channels=8)
    th.utils.set_seed(0)
    source = th.vae_models.build_vae(config)
    target = tf_.vae_models.build_vae(config)
    weights = th.vae_models.get_weights(source)
    tf_.vae_models.set_weights(target, weights)
    # the round trip through the tf layout gives back the same arrays
    back = tf_.vae_models.get_weights(target)
    assert set(back) == set(weights)
    for name in weights:
        np.testing.assert_array_equal(back[name], weights[name], err_msg=name)
    images = _images()
    x_torch, x_tf = th.vae_models.vae_input(images, seed=1), tf_.vae_models.vae_input(images, seed=1)
    np.testing.assert_array_equal(x_torch.numpy()[:, 0], x_tf.numpy()[..., 0])  # NCHW vs NHWC
    with torch.no_grad():
        mu_t, logvar_t = source.encode(x_torch)
    mu_f, logvar_f = target.encode(x_tf)
    np.testing.assert_allclose(mu_f.numpy(), mu_t.numpy(), **PARITY)
    np.testing.assert_allclose(logvar_f.numpy(), logvar_t.numpy(), **PARITY)
    z = np.random.default_rng(2).standard_normal((6, 5)).astype(np.float32)
    with torch.no_grad():
        logits_t = source.decode(torch.from_numpy(z)).numpy()              # (N, 1, 28, 28)
    logits_f = target.decode(z).numpy()                                      # (N, 28, 28, 1)
    np.testing.assert_allclose(logits_f[..., 0], logits_t[:, 0], **PARITY)
    # the same eps through the whole forward pass and the ELBO
    eps = np.random.default_rng(3).standard_normal((6, 5)).astype(np.float32)
    with torch.no_grad():
        out_t = source.forward(x_torch, eps=torch.from_numpy(eps))
        elbo_t = th.vae.elbo(x_torch, out_t["decoded"], out_t["mu"], out_t["logvar"])["elbo"].numpy()
    out_f = target.forward(x_tf, eps=eps)
    elbo_f = tf_.vae.elbo(x_tf, out_f["decoded"], out_f["mu"], out_f["logvar"])["elbo"].numpy()
    np.testing.assert_allclose(elbo_f, elbo_t, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(th.vae_models.decode_latents(source, z), tf_.vae_models.decode_latents(target, z),
                               **PARITY)


def test_linear_vae_parity(twins):
    import torch

    th, tf_ = twins
    x, _ = ppca.sample_low_rank_gaussian(50, dim=5, rank=2, seed=0)
    source = th.vae_models.LinearVAE(5, 2, dtype="float64")
    with torch.no_grad():
        source.encoder_logvar.copy_(torch.tensor([-0.5, 0.3]))
        source.decoder_logvar.fill_(-1.0)
    target = tf_.vae_models.LinearVAE(5, 2, dtype="float64")
    tf_.vae_models.set_weights(target, th.vae_models.get_weights(source))
    with torch.no_grad():
        expected = source.analytic_elbo(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(target.analytic_elbo(x).numpy(), expected, rtol=1e-10)


def test_save_in_one_twin_load_in_the_other(twins, tmp_path):
    th, tf_ = twins
    config = VAEConfig(architecture="conv", latent_dim=3, channels=4)
    for save_fw, load_fw in ((th, tf_), (tf_, th)):
        model = save_fw.vae_models.build_vae(config)
        path = tmp_path / f"vae_{save_fw.FRAMEWORK}.npz"
        save_fw.vae_models.save_vae(model, path)
        loaded = load_fw.vae_models.load_vae(path)
        assert loaded.config == config
        z = np.random.default_rng(0).standard_normal((2, 3))
        np.testing.assert_allclose(load_fw.vae_models.decode_latents(loaded, z),
                                   save_fw.vae_models.decode_latents(model, z), **PARITY)
        assert save_fw.vae_models.sample_images(model, 3, seed=1).dtype == np.uint8
    assert not list(tmp_path.glob("*.tmp*"))


def test_linear_vae_reaches_ppca_log_likelihood(fw):
    """The linear VAE's ELBO climbs to the exact pPCA log-likelihood (Lucas et al. 2019) within 1e-2 nats."""
    x, _ = ppca.sample_low_rank_gaussian(1000, dim=6, rank=2, noise_std=0.3, seed=0)
    exact = ppca.ppca_log_likelihood(x, ppca.fit_ppca(x, 2)).mean()
    model, history = fw.vae_train.train_linear_vae(x, 2, steps=1500, learning_rate=0.05, seed=0)
    gap = exact - history["elbo"][-1]
    assert -1e-8 <= gap < 1e-2, gap   # the ELBO can never exceed the maximum likelihood
    assert exact - history["elbo"][10] > 1.0  # it started far below
    # importance sampling of the trained model recovers the exact marginal likelihood too
    log_p = fw.vae.importance_sampled_log_likelihood(model, x[:100], k=500, seed=0)
    np.testing.assert_allclose(log_p.mean(), ppca.ppca_log_likelihood(x[:100], ppca.fit_ppca(x, 2)).mean(),
                               atol=1e-2)


def test_iwae_non_decreasing_in_k_and_k5000_in_bounded_memory(fw):
    fw.utils.set_seed(0)
    model = fw.vae_models.build_vae(VAEConfig(latent_dim=4, hidden_dim=16))
    x = fw.vae_models.vae_input(_images(40), seed=0)
    means = [fw.vae.importance_sampled_log_likelihood(model, x, k, seed=1).mean() for k in (1, 5, 50)]
    assert means[0] < means[1] < means[2], means
    elbo = fw.vae_train.evaluate_elbo(model, x, seed=1)["elbo"].mean()
    assert abs(elbo - means[0]) < 20  # k = 1 is a one-sample ELBO estimate (different noise)
    # k = 5000 with chunks of 250: at most 2 x 250 decoder outputs of 784 pixels alive at once
    big = fw.vae.importance_sampled_log_likelihood(model, x[:2], 5000, batch_size=2, chunk_size=250, seed=1)
    assert big.shape == (2,) and np.all(np.isfinite(big))


def test_training_raises_the_elbo_with_warmup(fw):
    images = _images(256, seed=3)
    images[:, 8:20, 8:20] = 255  # a shared structure to learn
    config = VAEConfig(latent_dim=4, hidden_dim=32, epochs=4, batch_size=64, learning_rate=3e-3,
                       warmup_steps=8, seed=0)
    model, history = fw.vae_train.train_vae(config, images=images, progress=False)
    assert len(history["step"]) == 16
    assert history["beta"][0] == 0.0 and history["beta"][4] == 0.5 and history["beta"][-1] == 1.0
    assert np.mean(history["elbo"][-4:]) > np.mean(history["elbo"][:4]) + 20


def test_nan_guard_names_the_step(fw):
    images = _images(64)
    config = VAEConfig(latent_dim=2, hidden_dim=8, epochs=1, batch_size=32, learning_rate=1e30, seed=0)
    with pytest.raises(FloatingPointError, match=r"at step \d+"):
        fw.vae_train.train_vae(config, images=images, progress=False)


def test_build_vae_errors_teach(fw):
    with pytest.raises(ValueError, match="architecture"):
        fw.vae_models.build_vae(VAEConfig(architecture="transformer"))
    with pytest.raises(ValueError, match="data_dim"):
        fw.vae_models.build_vae(VAEConfig(architecture="linear"))


def test_importance_log_weights_share_samples_with_the_log_likelihood(fw):
    from course_lib.reference import vae as ref

    fw.utils.set_seed(0)
    model = fw.vae_models.build_vae(VAEConfig(latent_dim=3, hidden_dim=16))
    x = fw.vae_models.vae_input(_images(7), seed=0)
    log_w = fw.vae.importance_log_weights(model, x, 30, batch_size=3, chunk_size=7, seed=4)
    assert log_w.shape == (7, 30)
    log_p = fw.vae.importance_sampled_log_likelihood(model, x, 30, batch_size=3, chunk_size=7, seed=4)
    np.testing.assert_allclose(ref.iwae_bound(log_w), log_p, rtol=1e-10)


def test_train_or_load_vae_trains_once(fw, tmp_path):
    config = VAEConfig(latent_dim=2, hidden_dim=8, epochs=1, batch_size=32, seed=0)
    path = tmp_path / "vae.npz"
    first = fw.vae_train.train_or_load_vae(config, path, images=_images(64), progress=False)
    assert path.exists()
    again = fw.vae_train.train_or_load_vae(config, path, images=None, progress=False)  # loads: no data needed
    z = np.zeros((1, 2))
    np.testing.assert_allclose(fw.vae_models.decode_latents(again, z), fw.vae_models.decode_latents(first, z))
    assert fw.vae_models.sample_images(again, 4, seed=0).shape == (4, 28, 28)
