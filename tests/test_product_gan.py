"""The product GAN twins: shapes, twin parity with copied weights, EMA, DiffAugment, sampling, NaN guard and
checkpoint/resume (stop at step k, resume, compare with an uninterrupted run)."""

from dataclasses import replace

import numpy as np
import pytest

from course_lib.config import ProductGANConfig
from course_lib.product import runs
from course_lib.training import NaNLossError

TINY = ProductGANConfig(name="tiny", width=8, latent_dim=8, batch_size=16, steps=6, limit=64, log_every=1,
                        checkpoint_every=3, sample_every=1000, keep_checkpoints=2, ema_decay=0.9)


def _torch_to_tf(torch_g, torch_d, tf_g, tf_d):
    """Copy torch weights into the tf twin (OIHW -> HWIO kernels, (out, in) -> (in, out) dense)."""
    conv = lambda w: w.detach().numpy().transpose(2, 3, 1, 0)
    dense = lambda w: w.detach().numpy().T
    vec = lambda t: t.detach().numpy()
    tf_g.dense.kernel.assign(dense(torch_g.dense.weight)), tf_g.dense.bias.assign(vec(torch_g.dense.bias))
    for name in ("bn0", "bn1", "bn2"):
        src, dst = getattr(torch_g, name), getattr(tf_g, name)
        dst.bn.moving_mean.assign(vec(src.bn.running_mean)), dst.bn.moving_variance.assign(vec(src.bn.running_var))
        if src.conditional:
            dst.gain.embeddings.assign(vec(src.gain.weight)), dst.bias.embeddings.assign(vec(src.bias.weight))
        else:
            dst.bn.gamma.assign(vec(src.bn.weight)), dst.bn.beta.assign(vec(src.bn.bias))
    for name in ("conv1", "conv2", "conv_out"):
        src, dst = getattr(torch_g, name), getattr(tf_g, name)
        dst.kernel.assign(conv(src.weight)), dst.bias.assign(vec(src.bias))
    for name in ("conv1", "conv2", "conv3", "psi"):
        src, dst = getattr(torch_d, name), getattr(tf_d, name)
        original = src.parametrizations.weight.original
        dst.kernel.assign(conv(original) if original.ndim == 4 else dense(original))
        dst.bias.assign(vec(src.bias))
        sn = src.parametrizations.weight[0]
        dst.u.assign(vec(sn._u)), dst.v.assign(vec(sn._v))
    src, dst = torch_d.embed, tf_d.embed  # (classes, dim) in both; spectrally normalised like the convolutions
    dst.kernel.assign(vec(src.parametrizations.weight.original))
    dst.u.assign(vec(src.parametrizations.weight[0]._u)), dst.v.assign(vec(src.parametrizations.weight[0]._v))


def test_twin_parity_of_generator_and_discriminator_with_copied_weights():
    torch = pytest.importorskip("torch")
    tf = pytest.importorskip("tensorflow")
    from course_lib.tf import product_gan as tg
    from course_lib.torch import product_gan as pg

    torch.manual_seed(0)
    g, d = pg.Generator(16, 16), pg.Discriminator(16)
    with torch.no_grad():  # non-trivial BatchNorm statistics
        for bn in (g.bn0, g.bn1, g.bn2):
            bn.bn.running_mean.normal_(0, 0.1), bn.bn.running_var.uniform_(0.5, 2.0)
            bn.gain.weight.normal_(0, 0.1), bn.bias.weight.normal_(0, 0.1)
    g.eval(), d.eval()
    tg_g, tg_d = tg.Generator(16, 16), tg.Discriminator(16)
    _torch_to_tf(g, d, tg_g, tg_d)
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((5, 16)).astype(np.float32), np.array([0, 3, 9, 1, 1])
    with torch.no_grad():
        x_torch = g(torch.from_numpy(z), torch.from_numpy(y)).numpy()              # (N, 1, 28, 28)
    x_tf = tg_g(tf.constant(z), tf.constant(y), training=False).numpy()           # (N, 28, 28, 1)
    np.testing.assert_allclose(x_tf[..., 0], x_torch[:, 0], rtol=1e-4, atol=1e-5)
    images = rng.uniform(-1, 1, (5, 28, 28)).astype(np.float32)
    with torch.no_grad():
        s_torch = d(torch.from_numpy(images[:, None]), torch.from_numpy(y)).numpy()
    s_tf = tg_d(tf.constant(images[..., None]), tf.constant(y), training=False).numpy()
    np.testing.assert_allclose(s_tf, s_torch, rtol=1e-4, atol=1e-5)
    # one training-mode call runs one power iteration in both, updating u and v the same way
    d.train()
    with torch.no_grad():
        s_torch = d(torch.from_numpy(images[:, None]), torch.from_numpy(y)).numpy()
    s_tf = tg_d(tf.constant(images[..., None]), tf.constant(y), training=True).numpy()
    np.testing.assert_allclose(s_tf, s_torch, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tg_d.conv2.u.numpy(), d.conv2.parametrizations.weight[0]._u.numpy(), atol=1e-5)


