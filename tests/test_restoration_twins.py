"""The restoration U-Net and its pix2pix discriminator in both twins: parity with copied weights, the neutral
weight format, the training loop's numbered steps, and the shipped weights."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from course_lib.errors import InputError


def _nhwc(x):
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def _nchw(x):
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def test_twin_parity_of_unet_and_discriminator_with_copied_weights():
    torch = pytest.importorskip("torch")
    tf = pytest.importorskip("tensorflow")
    from course_lib.tf import unet as tu
    from course_lib.torch import unet as pu

    torch.manual_seed(0)
    p_unet, p_d = pu.UNet(8), pu.PatchDiscriminator(8)
    t_unet, t_d = tu.UNet(8), tu.PatchDiscriminator(8)
    # copy by hand (OIHW -> HWIO), independently of get_weights/set_weights
    for src_model, dst_model, names in ((p_unet, t_unet, pu.UNET_LAYERS), (p_d, t_d, pu.DISCRIMINATOR_LAYERS)):
        for name in names:
            src, dst = getattr(src_model, name), getattr(dst_model, name)
            dst.kernel.assign(src.weight.detach().numpy().transpose(2, 3, 1, 0))
            dst.bias.assign(src.bias.detach().numpy() + 0.0)
    rng = np.random.default_rng(0)
    x = np.clip(rng.normal(0, 0.6, (4, 1, 28, 28)), -1, 1).astype(np.float32)  # NCHW
    y = np.clip(rng.normal(0, 0.6, (4, 1, 28, 28)), -1, 1).astype(np.float32)
    with torch.no_grad():
        restored = p_unet(torch.from_numpy(x)).numpy()
        logits = p_d(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    assert restored.shape == (4, 1, 28, 28) and logits.shape == (4, 7, 7)
    np.testing.assert_allclose(_nchw(t_unet(tf.constant(_nhwc(x))).numpy()), restored, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(t_d(tf.constant(_nhwc(x)), tf.constant(_nhwc(y))).numpy(), logits, rtol=1e-5,
                               atol=1e-5)
    # the skip connections matter: the output is not just x
    assert np.abs(restored - x).max() > 1e-4


def test_neutral_weights_round_trip_between_twins():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from course_lib.tf import unet as tu
    from course_lib.torch import unet as pu

    degraded = np.random.default_rng(1).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    source = pu.UNet(8)
    target = tu.UNet(8)
    tu.set_weights(target, pu.get_weights(source))
    assert np.abs(pu.restore_images(source, degraded).astype(int) - tu.restore_images(target, degraded)).max() <= 1
    back = pu.UNet(8)
    pu.set_weights(back, tu.get_weights(target))
    for key, value in pu.get_weights(source).items():
        np.testing.assert_array_equal(pu.get_weights(back)[key], value)
    with pytest.raises(InputError, match="enc1a"):
        pu.set_weights(pu.UNet(16), pu.get_weights(source))  # another width
    with pytest.raises(InputError, match="enc1a"):
        tu.set_weights(tu.UNet(16), {})


@pytest.mark.parametrize("adversarial_weight", [0.0, 0.05])
def test_training_lowers_l1_and_reports_the_same_keys(framework, adversarial_weight):
    import course_lib
    from course_lib.data import load_fashion_mnist
    from course_lib.data.degradations import bicubic_upscale, degrade

    fw = course_lib.load(framework)
    clean = load_fashion_mnist("test")[0][:64]
    degraded = bicubic_upscale(degrade(clean, seed=0))
    model = fw.unet.UNet(4)
    result = fw.restoration_train.train_restoration(model, degraded, clean, adversarial_weight=adversarial_weight,
                                                    steps=30, batch_size=16, learning_rate=2e-3, log_every=10)
    history = result["history"]
    assert history["step"] == [10, 20, 30]
    assert np.all(np.isfinite(history["l1"])) and history["l1"][-1] < history["l1"][0]
    assert (result["discriminator"] is None) == (adversarial_weight == 0)
    if adversarial_weight:
        assert all(v > 0 for v in history["d_loss"])
    with pytest.raises(InputError, match="same shape"):
        fw.restoration_train.train_restoration(model, degrade(clean, seed=0), clean, steps=1)


def test_both_training_loops_share_the_numbered_steps():
    from course_lib.tf import restoration_train as tf_train
    from course_lib.torch import restoration_train as torch_train

    steps = lambda module: re.findall(r"# (\d\. [^\n]+)", inspect.getsource(module))
    assert steps(torch_train) == steps(tf_train)
    assert [s[:2] for s in steps(torch_train)] == ["1.", "2.", "3."]


def test_shipped_weights_load_in_both_twins_and_match_the_checksum(framework):
    import course_lib
    from course_lib.data import restoration_weights as shipped

    weights = shipped.load_restoration_weights()
    assert set(weights) == {"l1", "adversarial", "meta"}
    assert shipped.restoration_weights_path().stat().st_size < 3_000_000
    fw = course_lib.load(framework)
    for name in ("l1", "adversarial"):
        model = fw.unet.UNet(weights["meta"]["width"])
        fw.unet.set_weights(model, weights[name])
    assert weights["meta"]["pretrain_steps"] > 0 and weights["meta"]["finetune_steps"] > 0


def test_a_damaged_weights_file_is_refused(tmp_path):
    from course_lib.data import restoration_weights as shipped

    damaged = tmp_path / "w.npz"
    damaged.write_bytes(shipped.restoration_weights_path().read_bytes()[:-10] + b"0123456789")
    with pytest.raises(InputError, match="SHA-256"):
        shipped.load_restoration_weights(damaged)
