"""`train_product_gan(config)`: the product-image GAN's training loop with EMA, mixed precision, compilation,
NaN guard, sample grids and checkpoint/resume (TensorFlow twin of course_lib/torch/product_train.py).

Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from course_lib.product import runs
from course_lib.tf import losses
from course_lib.tf.product_gan import EMA, Discriminator, Generator, diff_augment, sample_images
from course_lib.tf.utils import device as default_device
from course_lib.tf.utils import set_seed

__all__ = ["build_models", "load_checkpoint", "save_checkpoint", "train_product_gan"]


def build_models(config):
    """(generator, discriminator) for `config` (a ProductGANConfig), freshly initialised on the CPU."""
    generator = Generator(config.latent_dim, config.width, config.conditional)
    discriminator = Discriminator(config.width, config.conditional, config.spectral_norm)
    return generator, discriminator


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


def _losses(config):
    if config.loss == "hinge":
        return losses.hinge_discriminator_loss, losses.hinge_generator_loss
    if config.loss in ("non_saturating", "bce"):
        return losses.minimax_discriminator_loss, losses.non_saturating_generator_loss
    raise ValueError(f'config.loss must be "hinge", "non_saturating" or "bce"; got {config.loss!r}.')


def _groups(generator, discriminator, ema, opt_g, opt_d):
    return {"g": generator.weights, "d": discriminator.weights, "ema": ema.model.weights if ema else [],
            "opt_g": opt_g.variables, "opt_d": opt_d.variables}


def save_checkpoint(path, state):
    """Write a checkpoint dict (tensors in torch, numpy arrays in tf) atomically: temporary file, then rename."""
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    return runs.atomic_write_bytes(path, buffer.getvalue())


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

    if config.cuda_graph == "yes":  # the XLA-compiled step already runs as few, large kernels
        raise ValueError('config.cuda_graph is a torch switch: use "auto" or "no" with tf.')
    set_seed(config.seed)
    dev = default_device()
    on_gpu = dev.startswith("/GPU")
    if images is None:
        images, labels = load_fashion_mnist("train")
        if config.limit:
            images, labels = images[:config.limit], labels[:config.limit]
    images, labels = np.ascontiguousarray(images), np.asarray(labels, dtype=np.int64)
    run_dir = Path(run_dir) if run_dir else runs.resolve_run_dir(config)
    runs.save_config(config, run_dir)
    batch, per_epoch = config.batch_size, len(images) // config.batch_size
    if per_epoch == 0:
        raise ValueError(f"{len(images)} images make no batch of {batch}: lower batch_size or raise limit.")

    policy = _amp_policy(config, on_gpu)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy or "float32")  # layers read the policy when created
    try:
        with tf.device(dev):
            generator, discriminator = build_models(config)
            ema = EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)
    make_opt = lambda lr: keras.optimizers.Adam(lr, beta_1=config.beta1, beta_2=config.beta2, epsilon=1e-8)
    opt_g, opt_d = make_opt(config.lr_g), make_opt(config.lr_d)
    scaled = policy == "mixed_float16"
    if scaled:  # fp16: scale the loss so small gradients survive, unscale before the update
        opt_g, opt_d = keras.optimizers.LossScaleOptimizer(opt_g), keras.optimizers.LossScaleOptimizer(opt_d)
    opt_g.build(generator.trainable_variables), opt_d.build(discriminator.trainable_variables)
    d_loss_fn, g_loss_fn = _losses(config)
    start = 0
    last = runs.latest_checkpoint(run_dir, "npz") if resume else None
    if last is not None:
        start = load_checkpoint(last, generator, discriminator, ema, opt_g, opt_d)
    compiled = config.compile == "yes" or (config.compile == "auto" and on_gpu)

    on_device = config.data_on_device == "yes" or (config.data_on_device == "auto" and on_gpu)
    with tf.device(dev if on_device else "/CPU:0"):
        x_all = tf.constant(images.astype(np.float32) / 127.5 - 1.0)[..., None]  # (N, 28, 28, 1)
        y_all = tf.constant(labels)
    def augment(x, augment_seed):
        return diff_augment(x, config.diffaugment, augment_seed) if config.diffaugment else x

    seed = tf.constant(config.seed, tf.int64)

    def objective(optimizer, loss):  # fp16: the scaled loss, computed inside the tape
        return optimizer.scale_loss(loss) if scaled else loss

    def apply(optimizer, tape, scaled_loss, variables):
        grads = tape.gradient(scaled_loss, variables)
        optimizer.apply_gradients(zip(grads, variables))  # unscales fp16 gradients, skips non-finite ones

    def train_step(real, y_real, step):
        # 1. sample z (stateless draws from (seed, step): resuming at step k repeats the same z)
        z = tf.random.stateless_normal([batch, config.latent_dim], tf.stack([seed, 3 * step]))
        y_fake = tf.random.stateless_uniform([batch], tf.stack([seed, 3 * step + 1]), 0, 10, tf.int64)
        # 2. update D
        with tf.GradientTape() as tape:
            fake = tf.stop_gradient(generator(z, y_fake, training=True))
            if config.tutorial_loop:  # the blog-post way: two separate passes through D
                real_scores = discriminator(real, y_real, training=True)
                fake_scores = discriminator(fake, y_fake, training=True)
            else:
                both = tf.concat([augment(real, tf.stack([seed, 5 * step])), augment(fake, tf.stack([seed, 5 * step + 1]))], 0)
                scores = discriminator(both, tf.concat([y_real, y_fake], 0), training=True)
                real_scores, fake_scores = scores[:batch], scores[batch:]
            d_loss = d_loss_fn(real_scores, fake_scores)
            d_objective = objective(opt_d, d_loss)
        apply(opt_d, tape, d_objective, discriminator.trainable_variables)
        # 3. update G
        z = tf.random.stateless_normal([batch, config.latent_dim], tf.stack([seed, 3 * step + 2]))
        with tf.GradientTape() as tape:
            fake_scores = discriminator(augment(generator(z, y_fake, training=True), tf.stack([seed, 5 * step + 2])),
                                        y_fake, training=True)
            g_loss = g_loss_fn(fake_scores)
            g_objective = objective(opt_g, g_loss)
        apply(opt_g, tape, g_objective, generator.trainable_variables)
        # 4. update the EMA of G
        if ema is not None:  # warm-up: min(decay, (1 + t) / (10 + t)) lets the average forget the first steps
            t = tf.cast(step, tf.float32)
            ema.update(generator, tf.minimum(config.ema_decay, (1.0 + t) / (10.0 + t)))
        return d_loss, g_loss

    step_fn = tf.function(train_step, jit_compile=compiled)
    tutorial = None
    if config.tutorial_loop:  # the blog-post data path: a host-side tf.data pipeline
        dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=config.seed)
        dataset = dataset.batch(batch, drop_remainder=True).map(
            lambda x, y: (tf.cast(x, tf.float32)[..., None] / 127.5 - 1.0, y)).repeat()
        tutorial = iter(dataset)

    history = {"step": [], "d_loss": [], "g_loss": []}
    last_good = str(last) if last else None
    bar = tqdm(range(start, config.steps), desc=f"{config.name} ({dev})", disable=not progress,
               initial=start, total=config.steps)
    timed_from, timed_images, t0 = min(start + 10, config.steps - 1), 0, time.perf_counter()
    order = None
    d_loss = g_loss = tf.constant(0.0)
    with tf.device(dev):
        for step in bar:
            if step == timed_from:
                float(d_loss)  # wait for the device
                t0, timed_images = time.perf_counter(), 0
            if tutorial is not None:
                real, y_real = next(tutorial)
            else:
                epoch, index = divmod(step, per_epoch)
                if order is None or index == 0:  # the data order depends only on (seed, epoch): resumable
                    order = np.random.default_rng(config.seed + epoch).permutation(len(images))
                rows = tf.constant(order[index * batch:(index + 1) * batch])
                real, y_real = tf.gather(x_all, rows), tf.gather(y_all, rows)
            d_loss, g_loss = step_fn(real, y_real, tf.constant(step, tf.int64))
            timed_images += batch
            done = step + 1
            # 5. log, guard against NaN, sample, checkpoint
            if tutorial is not None or done % config.log_every == 0 or done == config.steps:
                d_value, g_value = float(d_loss), float(g_loss)  # one device sync
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
                state = {"step": np.array(done)}
                for group, variables in _groups(generator, discriminator, ema, opt_g, opt_d).items():
                    state.update({f"{group}_{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)})
                path = Path(run_dir) / "checkpoints" / f"ckpt_{done:08d}.npz"
                save_checkpoint(path, state)
                last_good = str(path)
                runs.prune_checkpoints(run_dir, config.keep_checkpoints, "npz")
        float(d_loss)
    bar.close()
    elapsed = time.perf_counter() - t0
    return {"generator": generator, "ema_generator": ema.model if ema is not None else generator,
            "discriminator": discriminator, "history": history, "run_dir": run_dir,
            "step": max(start, config.steps),
            "images_per_second": timed_images / elapsed if timed_images and elapsed > 0 else float("nan")}