def test_spectral_norm_makes_the_largest_singular_value_one(fw):
    g, d = fw.product_train.build_models(replace(TINY, width=16))
    # after enough training-mode calls the power iteration converges: sigma(W / sigma_hat) ~ 1
    x = np.zeros((2, 1, 28, 28) if fw.FRAMEWORK == "torch" else (2, 28, 28, 1), np.float32)
    y = np.array([0, 1])
    if fw.FRAMEWORK == "torch":
        import torch

        d.train()
        with torch.no_grad():
            for _ in range(30):
                d(torch.from_numpy(x), torch.from_numpy(y))
            w = d.conv2.weight.numpy().reshape(d.conv2.weight.shape[0], -1)
    else:
        for _ in range(30):
            d(x, y, training=True)
        w = (d.conv2._matrix() / float(np.dot(d.conv2.u.numpy(), d.conv2._matrix().numpy() @ d.conv2.v.numpy())))
        w = np.asarray(w)
    assert np.linalg.svd(w, compute_uv=False)[0] == pytest.approx(1.0, abs=0.03)  # power iteration: close, not exact


def test_spectral_norm_layers_start_from_fifteen_power_iterations(fw):
    """As torch does at creation: unit u and v, and u^T W v already near the largest singular value (tf builds
    some layers while tracing, so its layers do these iterations on the host)."""
    _, d = fw.product_train.build_models(replace(TINY, width=16))
    if fw.FRAMEWORK == "torch":
        parametrization = d.conv2.parametrizations.weight[0]
        u, v = parametrization._u.numpy(), parametrization._v.numpy()
        w = d.conv2.parametrizations.weight.original.detach().numpy().reshape(len(u), -1)
    else:
        u, v, w = d.conv2.u.numpy(), d.conv2.v.numpy(), np.asarray(d.conv2._matrix())
    assert np.linalg.norm(u) == pytest.approx(1.0, abs=1e-5) and np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5)
    assert float(u @ w @ v) == pytest.approx(np.linalg.svd(w, compute_uv=False)[0], rel=0.2)


def test_shapes_ema_and_sampling(fw):
    g, d = fw.product_train.build_models(TINY)
    labels = np.arange(10)
    images = fw.product_gan.sample_images(g, labels, seed=3)
    assert images.shape == (10, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, fw.product_gan.sample_images(g, labels, seed=3))  # seeded
    ema = fw.product_gan.EMA(g, decay=0.5)
    np.testing.assert_array_equal(fw.product_gan.sample_images(ema.model, labels, seed=3), images)
    truncated = fw.product_gan.sample_images(g, labels, seed=3, truncation=0.5)
    assert truncated.shape == images.shape


def test_ema_update_is_the_convex_combination(fw):
    g1, _ = fw.product_train.build_models(TINY)
    fw.utils.set_seed(1)
    g2, _ = fw.product_train.build_models(TINY)
    ema = fw.product_gan.EMA(g1, decay=0.75)
    ema.update(g2)
    if fw.FRAMEWORK == "torch":
        a, b, e = g1.dense.weight.detach().numpy(), g2.dense.weight.detach().numpy(), ema.model.dense.weight.numpy()
    else:
        a, b, e = g1.dense.kernel.numpy(), g2.dense.kernel.numpy(), ema.model.dense.kernel.numpy()
    np.testing.assert_allclose(e, 0.75 * a + 0.25 * b, rtol=1e-6, atol=1e-7)


