"""`train_product_gan(config)`: the product-image GAN's training loop with EMA, mixed precision, compilation,
NaN guard, sample grids and checkpoint/resume (TensorFlow twin of course_lib/torch/product_train.py).

The loop is three numbered steps, as in the toy GAN; the speed levers live in course_lib/tf/speed.py and the
bookkeeping (log, NaN guard, schedule, epoch order, clock) in course_lib/training.py.

Resuming on a GPU differs from an uninterrupted run as much as any two GPU runs of a GAN do: reductions there are
not deterministic, and training amplifies the last-bit differences (measured with the torch twin on an H100:
1e-4 on the losses by step 3, 0.01-0.09 by step 30). On the CPU the two are bit-identical (tested).
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import tensorflow as tf

from course_lib.atomic import write_bytes_atomic
from course_lib.frameworks import checkpoint_extension
from course_lib.product import runs
from course_lib.tf.data import to_model_images
from course_lib.tf.loss_pairs import gan_loss_pair
from course_lib.tf.product_gan import EMA, Discriminator, Generator, diff_augment, sample_images
from course_lib.tf.speed import plan_speed
from course_lib.tf.utils import device as default_device
from course_lib.tf.utils import set_seed
from course_lib.training import EpochOrder, NaNLossError, StepLog, ThroughputClock, is_due

__all__ = ["build_models", "load_checkpoint", "save_checkpoint", "train_product_gan"]

PRODUCT_LOSSES = ("hinge", "non_saturating", "bce")
EXTENSION = checkpoint_extension("tf")


def build_models(config):
    """(generator, discriminator) for `config` (a ProductGANConfig), freshly initialised on the CPU."""
    generator = Generator(config.latent_dim, config.width, config.conditional)
    discriminator = Discriminator(config.width, config.conditional, config.spectral_norm)
    return generator, discriminator


def _groups(generator, discriminator, ema, opt_g, opt_d):
    return {"g": generator.weights, "d": discriminator.weights, "ema": ema.model.weights if ema else [],
            "opt_g": opt_g.variables, "opt_d": opt_d.variables}


def save_checkpoint(path, state):
    """Write a checkpoint dict (tensors in torch, numpy arrays in tf) atomically: temporary file, then rename."""
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    return write_bytes_atomic(path, buffer.getvalue())


def load_checkpoint(path, generator, discriminator, ema=None, opt_g=None, opt_d=None, scaler=None):
    """Restore models, EMA, optimisers, loss scaler and RNG states from `path`; returns the step to resume at."""
    with np.load(path) as saved:
        groups = _groups(generator, discriminator, ema, opt_g, opt_d) if opt_g is not None else {
            "g": generator.weights, "d": discriminator.weights, "ema": ema.model.weights if ema else []}
        for group, variables in groups.items():
            for i, variable in enumerate(variables):
                key = f"{group}_{i:04d}"
                if key not in saved:
                    raise ValueError(f"{path} has no {key}: it was written by a different model or config.")
                variable.assign(saved[key])
        return int(saved["step"])


def _training_data(config, images, labels):
    """uint8 images [N, 28, 28] and int64 labels [N]: the given ones, or Fashion-MNIST's first config.limit."""
    if images is None:
        from course_lib.data import load_fashion_mnist

        images, labels = load_fashion_mnist("train")
        if config.limit:
            images, labels = images[:config.limit], labels[:config.limit]
    return np.ascontiguousarray(images), np.asarray(labels, dtype=np.int64)


def _models_and_optimizers(config, speed):
    """G and D built under the speed plan's scope, the EMA copy of G (None when off), and the Adam of G and of D."""
    with speed.model_scope():
        generator, discriminator = build_models(config)
        ema = EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    betas = (config.beta1, config.beta2)
    opt_g, opt_d = speed.adam(generator.trainable_variables, config.lr_g, betas), speed.adam(
        discriminator.trainable_variables, config.lr_d, betas)
    return generator, discriminator, ema, opt_g, opt_d


