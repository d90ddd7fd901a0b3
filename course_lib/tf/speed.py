"""The product loop's speed machinery, kept out of the loop (TensorFlow twin of course_lib/torch/speed.py).

`plan_speed(config, device)` decides once which levers a run pulls (data on the device, mixed precision with
loss scaling, XLA compilation of the step) and hands the loop an object with a few small verbs:
`model_scope`, `adam`, `compile`, `scale`, `update`. The loop's three teaching steps call these verbs and read
the same with every lever off. There is no CUDA graph in tf: the XLA-compiled step already runs as few, large
kernels.
Used in: notebooks/04_product_image_project.ipynb (through product_train.train_product_gan)
"""

from __future__ import annotations

import contextlib

import keras
import tensorflow as tf

__all__ = ["plan_speed"]

GRAPH_FROM_STEPS = 100  # runs of fewer steps (without XLA) train eagerly: tracing would cost more than it saves


def _amp_policy(config, on_gpu):
    if config.mixed_precision == "off" or (config.mixed_precision == "auto" and not on_gpu):
        return None
    if config.mixed_precision == "bf16":
        return "mixed_bfloat16"
    if config.mixed_precision == "fp16":
        return "mixed_float16"
    major = tf.config.experimental.get_device_details(tf.config.list_physical_devices("GPU")[0]).get(
        "compute_capability", (0, 0))[0]
    return "mixed_bfloat16" if major >= 8 else "mixed_float16"  # bf16 needs Ampere (8.x) or newer


class SpeedPlan:
    """The speed levers of one product-GAN run, decided from its config and device; see plan_speed.

    Attributes:
        device: where the models train.
        data_device: where the whole data set is held (the device, or the CPU for host-side batches).
        mixed_precision: None (fp32), "bf16" or "fp16" (fp16 with loss scaling).
        compiled: torch.compile (torch) or XLA (tf) compiles the step.
        graph: the step runs as a tf.function (always when compiled; otherwise from GRAPH_FROM_STEPS steps on).
        cuda_graph: each course-loop step is replayed as one captured CUDA graph (torch on a CUDA GPU only).
    """

    def __init__(self, config, device):
        if config.cuda_graph == "yes":  # the XLA-compiled step already runs as few, large kernels
            raise ValueError('config.cuda_graph is a torch switch: use "auto" or "no" with tf.')
        self.device = device
        on_gpu = device.startswith("/GPU")
        self._policy = _amp_policy(config, on_gpu)
        self.mixed_precision = {None: None, "mixed_bfloat16": "bf16", "mixed_float16": "fp16"}[self._policy]
        on_device = config.data_on_device == "yes" or (config.data_on_device == "auto" and on_gpu)
        self.data_device = device if on_device else "/CPU:0"
        self.cuda_graph = False
        self.compiled = config.compile == "yes" or (config.compile == "auto" and on_gpu)
        # tracing the step costs seconds (more on a busy CPU): a short run without XLA is quicker eager
        self.graph = self.compiled or config.steps >= GRAPH_FROM_STEPS

    @contextlib.contextmanager
    def model_scope(self):
        """Build models inside this: on the device, with the mixed-precision policy (layers read it when created)."""
        previous_policy = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy(self._policy or "float32")
        try:
            with tf.device(self.device):
                yield
        finally:
            keras.mixed_precision.set_global_policy(previous_policy)

    def adam(self, variables, lr, betas):
        """Adam, built for `variables`; in fp16 wrapped in a LossScaleOptimizer (scale the loss, unscale the
        gradients, skip non-finite ones)."""
        optimizer = keras.optimizers.Adam(lr, beta_1=betas[0], beta_2=betas[1], epsilon=1e-8)
        if self.mixed_precision == "fp16":
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        optimizer.build(variables)
        return optimizer

    def compile(self, step):
        """The step as a tf.function (XLA-compiled when compilation is on), or as it is for a short eager run."""
        return tf.function(step, jit_compile=self.compiled) if self.graph else step

    def scale(self, optimizer, loss):
        """The loss to differentiate: scaled in fp16 (computed inside the tape), the loss itself otherwise."""
        return optimizer.scale_loss(loss) if self.mixed_precision == "fp16" else loss

    def update(self, optimizer, tape, scaled_loss, variables):
        """Gradients of the (scaled) loss and one optimizer step (which unscales fp16 gradients)."""
        grads = tape.gradient(scaled_loss, variables)
        optimizer.apply_gradients(zip(grads, variables))

    def graph_used(self) -> bool:
        """True when steps were replayed from a captured CUDA graph (never in tf)."""
        return False


def plan_speed(config, device) -> SpeedPlan:
    """The speed levers of a product-GAN run: `config`'s switches resolved for `device`.

    Args:
        config: a course_lib.config.ProductGANConfig (data_on_device, mixed_precision, compile, cuda_graph,
            tutorial_loop).
        device: the device the models train on (utils.device()).
    Returns:
        A SpeedPlan.
    Raises:
        ValueError: cuda_graph="yes" where no graph can run, naming what is missing.
    """
    return SpeedPlan(config, device)