def test_ema_update_with_a_tensor_decay_matches_a_number():
    """The CUDA-graph path passes the decay as a 0-d tensor (refilled between replays): same arithmetic."""
    torch = pytest.importorskip("torch")
    from course_lib.torch import product_gan, product_train

    g1, _ = product_train.build_models(TINY)
    torch.manual_seed(1)
    g2, _ = product_train.build_models(TINY)
    by_number, by_tensor = product_gan.EMA(g1, decay=0.9), product_gan.EMA(g1, decay=0.9)
    decay = torch.zeros(())
    for value in (0.1, 0.5, 0.9):
        by_number.update(g2, value)
        decay.fill_(value)  # the same tensor each time, as a captured graph sees it
        by_tensor.update(g2, decay)
    for a, b in zip(by_number.model.state_dict().values(), by_tensor.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    expected = g1.dense.weight * (0.1 * 0.5 * 0.9) + g2.dense.weight * (1 - 0.1 * 0.5 * 0.9)
    torch.testing.assert_close(by_tensor.model.dense.weight, expected.detach(), rtol=1e-5, atol=1e-6)


def test_cuda_graph_switch_is_checked(fw, tmp_path):
    """cuda_graph="yes" where no graph can run says what is missing; "auto" falls back; typos are named."""
    if fw.FRAMEWORK == "torch":
        import torch

        if torch.cuda.is_available():
            pytest.skip("on a CUDA machine cuda_graph='yes' is valid")
        match = "needs a CUDA GPU"
    else:
        match = "torch switch"
    with pytest.raises(ValueError, match=match):
        fw.product_train.train_product_gan(replace(TINY, cuda_graph="yes"), run_dir=tmp_path / "a", progress=False)
    with pytest.raises(ValueError, match="cuda_graph"):
        fw.product_train.train_product_gan(replace(TINY, cuda_graph="maybe"), run_dir=tmp_path / "b", progress=False)
    with pytest.raises(ValueError, match="mixed_precision must be"):
        fw.product_train.train_product_gan(replace(TINY, mixed_precision="half"), run_dir=tmp_path / "d",
                                           progress=False)
    result = fw.product_train.train_product_gan(replace(TINY, steps=2), run_dir=tmp_path / "c", progress=False)
    assert result["step"] == 2 and not result.get("cuda_graph")


@pytest.mark.gpu
def test_cuda_graph_steps_follow_the_eager_ones_on_a_gpu(tmp_path):
    """Runs only where torch sees a CUDA GPU (benchmarks/product_gan_speed.py --check-graph measures the same)."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU; on the CPU the course loop never captures a graph")
    from course_lib.torch import product_train

    config = replace(TINY, steps=8, mixed_precision="off", compile="no", checkpoint_every=1000)
    eager = product_train.train_product_gan(replace(config, cuda_graph="no"), run_dir=tmp_path / "e", progress=False)
    graphed = product_train.train_product_gan(replace(config, cuda_graph="yes"), run_dir=tmp_path / "g",
                                              progress=False)
    assert graphed["cuda_graph"] and not eager["cuda_graph"]
    # the first steps run eagerly in both: equal up to GPU reduction order; every replayed loss is finite
    np.testing.assert_allclose(graphed["history"]["d_loss"][:2], eager["history"]["d_loss"][:2], rtol=1e-4)
    assert np.all(np.isfinite(graphed["history"]["d_loss"] + graphed["history"]["g_loss"]))


def test_health_monitor_sees_every_logged_step(fw, tmp_path):
    from course_lib.health import TrainingMonitor

    monitor = TrainingMonitor(window=2, verbose=False)
    result = fw.product_train.train_product_gan(replace(TINY, steps=4, log_every=2), run_dir=tmp_path,
                                                progress=False, monitor=monitor)
    assert monitor.steps == result["history"]["step"] == [2, 4]
    np.testing.assert_allclose(monitor.d_losses, result["history"]["d_loss"])


def test_diff_augment_keeps_shape_range_and_is_seeded(fw):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (4, 28, 28)).astype(np.float32)
    x = x[:, None] if fw.FRAMEWORK == "torch" else x[..., None]
    if fw.FRAMEWORK == "torch":
        import torch

        x = torch.from_numpy(x)
        a = fw.product_gan.diff_augment(x, "translation,cutout", seed=5).numpy()
        b = fw.product_gan.diff_augment(x, "translation,cutout", seed=5).numpy()
    else:
        a = fw.product_gan.diff_augment(x, "translation,cutout", seed=[5, 5]).numpy()
        b = fw.product_gan.diff_augment(x, "translation,cutout", seed=[5, 5]).numpy()
    assert a.shape == tuple(x.shape) and a.min() >= -1 and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, np.asarray(x))
    with pytest.raises(ValueError, match="policy"):
        fw.product_gan.diff_augment(x, "rotation")


def _weights(fw, result):
    if fw.FRAMEWORK == "torch":
        return [t.detach().numpy().copy() for m in ("generator", "discriminator", "ema_generator")
                for t in result[m].state_dict().values()]
    return [v.numpy().copy() for m in ("generator", "discriminator", "ema_generator") for v in result[m].weights]


def test_resume_matches_an_uninterrupted_run(fw, tmp_path, monkeypatch):
    # bit-identity is a CPU promise (on a GPU, non-deterministic reductions make any two runs differ): train on
    # the CPU even where a GPU is visible, as on the H100 where this test first failed for that reason
    if fw.FRAMEWORK == "torch":
        import torch

        torch.set_num_threads(1)
        monkeypatch.setattr(fw.product_train, "default_device", lambda: torch.device("cpu"))
    else:
        monkeypatch.setattr(fw.product_train, "default_device", lambda: "/CPU:0")
    config = replace(TINY, diffaugment="translation")
    full = fw.product_train.train_product_gan(config, run_dir=tmp_path / "full", progress=False)
    fw.utils.set_seed(123)  # whatever happened in between must not matter
    fw.product_train.train_product_gan(replace(config, steps=3), run_dir=tmp_path / "split", progress=False)
    assert runs.latest_checkpoint(tmp_path / "split").name.startswith("ckpt_00000003")
    resumed = fw.product_train.train_product_gan(config, run_dir=tmp_path / "split", progress=False)
    assert resumed["history"]["step"] == [4, 5, 6]
    np.testing.assert_allclose(resumed["history"]["d_loss"], full["history"]["d_loss"][3:], rtol=1e-6)
    for a, b in zip(_weights(fw, full), _weights(fw, resumed)):
        # identical on the CPU: same seeds, restored RNG/optimiser state, data order from (seed, epoch)
        np.testing.assert_array_equal(a, b)
    # the last N checkpoints are kept, the run folder has what the CLI promises
    assert len(runs.checkpoint_paths(tmp_path / "split")) == 2
    assert (tmp_path / "split" / "config.json").exists() and (tmp_path / "split" / "samples.png").exists()


def test_nan_guard_names_the_last_good_checkpoint(fw, tmp_path):
    config = replace(TINY, steps=6, lr_d=1e30, lr_g=1e30, loss="bce", spectral_norm=False, checkpoint_every=1)
    with pytest.raises(NaNLossError, match="Last good checkpoint"):
        fw.product_train.train_product_gan(config, run_dir=tmp_path, progress=False)


@pytest.mark.parametrize("module", ["product_gan", "product_train"])
def test_twin_modules_match(module):
    import importlib
    import inspect

    pytest.importorskip("torch"), pytest.importorskip("tensorflow")
    a = importlib.import_module(f"course_lib.torch.{module}")
    b = importlib.import_module(f"course_lib.tf.{module}")
    assert a.__all__ == b.__all__
    for name in a.__all__:
        x, y = getattr(a, name), getattr(b, name)
        assert inspect.signature(x) == inspect.signature(y), name
        assert inspect.getdoc(x) == inspect.getdoc(y), name
    # the same numbered steps in both training loops
    steps = lambda m: [line.strip() for line in inspect.getsource(m).splitlines() if line.strip().startswith("# ")
                       and line.strip()[2:3].isdigit()]
    assert [s[:12] for s in steps(a)] == [s[:12] for s in steps(b)]


def test_twin_parity_of_the_unconditional_baseline_models():
    torch = pytest.importorskip("torch")
    tf = pytest.importorskip("tensorflow")
    from course_lib.tf import product_gan as tg
    from course_lib.torch import product_gan as pg

    torch.manual_seed(1)
    g, d = pg.Generator(8, 16, conditional=False), pg.Discriminator(16, conditional=False, spectral_norm=False)
    g.eval(), d.eval()
    tg_g, tg_d = tg.Generator(8, 16, conditional=False), tg.Discriminator(16, conditional=False, spectral_norm=False)
    conv = lambda w: w.detach().numpy().transpose(2, 3, 1, 0)
    vec = lambda t: t.detach().numpy()
    tg_g.dense.kernel.assign(vec(g.dense.weight).T), tg_g.dense.bias.assign(vec(g.dense.bias))
    for name in ("bn0", "bn1", "bn2"):
        src, dst = getattr(g, name).bn, getattr(tg_g, name).bn
        dst.gamma.assign(vec(src.weight)), dst.beta.assign(vec(src.bias))
        dst.moving_mean.assign(vec(src.running_mean)), dst.moving_variance.assign(vec(src.running_var))
    for name in ("conv1", "conv2", "conv_out"):
        getattr(tg_g, name).kernel.assign(conv(getattr(g, name).weight))
        getattr(tg_g, name).bias.assign(vec(getattr(g, name).bias))
    for name in ("conv1", "conv2", "conv3", "psi"):
        w = getattr(d, name).weight
        getattr(tg_d, name).kernel.assign(conv(w) if w.ndim == 4 else vec(w).T)
        getattr(tg_d, name).bias.assign(vec(getattr(d, name).bias))
    z = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    with torch.no_grad():
        x = g(torch.from_numpy(z)).numpy()
        s = d(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(tg_g(tf.constant(z)).numpy()[..., 0], x[:, 0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tg_d(tf.constant(x.transpose(0, 2, 3, 1))).numpy(), s, rtol=1e-4, atol=1e-5)