def _checkpoint_state(done, generator, discriminator, ema, opt_g, opt_d):
    state = {"step": np.array(done)}
    for group, variables in _groups(generator, discriminator, ema, opt_g, opt_d).items():
        state.update({f"{group}_{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)})
    return state


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
    speed = plan_speed(config, default_device())  # device, AMP policy, XLA (no CUDA graph in tf)
    images, labels = _training_data(config, images, labels)
    order = EpochOrder(len(images), config.batch_size, config.seed)  # data order from (seed, epoch)
    run_dir = Path(run_dir) if run_dir else runs.resolve_run_dir(config)
    runs.save_config(config, run_dir)
    generator, discriminator, ema, opt_g, opt_d = _models_and_optimizers(config, speed)
    last = runs.latest_checkpoint(run_dir, EXTENSION) if resume else None
    start = load_checkpoint(last, generator, discriminator, ema, opt_g, opt_d) if last else 0
    d_loss_fn, g_loss_fn = gan_loss_pair(config.loss, PRODUCT_LOSSES)
    seed, batch, latent_dim = tf.constant(config.seed, tf.int64), config.batch_size, config.latent_dim
    def augment(x, at):  # a def, not a lambda: autograph converts a lambda inside tf.function from its source line
        return diff_augment(x, config.diffaugment, tf.stack([seed, at])) if config.diffaugment else x

    def train_step(real, y_real, step):
        # 1. sample z (stateless draws from (seed, step): resuming at step k repeats the same z)
        z = tf.random.stateless_normal([batch, latent_dim], tf.stack([seed, 3 * step]))
        y_fake = tf.random.stateless_uniform([batch], tf.stack([seed, 3 * step + 1]), 0, 10, tf.int64)
        # 2. update D
        with tf.GradientTape() as tape:
            fake = tf.stop_gradient(generator(z, y_fake, training=True))
            if config.tutorial_loop:  # the blog-post way: two separate passes through D
                real_scores = discriminator(real, y_real, training=True)
                fake_scores = discriminator(fake, y_fake, training=True)
            else:
                both = tf.concat([augment(real, 5 * step), augment(fake, 5 * step + 1)], 0)
                scores = discriminator(both, tf.concat([y_real, y_fake], 0), training=True)
                real_scores, fake_scores = scores[:batch], scores[batch:]
            d_loss = d_loss_fn(real_scores, fake_scores)
            d_objective = speed.scale(opt_d, d_loss)
        speed.update(opt_d, tape, d_objective, discriminator.trainable_variables)
        # 3. update G
        z = tf.random.stateless_normal([batch, latent_dim], tf.stack([seed, 3 * step + 2]))
        with tf.GradientTape() as tape:
            fake_scores = discriminator(augment(generator(z, y_fake, training=True), 5 * step + 2), y_fake,
                                        training=True)
            g_loss = g_loss_fn(fake_scores)
            g_objective = speed.scale(opt_g, g_loss)
        speed.update(opt_g, tape, g_objective, generator.trainable_variables)
        # 4. update the EMA of G
        if ema is not None:  # warm-up: min(decay, (1 + t) / (10 + t)) lets the average forget the first steps
            t = tf.cast(step, tf.float32)
            ema.update(generator, tf.minimum(config.ema_decay, (1.0 + t) / (10.0 + t)))
        return d_loss, g_loss

    compiled_step = speed.compile(train_step)
    batches = (_tutorial_batches(images, labels, config) if config.tutorial_loop
               else _course_batches(speed, order, images, labels))
    run_step = lambda step: compiled_step(*batches(step), tf.constant(step, tf.int64))  # in the device scope below
    save = lambda done: save_checkpoint(run_dir / "checkpoints" / f"ckpt_{done:08d}.{EXTENSION}", _checkpoint_state(
        done, generator, discriminator, ema, opt_g, opt_d))
    shown = lambda: ema.model if ema is not None else generator
    with tf.device(speed.device):
        history, images_per_second = _loop(config, start, run_step, speed, run_dir, last, save, shown, monitor,
                                           progress)
    return {"generator": generator, "ema_generator": shown(), "discriminator": discriminator, "history": history,
            "run_dir": run_dir, "step": max(start, config.steps), "images_per_second": images_per_second,
            "cuda_graph": speed.graph_used()}


def _course_batches(speed, order, images, labels):
    """batch(step) of the course loop: rows gathered from the data set held on speed.data_device."""
    x_all = to_model_images(images, speed.data_device)  # (N, 28, 28, 1)
    with tf.device(speed.data_device):
        y_all = tf.constant(labels)

    def batch(step):
        rows = tf.constant(order.rows(step))
        return tf.gather(x_all, rows), tf.gather(y_all, rows)

    return batch


def _tutorial_batches(images, labels, config):
    """batch(step) of the blog-post loop: a host-side tf.data pipeline."""
    x = to_model_images(images).numpy()  # (N, 28, 28, 1)
    dataset = tf.data.Dataset.from_tensor_slices((x, labels)).shuffle(len(images), seed=config.seed)
    batches = iter(dataset.batch(config.batch_size, drop_remainder=True).repeat())
    return lambda step: next(batches)


def _loop(config, start, step_fn, speed, run_dir, last, save, shown, monitor, progress):
    """Steps start..config.steps with the bookkeeping of course_lib.training; returns (history, images/s)."""
    from tqdm.auto import tqdm

    from course_lib.viz.product import save_sample_grid

    log = StepLog(("d_loss", "g_loss"), monitor, loss=config.loss)
    losses = [tf.constant(0.0), tf.constant(0.0)]
    clock = ThroughputClock(start, config.steps, config.batch_size, lambda: float(losses[0]))  # waits for the device
    last_good = str(last) if last else None
    bar = tqdm(range(start, config.steps), desc=f"{config.name} ({speed.device})", disable=not progress,
               initial=start, total=config.steps)
    for step in bar:
        clock.tick(step)
        losses[:] = step_fn(step)
        done = step + 1
        # 5. log, guard against NaN, sample, checkpoint
        logged = is_due(done, config.log_every, config.steps)
        if config.tutorial_loop or logged:
            d_value, g_value = float(losses[0]), float(losses[1])  # one device sync
            log.guard((d_value, g_value), _nan_error, done, d_value, g_value, last_good)
            if logged:
                log.record(done, d_value, g_value)
                bar.set_postfix(d_loss=f"{d_value:.3f}", g_loss=f"{g_value:.3f}")
        if is_due(done, config.sample_every, config.steps):
            save_sample_grid(sample_images(shown(), np.repeat(np.arange(10), 8), seed=config.seed), run_dir, done)
        if is_due(done, config.checkpoint_every, config.steps):
            last_good = str(save(done))
            runs.prune_checkpoints(run_dir, config.keep_checkpoints, EXTENSION)
    images_per_second = clock.images_per_second()
    bar.close()
    return log.history, images_per_second


def _nan_error(done, d_value, g_value, last_good):
    return NaNLossError(f"Loss stopped being finite at step {done} (D {d_value}, G {g_value}). Last good checkpoint: "
                        f"{last_good or 'none yet'}. Resume from it with a lower learning rate, or turn "
                        "mixed_precision off to check whether fp16 overflow caused it.")
