"""`train_product_gan(config)`: the product-image GAN's training loop with EMA, mixed precision, compilation,
NaN guard, sample grids and checkpoint/resume (PyTorch twin of course_lib/tf/product_train.py).

Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from course_lib.product import runs
from course_lib.torch import losses
from course_lib.torch.product_gan import EMA, Discriminator, Generator, diff_augment, sample_images
from course_lib.torch.utils import device as default_device
from course_lib.torch.utils import set_seed

__all__ = ["build_models", "load_checkpoint", "save_checkpoint", "train_product_gan"]


def build_models(config):
    """(generator, discriminator) for `config` (a ProductGANConfig), freshly initialised on the CPU."""
    generator = Generator(config.latent_dim, config.width, config.conditional)
    discriminator = Discriminator(config.width, config.conditional, config.spectral_norm)
    return generator, discriminator


def _amp_dtype(config, dev):
    if config.mixed_precision == "off" or (config.mixed_precision == "auto" and dev.type != "cuda"):
        return None
    # native bf16 from Ampere (compute capability 8) on; is_bf16_supported() also says yes where it is only
    # emulated (a Colab T4), which is slow: there fp16 with loss scaling is the fast choice
    native_bf16 = dev.type == "cuda" and torch.cuda.get_device_capability(dev)[0] >= 8
    if config.mixed_precision == "bf16" or (config.mixed_precision == "auto" and native_bf16):
        return torch.bfloat16
    return torch.float16  # needs loss scaling (GradScaler below)


def _losses(config):
    if config.loss == "hinge":
        return losses.hinge_discriminator_loss, losses.hinge_generator_loss
    if config.loss in ("non_saturating", "bce"):
        return losses.minimax_discriminator_loss, losses.non_saturating_generator_loss
    raise ValueError(f'config.loss must be "hinge", "non_saturating" or "bce"; got {config.loss!r}.')


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


def save_checkpoint(path, state):
    """Write a checkpoint dict (tensors in torch, numpy arrays in tf) atomically: temporary file, then rename."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return runs.atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path, generator, discriminator, ema=None, opt_g=None, opt_d=None, scaler=None):
    """Restore models, EMA, optimisers, loss scaler and RNG states from `path`; returns the step to resume at."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    generator.load_state_dict(state["generator"])
    discriminator.load_state_dict(state["discriminator"])
    if ema is not None and state.get("ema") is not None:
        ema.model.load_state_dict(state["ema"])
    if opt_g is not None:
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
    if scaler is not None and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])
    torch.set_rng_state(state["rng_cpu"])
    if torch.cuda.is_available() and state.get("rng_cuda"):
        torch.cuda.set_rng_state_all(state["rng_cuda"])
    return int(state["step"])


def _tutorial_batches(images, labels, batch_size, seed):
    """The blog-post data path: a DataLoader over a host-side dataset, collated item by item."""
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                                         generator=torch.Generator().manual_seed(seed))
    while True:
        for xb, yb in loader:
            yield xb.float().div(127.5).sub(1.0).unsqueeze(1), yb


def train_product_gan(config, images=None, labels=None, run_dir=None, resume=True, progress=True,
                      monitor=None):
    """Train G and D of the product GAN for config.steps steps; resume from the run's last checkpoint.

    Hinge: L_D = E[max(0, 1 - D(x, y))] + E[max(0, 1 + D(G(z, y), y))], L_G = -E[D(G(z, y), y)]
    (arXiv 1705.02894, 1802.05957); "bce": the minimax D loss with the non-saturating G loss (arXiv 1406.2661).
    Args:
        config: a course_lib.config.ProductGANConfig.
        images, labels: uint8 [N, 28, 28] and int [N] (default: Fashion-MNIST train, first config.limit).
        run_dir: where config.json, checkpoints/ and samples.png go (default: product.runs.resolve_run_dir).
        resume: continue from the newest checkpoint in run_dir when there is one.
        progress: show a tqdm bar with the losses.
        monitor: optional callable monitor(step, d_loss, g_loss), e.g. course_lib.health.TrainingMonitor(),
            called with Python floats at every `log_every`-th step (after the NaN guard).
    Returns:
        dict with "generator", "ema_generator" (the EMA copy, or the generator when EMA is off),
        "discriminator", "history" (step, d_loss, g_loss lists), "run_dir", "step", "images_per_second".
    Raises:
        course_lib.product.NaNLossError when a loss stops being finite, naming the last good checkpoint.
    Resuming is bit-identical to an uninterrupted run on the CPU (tested). On a GPU the two differ as much as any
    two GPU runs of a GAN do: reductions there are not deterministic, and training amplifies the last-bit
    differences (measured with the torch twin on an H100: 1e-4 on the losses by step 3, 0.01-0.09 by step 30).
    Used in: notebooks/04_product_image_project.ipynb
    """
    from tqdm.auto import tqdm

    from course_lib.data import load_fashion_mnist
    from course_lib.viz.product import save_sample_grid

    set_seed(config.seed)
    dev = default_device()
    if images is None:
        images, labels = load_fashion_mnist("train")
        if config.limit:
            images, labels = images[:config.limit], labels[:config.limit]
    images, labels = np.array(images, dtype=np.uint8), np.array(labels, dtype=np.int64)  # writable copies
    run_dir = Path(run_dir) if run_dir else runs.resolve_run_dir(config)
    runs.save_config(config, run_dir)

    generator, discriminator = build_models(config)
    # channels-last convolutions: about 1.7x faster on this CPU (oneDNN), and what tensor cores prefer on a GPU
    generator.to(dev, memory_format=torch.channels_last), discriminator.to(dev, memory_format=torch.channels_last)
    ema = EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    amp = _amp_dtype(config, dev)
    on_device = config.data_on_device == "yes" or (config.data_on_device == "auto" and dev.type != "cpu")
    graphed = _use_cuda_graph(config, dev, amp, on_device)
    # on a GPU, one fused kernel per Adam update; capturable keeps Adam's step count on the GPU for the graph
    fused = (dev.type == "cuda" and not config.tutorial_loop) or None  # the blog-post loop keeps default Adam
    adam = dict(betas=(config.beta1, config.beta2), eps=1e-8, fused=fused, capturable=graphed)
    opt_g = torch.optim.Adam(generator.parameters(), config.lr_g, **adam)
    opt_d = torch.optim.Adam(discriminator.parameters(), config.lr_d, **adam)
    scaler = torch.amp.GradScaler("cuda") if amp == torch.float16 else None
    d_loss_fn, g_loss_fn = _losses(config)
    start = 0
    last = runs.latest_checkpoint(run_dir, "pt") if resume else None
    if last is not None:
        start = load_checkpoint(last, generator, discriminator, ema, opt_g, opt_d, scaler)
    compiled = config.compile == "yes" or (config.compile == "auto" and dev.type == "cuda")
    g_step, d_step = (torch.compile(generator), torch.compile(discriminator)) if compiled else (generator, discriminator)

    store = dev if on_device else torch.device("cpu")
    x_all = torch.from_numpy(images).to(store).float().div(127.5).sub(1.0).unsqueeze(1)  # (N, 1, 28, 28)
    y_all = torch.from_numpy(labels).to(store)
    batch, per_epoch = config.batch_size, len(images) // config.batch_size
    if per_epoch == 0:
        raise ValueError(f"{len(images)} images make no batch of {batch}: lower batch_size or raise limit.")
    tutorial = _tutorial_batches(images, labels, batch, config.seed) if config.tutorial_loop else None
    # a CUDA graph replays recorded kernels, so autocast must not keep a cache of casts between steps
    autocast = lambda: torch.autocast(dev.type, dtype=amp, enabled=amp is not None, cache_enabled=not graphed)
    augment = lambda x: diff_augment(x, config.diffaugment) if config.diffaugment else x

    def backward_step(loss, optimizer):
        optimizer.zero_grad(set_to_none=True)
        if scaler is None:
            loss.backward()
            optimizer.step()
        else:  # fp16: scale the loss so small gradients survive, unscale before the update
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

    def train_step(real, y_real, ema_decay):
        """One step of the game on a batch of real images; returns the two losses (tensors, no device sync)."""
        # 1. sample z
        z = torch.randn(batch, config.latent_dim, device=dev)
        y_fake = torch.randint(0, 10, (batch,), device=dev)
        # 2. update D
        with autocast():
            fake = g_step(z, y_fake).detach()
            if tutorial is not None:  # the blog-post way: two separate passes through D
                real_scores, fake_scores = d_step(real, y_real), d_step(fake, y_fake)
            else:
                scores = d_step(torch.cat([augment(real), augment(fake)]), torch.cat([y_real, y_fake]))
                real_scores, fake_scores = scores[:batch], scores[batch:]
        d_loss = d_loss_fn(real_scores.float(), fake_scores.float())
        backward_step(d_loss, opt_d)
        # 3. update G
        z = torch.randn(batch, config.latent_dim, device=dev)
        with autocast():
            fake_scores = d_step(augment(g_step(z, y_fake)), y_fake)
        g_loss = g_loss_fn(fake_scores.float())
        backward_step(g_loss, opt_g)
        # 4. update the EMA of G
        if ema is not None:
            ema.update(generator, ema_decay)
        # detached: a loss kept alive with its autograd graph would pin this step's graph into the next one
        return d_loss.detach(), g_loss.detach()

    # the course loop reads its batch through these fixed tensors, so a captured CUDA graph can replay it
    rows_now = torch.zeros(batch, dtype=torch.long, device=store)
    ema_decay_now = torch.zeros((), device=dev) if graphed else None
    course_step = lambda decay: train_step(x_all.index_select(0, rows_now).to(dev),
                                           y_all.index_select(0, rows_now).to(dev), decay)
    replay = _CUDAGraphStep(course_step, ema_decay_now) if graphed else None

    history = {"step": [], "d_loss": [], "g_loss": []}
    last_good = str(last) if last else None
    bar = tqdm(range(start, config.steps), desc=f"{config.name} ({dev.type})", disable=not progress,
               initial=start, total=config.steps)
    timed_from, timed_images, t0 = min(start + 10, config.steps - 1), 0, time.perf_counter()
    order = None
    for step in bar:
        if step == timed_from:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0, timed_images = time.perf_counter(), 0
        # warm-up: min(decay, (1 + t) / (10 + t)) lets the average forget the first steps
        ema_decay = min(config.ema_decay, (1.0 + step) / (10.0 + step))
        if tutorial is not None:
            real, y_real = (t.to(dev) for t in next(tutorial))
            d_loss, g_loss = train_step(real, y_real, ema_decay)
        else:
            epoch, index = divmod(step, per_epoch)
            if order is None or index == 0:  # the data order depends only on (seed, epoch): resumable
                perm = np.random.default_rng(config.seed + epoch).permutation(len(images))
                order = torch.from_numpy(perm).to(store)
            rows_now.copy_(order[index * batch:(index + 1) * batch])
            d_loss, g_loss = replay(ema_decay) if replay is not None else course_step(ema_decay)
        timed_images += batch
        done = step + 1
        # 5. log, guard against NaN, sample, checkpoint
        if tutorial is not None or done % config.log_every == 0 or done == config.steps:
            d_value, g_value = float(d_loss.detach()), float(g_loss.detach())  # one device sync
            if not (np.isfinite(d_value) and np.isfinite(g_value)):
                raise runs.NaNLossError(
                    f"Loss stopped being finite at step {done} (D {d_value}, G {g_value}). Last good checkpoint: "
                    f"{last_good or 'none yet'}. Resume from it with a lower learning rate, or turn "
                    "mixed_precision off to check whether fp16 overflow caused it.")
            if done % config.log_every == 0 or done == config.steps:
                if monitor is not None:  # plain-language warnings: D overpowering, G blowing up
                    monitor(done, d_value, g_value)
                history["step"].append(done), history["d_loss"].append(d_value), history["g_loss"].append(g_value)
                bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}")
        if done % config.sample_every == 0 or done == config.steps:
            shown = ema.model if ema is not None else generator
            save_sample_grid(sample_images(shown, np.repeat(np.arange(10), 8), seed=config.seed), run_dir, done)
        if done % config.checkpoint_every == 0 or done == config.steps:
            path = Path(run_dir) / "checkpoints" / f"ckpt_{done:08d}.pt"
            save_checkpoint(path, {
                "step": done, "generator": generator.state_dict(), "discriminator": discriminator.state_dict(),
                "ema": ema.model.state_dict() if ema is not None else None,
                "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
                "scaler": scaler.state_dict() if scaler is not None else None,
                "rng_cpu": torch.get_rng_state(),
                "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
                "config": runs.asdict(config)})
            last_good = str(path)
            runs.prune_checkpoints(run_dir, config.keep_checkpoints, "pt")
    bar.close()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - t0
    return {"generator": generator, "ema_generator": ema.model if ema is not None else generator,
            "discriminator": discriminator, "history": history, "run_dir": run_dir,
            "step": max(start, config.steps), "cuda_graph": replay is not None and replay.graph is not None,
            "images_per_second": timed_images / elapsed if timed_images and elapsed > 0 else float("nan")}
