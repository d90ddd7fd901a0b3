"""`train_product_gan(config)`: the product-image GAN's training loop with EMA, mixed precision, compilation,
NaN guard, sample grids and checkpoint/resume (PyTorch twin of course_lib/tf/product_train.py).

The loop is three numbered steps, as in the toy GAN; the speed levers live in course_lib/torch/speed.py and the
bookkeeping (log, NaN guard, schedule, epoch order, clock) in course_lib/training.py.

Resuming on a GPU differs from an uninterrupted run as much as any two GPU runs of a GAN do: reductions there are
not deterministic, and training amplifies the last-bit differences (measured with the torch twin on an H100:
1e-4 on the losses by step 3, 0.01-0.09 by step 30). On the CPU the two are bit-identical (tested).
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from course_lib.atomic import write_bytes_atomic
from course_lib.frameworks import checkpoint_extension
from course_lib.product import runs
from course_lib.torch.data import to_model_images
from course_lib.torch.loss_pairs import gan_loss_pair
from course_lib.torch.product_gan import EMA, Discriminator, Generator, diff_augment, sample_images
from course_lib.torch.speed import plan_speed
from course_lib.torch.utils import device as default_device
from course_lib.torch.utils import set_seed
from course_lib.training import EpochOrder, NaNLossError, StepLog, ThroughputClock, is_due

__all__ = ["build_models", "load_checkpoint", "save_checkpoint", "train_product_gan"]

PRODUCT_LOSSES = ("hinge", "non_saturating", "bce")
EXTENSION = checkpoint_extension("torch")


def build_models(config):
    """(generator, discriminator) for `config` (a ProductGANConfig), freshly initialised on the CPU."""
    generator = Generator(config.latent_dim, config.width, config.conditional)
    discriminator = Discriminator(config.width, config.conditional, config.spectral_norm)
    return generator, discriminator


def save_checkpoint(path, state):
    """Write a checkpoint dict (tensors in torch, numpy arrays in tf) atomically: temporary file, then rename."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return write_bytes_atomic(path, buffer.getvalue())


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


def _training_data(config, images, labels):
    """uint8 images [N, 28, 28] and int64 labels [N]: the given ones, or Fashion-MNIST's first config.limit."""
    if images is None:
        from course_lib.data import load_fashion_mnist

        images, labels = load_fashion_mnist("train")
        if config.limit:
            images, labels = images[:config.limit], labels[:config.limit]
    return np.array(images, dtype=np.uint8), np.array(labels, dtype=np.int64)  # writable copies


def _tutorial_batches(images, labels, batch_size, seed):
    """The blog-post data path: a DataLoader over a host-side dataset, collated item by item."""
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True,
                                         generator=torch.Generator().manual_seed(seed))
    while True:
        for xb, yb in loader:
            yield to_model_images(xb.numpy()), yb  # (B, 1, 28, 28)


def _models_and_optimizers(config, speed):
    """G and D placed by the speed plan, the EMA copy of G (None when off), and the Adam of G and of D."""
    generator, discriminator = speed.place(*build_models(config))
    ema = EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    betas = (config.beta1, config.beta2)
    opt_g, opt_d = speed.adam(generator.parameters(), config.lr_g, betas), speed.adam(
        discriminator.parameters(), config.lr_d, betas)
    return generator, discriminator, ema, opt_g, opt_d


