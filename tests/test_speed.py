"""The product loop's speed layer (course_lib/<fw>/speed.py), tested on its own: which levers a config pulls on
this machine, and that each verb does its one job. The CUDA-graph replay itself needs a CUDA GPU
(tests/test_product_gan.py::test_cuda_graph_steps_follow_the_eager_ones_on_a_gpu)."""

from dataclasses import replace

import numpy as np
import pytest

from course_lib.config import ProductGANConfig

CONFIG = ProductGANConfig(width=8, latent_dim=8, batch_size=8)


def _cpu(fw):
    if fw.FRAMEWORK == "torch":
        import torch

        return torch.device("cpu")
    return "/CPU:0"


def test_on_a_cpu_auto_pulls_no_lever(fw):
    plan = fw.speed.plan_speed(CONFIG, _cpu(fw))
    assert plan.mixed_precision is None and not plan.compiled and not plan.cuda_graph and not plan.graph_used()
    assert str(plan.data_device).lower().endswith("cpu") or str(plan.data_device).endswith("CPU:0")


def test_explicit_switches_are_honoured_or_refused_with_the_reason(fw):
    assert fw.speed.plan_speed(replace(CONFIG, compile="yes"), _cpu(fw)).compiled
    assert fw.speed.plan_speed(replace(CONFIG, mixed_precision="bf16"), _cpu(fw)).mixed_precision == "bf16"
    match = "needs a CUDA GPU" if fw.FRAMEWORK == "torch" else "torch switch"
    with pytest.raises(ValueError, match=match):
        fw.speed.plan_speed(replace(CONFIG, cuda_graph="yes"), _cpu(fw))


def test_torch_verbs_place_update_and_replay():
    torch = pytest.importorskip("torch")
    from course_lib.torch import speed

    plan = speed.plan_speed(CONFIG, torch.device("cpu"))
    conv = torch.nn.Conv2d(1, 2, 3)
    (placed,) = plan.place(conv)
    assert placed.weight.is_contiguous(memory_format=torch.channels_last)
    optimizer = plan.adam(conv.parameters(), 0.1, (0.0, 0.9))
    before = conv.weight.detach().clone()
    with plan.autocast():
        loss = conv(torch.ones(1, 1, 5, 5)).square().mean()
    assert loss.dtype == torch.float32  # fp32 on the CPU: autocast is off
    plan.update(loss, optimizer)
    assert not torch.equal(before, conv.weight)  # one Adam step taken (zero_grad runs before the next backward)
    step = lambda decay: decay
    assert plan.replay(step, plan.decay_tensor()) is step and plan.decay_tensor() is None  # no graph on a CPU
    assert plan.compile(conv) is conv


def test_tf_verbs_scope_the_policy_scale_and_update():
    tf = pytest.importorskip("tensorflow")
    import keras

    from course_lib.tf import speed

    plan = speed.plan_speed(replace(CONFIG, mixed_precision="fp16"), "/CPU:0")
    before = keras.mixed_precision.global_policy().name
    with plan.model_scope():
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
    assert keras.mixed_precision.global_policy().name == before  # restored for whatever comes next
    optimizer = plan.adam(layer.trainable_variables, 0.1, (0.0, 0.9))
    assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    kernel = layer.kernel.numpy().copy()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.cast(layer(tf.ones((4, 3))), tf.float32)))
        scaled = plan.scale(optimizer, loss)
    assert float(scaled) > float(loss)  # fp16: the loss is scaled inside the tape
    plan.update(optimizer, tape, scaled, layer.trainable_variables)
    assert not np.array_equal(kernel, layer.kernel.numpy())
    fp32 = speed.plan_speed(CONFIG, "/CPU:0")
    assert fp32.scale(None, loss) is loss and not fp32.graph_used()
