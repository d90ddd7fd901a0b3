"""The product loop's speed machinery, kept out of the loop (PyTorch twin of course_lib/tf/speed.py).

`plan_speed(config, device)` decides once which levers a run pulls (data on the device, channels-last, mixed
precision with loss scaling, torch.compile, fused Adam, one CUDA graph per step) and hands the loop an object
with a few small verbs: `place`, `adam`, `compile`, `autocast`, `update`, `replay`. The loop's three teaching
steps call these verbs and read the same with every lever off.
Used in: notebooks/04_product_image_project.ipynb (through product_train.train_product_gan)
"""

from __future__ import annotations

import contextlib
import warnings

import torch

__all__ = ["plan_speed"]


def _amp_dtype(config, dev):
    if config.mixed_precision == "off" or (config.mixed_precision == "auto" and dev.type != "cuda"):
        return None
    # native bf16 from Ampere (compute capability 8) on; is_bf16_supported() also says yes where it is only
    # emulated (a Colab T4), which is slow: there fp16 with loss scaling is the fast choice
    native_bf16 = dev.type == "cuda" and torch.cuda.get_device_capability(dev)[0] >= 8
    if config.mixed_precision == "bf16" or (config.mixed_precision == "auto" and native_bf16):
        return torch.bfloat16
    return torch.float16  # needs loss scaling (GradScaler below)


def _use_cuda_graph(config, dev, amp, on_device):
    """Whether to capture the course loop's step as a CUDA graph (config.cuda_graph "auto" | "yes" | "no")."""
    if config.cuda_graph == "no":
        return False
    # a graph replays fixed device work: no host-side batches, no fp16 loss scaler deciding on the host
    missing = [why for why, bad in (("a CUDA GPU", dev.type != "cuda"), ("the data on the GPU", not on_device),
                                    ("the course loop (tutorial_loop=False)", config.tutorial_loop),
                                    ("bf16 or fp32 (fp16 loss scaling syncs with the host)", amp == torch.float16))
               if bad]
    if missing and config.cuda_graph == "yes":
        raise ValueError(f'cuda_graph="yes" needs {", ".join(missing)}; use cuda_graph="auto" to fall back.')
    return not missing


class _CUDAGraphStep:
    """Runs step(ema_decay) as one captured CUDA graph: one launch per training step instead of several hundred.

    A small model leaves the GPU idle while Python launches its kernels one by one; a graph records them once
    and replays them. The first WARMUP steps run eagerly on a side stream (they create Adam's state and let
    torch.compile and cuDNN settle), the next is captured, then every step is a replay. The inputs are fixed
    tensors the caller refills (the batch's rows, `decay_now`); the outputs are the losses of the last replay.
    If capture fails, a warning says why and training goes on eagerly.
    """

    WARMUP = 3

    def __init__(self, step, decay_now):
        self.step, self.decay_now = step, decay_now
        self.graph, self.outputs, self.calls, self.error = None, None, 0, None

    def __call__(self, ema_decay):
        self.decay_now.fill_(ema_decay)
        if self.graph is not None:
            self.graph.replay()
            return self.outputs
        self.calls += 1
        if self.error is not None:
            return self.step(self.decay_now)
        if self.calls <= self.WARMUP:
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                outputs = self.step(self.decay_now)
            torch.cuda.current_stream().wait_stream(side)
            return outputs
        try:
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                self.outputs = self.step(self.decay_now)
            graph.replay()  # capturing records the step without running it
            self.graph = graph
            return self.outputs
        except Exception as error:  # noqa: BLE001  (any capture failure: train on without the graph)
            self.error = error
            warnings.warn(f"CUDA graph capture failed ({type(error).__name__}: {error}); training goes on without "
                          'it (set cuda_graph="no" to skip the attempt).', RuntimeWarning, stacklevel=2)
            torch.cuda.synchronize()
            return self.step(self.decay_now)


class SpeedPlan:
    """The speed levers of one product-GAN run, decided from its config and device; see plan_speed.

    Attributes:
        device: where the models train.
        data_device: where the whole data set is held (the device, or the CPU for host-side batches).
        mixed_precision: None (fp32), "bf16" or "fp16" (fp16 with loss scaling).
        compiled: torch.compile (torch) or XLA (tf) compiles the step.
        cuda_graph: each course-loop step is replayed as one captured CUDA graph (torch on a CUDA GPU only).
    """

    def __init__(self, config, device):
        self.device = device
        self._amp = _amp_dtype(config, device)
        self.mixed_precision = {None: None, torch.bfloat16: "bf16", torch.float16: "fp16"}[self._amp]
        on_device = config.data_on_device == "yes" or (config.data_on_device == "auto" and device.type != "cpu")
        self.data_device = device if on_device else torch.device("cpu")
        self.cuda_graph = _use_cuda_graph(config, device, self._amp, on_device)
        self.compiled = config.compile == "yes" or (config.compile == "auto" and device.type == "cuda")
        # on a GPU, one fused kernel per Adam update; the blog-post loop keeps default Adam
        self._fused = (device.type == "cuda" and not config.tutorial_loop) or None
        self.scaler = torch.amp.GradScaler("cuda") if self._amp == torch.float16 else None
        self._replay = None

    def place(self, *models):
        """Move models to the device in channels-last layout (about 1.7x faster convolutions on this CPU with
        oneDNN, and what tensor cores prefer); returns them."""
        for model in models:
            model.to(self.device, memory_format=torch.channels_last)
        return models

    def adam(self, parameters, lr, betas):
        """Adam, fused on a GPU; capturable keeps its step count on the GPU for a CUDA graph."""
        return torch.optim.Adam(parameters, lr, betas=betas, eps=1e-8, fused=self._fused, capturable=self.cuda_graph)

    def compile(self, model):
        """torch.compile(model) when compilation is on, else the model itself."""
        return torch.compile(model) if self.compiled else model

    def autocast(self):
        """The mixed-precision context of a forward pass (does nothing in fp32)."""
        # a CUDA graph replays recorded kernels, so autocast must not keep a cache of casts between steps
        return torch.autocast(self.device.type, dtype=self._amp, enabled=self._amp is not None,
                              cache_enabled=not self.cuda_graph)

    def update(self, loss, optimizer):
        """loss.backward() and one optimizer step; in fp16 the loss is scaled so small gradients survive."""
        optimizer.zero_grad(set_to_none=True)
        if self.scaler is None:
            loss.backward()
            optimizer.step()
        else:
            self.scaler.scale(loss).backward()
            self.scaler.step(optimizer)
            self.scaler.update()

    def replay(self, step, decay_now):
        """step(decay) as a callable that replays a captured CUDA graph when cuda_graph is on, else step itself."""
        self._replay = _CUDAGraphStep(step, decay_now) if self.cuda_graph else None
        return self._replay or step

    def decay_tensor(self):
        """The fixed tensor a captured graph reads the EMA decay from (None without a graph)."""
        return torch.zeros((), device=self.device) if self.cuda_graph else None

    def sync(self):
        """Wait for the device's queued work (before a clock is read)."""
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    def model_scope(self):
        """The context models are built in: nothing to set in torch (tf sets its mixed-precision policy)."""
        return contextlib.nullcontext()

    def graph_used(self) -> bool:
        """True when steps were replayed from a captured CUDA graph."""
        return self._replay is not None and self._replay.graph is not None


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