def _checkpoint_state(done, config, generator, discriminator, ema, opt_g, opt_d, scaler):
    return {"step": done, "generator": generator.state_dict(), "discriminator": discriminator.state_dict(),
            "ema": ema.model.state_dict() if ema is not None else None,
            "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
            "scaler": scaler.state_dict() if scaler is not None else None,
            "rng_cpu": torch.get_rng_state(),
            "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "config": asdict(config)}


def train_product_gan(config, images=None, labels=None, run_dir=None, resume=True, progress=True, monitor=None):
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
        "discriminator", "history" (step, d_loss, g_loss lists), "run_dir", "step", "images_per_second",
        "cuda_graph" (True when the steps were replayed from a captured CUDA graph; torch on a CUDA GPU only).
    Raises:
        course_lib.training.NaNLossError when a loss stops being finite, naming the last good checkpoint.
    Resuming is bit-identical to an uninterrupted run on the CPU (tested); on a GPU, see the module's note.
    Used in: notebooks/04_product_image_project.ipynb
    """
    set_seed(config.seed)
    speed = plan_speed(config, default_device())  # device, channels-last, AMP, compile, fused Adam, CUDA graph
    images, labels = _training_data(config, images, labels)
    to_store = lambda perm: torch.from_numpy(perm).to(speed.data_device)  # once per epoch
    order = EpochOrder(len(images), config.batch_size, config.seed, to_store)  # data order from (seed, epoch)
    run_dir = Path(run_dir) if run_dir else runs.resolve_run_dir(config)
    runs.save_config(config, run_dir)
    generator, discriminator, ema, opt_g, opt_d = _models_and_optimizers(config, speed)
    last = runs.latest_checkpoint(run_dir, EXTENSION) if resume else None
    start = load_checkpoint(last, generator, discriminator, ema, opt_g, opt_d, speed.scaler) if last else 0
    g_step, d_step = speed.compile(generator), speed.compile(discriminator)
    d_loss_fn, g_loss_fn = gan_loss_pair(config.loss, PRODUCT_LOSSES)
    dev, batch, latent_dim = speed.device, config.batch_size, config.latent_dim
    augment = lambda x: diff_augment(x, config.diffaugment) if config.diffaugment else x

    def train_step(real, y_real, ema_decay):
        """One step of the game on a batch of real images; returns the two losses (tensors, no device sync)."""
        # 1. sample z
        z = torch.randn(batch, latent_dim, device=dev)
        y_fake = torch.randint(0, 10, (batch,), device=dev)
        # 2. update D
        with speed.autocast():
            fake = g_step(z, y_fake).detach()
            if config.tutorial_loop:  # the blog-post way: two separate passes through D
                real_scores, fake_scores = d_step(real, y_real), d_step(fake, y_fake)
            else:
                scores = d_step(torch.cat([augment(real), augment(fake)]), torch.cat([y_real, y_fake]))
                real_scores, fake_scores = scores[:batch], scores[batch:]
        d_loss = d_loss_fn(real_scores.float(), fake_scores.float())
        speed.update(d_loss, opt_d)
        # 3. update G
        z = torch.randn(batch, latent_dim, device=dev)
        with speed.autocast():
            fake_scores = d_step(augment(g_step(z, y_fake)), y_fake)
        g_loss = g_loss_fn(fake_scores.float())
        speed.update(g_loss, opt_g)
        # 4. update the EMA of G
        if ema is not None:
            ema.update(generator, ema_decay)
        # detached: a loss kept alive with its autograd graph would pin this step's graph into the next one
        return d_loss.detach(), g_loss.detach()

    steps = (_tutorial_steps(train_step, dev, images, labels, config) if config.tutorial_loop
             else _course_steps(train_step, speed, order, images, labels))
    save = lambda done: save_checkpoint(run_dir / "checkpoints" / f"ckpt_{done:08d}.{EXTENSION}", _checkpoint_state(
        done, config, generator, discriminator, ema, opt_g, opt_d, speed.scaler))
    shown = lambda: ema.model if ema is not None else generator
    history, images_per_second = _loop(config, start, steps, speed, run_dir, last, save, shown, monitor, progress)
    return {"generator": generator, "ema_generator": shown(), "discriminator": discriminator, "history": history,
            "run_dir": run_dir, "step": max(start, config.steps), "images_per_second": images_per_second,
            "cuda_graph": speed.graph_used()}


def _course_steps(train_step, speed, order, images, labels):
    """step(step, ema_decay) of the course loop: the data set held on speed.data_device, batches picked by row
    index into fixed tensors, so that a captured CUDA graph can replay the whole step."""
    store, dev = speed.data_device, speed.device
    x_all = to_model_images(images, store)  # (N, 1, 28, 28)
    y_all = torch.from_numpy(labels).to(store)
    rows_now = torch.zeros(order.batch_size, dtype=torch.long, device=store)
    course_step = lambda decay: train_step(x_all.index_select(0, rows_now).to(dev),
                                           y_all.index_select(0, rows_now).to(dev), decay)
    run = speed.replay(course_step, speed.decay_tensor())

    def step(index, ema_decay):
        rows_now.copy_(order.rows(index))
        return run(ema_decay)

    return step


def _tutorial_steps(train_step, dev, images, labels, config):
    """step(step, ema_decay) of the blog-post loop: host-side batches from a DataLoader."""
    batches = _tutorial_batches(images, labels, config.batch_size, config.seed)

    def step(index, ema_decay):
        real, y_real = (t.to(dev) for t in next(batches))
        return train_step(real, y_real, ema_decay)

    return step


def _loop(config, start, step_fn, speed, run_dir, last, save, shown, monitor, progress):
    """Steps start..config.steps with the bookkeeping of course_lib.training; returns (history, images/s)."""
    from tqdm.auto import tqdm

    from course_lib.viz.product import save_sample_grid

    log = StepLog(("d_loss", "g_loss"), monitor, loss=config.loss)
    clock = ThroughputClock(start, config.steps, config.batch_size, speed.sync)
    last_good = str(last) if last else None
    bar = tqdm(range(start, config.steps), desc=f"{config.name} ({speed.device.type})", disable=not progress,
               initial=start, total=config.steps)
    for step in bar:
        clock.tick(step)
        # warm-up: min(decay, (1 + t) / (10 + t)) lets the average forget the first steps
        d_loss, g_loss = step_fn(step, min(config.ema_decay, (1.0 + step) / (10.0 + step)))
        done = step + 1
        # 5. log, guard against NaN, sample, checkpoint
        logged = is_due(done, config.log_every, config.steps)
        if config.tutorial_loop or logged:
            d_value, g_value = float(d_loss.detach()), float(g_loss.detach())  # one device sync
            log.guard((d_value, g_value), _nan_error, done, d_value, g_value, last_good)
            if logged:
                log.record(done, d_value, g_value)
                bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}")
        if is_due(done, config.sample_every, config.steps):
            save_sample_grid(sample_images(shown(), np.repeat(np.arange(10), 8), seed=config.seed), run_dir, done)
        if is_due(done, config.checkpoint_every, config.steps):
            last_good = str(save(done))
            runs.prune_checkpoints(run_dir, config.keep_checkpoints, EXTENSION)
    bar.close()
    return log.history, clock.images_per_second()


def _nan_error(done, d_value, g_value, last_good):
    return NaNLossError(f"Loss stopped being finite at step {done} (D {d_value}, G {g_value}). Last good checkpoint: "
                        f"{last_good or 'none yet'}. Resume from it with a lower learning rate, or turn "
                        "mixed_precision off to check whether fp16 overflow caused it.")
