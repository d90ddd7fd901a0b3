"""Training and evaluating VAEs in TensorFlow (twin of course_lib/torch/vae_train.py).

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import os

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from course_lib.config import VAEConfig
from course_lib.reference.vae import kl_warmup_weight
from course_lib.tf import vae
from course_lib.tf.vae_models import LinearVAE, build_vae, load_vae, save_vae, vae_input
from course_lib.training import StepLog, shuffled_epochs

__all__ = ["evaluate_elbo", "train_linear_vae", "train_or_load_vae", "train_vae"]

HISTORY_KEYS = ("step", "loss", "elbo", "reconstruction", "kl", "beta")


def _non_finite(loss_value, step, epoch):
    return FloatingPointError(
        f"VAE training produced a non-finite loss ({loss_value}) at step {step} (epoch {epoch}). "
        "Lower learning_rate, check that inputs are in [0, 1] for the Bernoulli likelihood, "
        "or add a KL warm-up (warmup_steps)."
    )


def train_vae(config: VAEConfig, images=None, model=None, progress=True):
    """Maximise the (beta-weighted) ELBO with Adam: loss = -mean_n [log p(x_n|z_n) - beta_t KL_n].

    Kingma & Welling 2013 (arXiv 1312.6114); KL warm-up beta_t = beta min(1, step / warmup_steps).

    Args:
        config: a VAEConfig (architecture "mlp" or "conv").
        images: uint8 [N, 28, 28]; None loads Fashion-MNIST's training split (first config.train_limit).
        model: a model to keep training; None builds one from config.
        progress: show a tqdm progress bar.
    Returns:
        (model, history) with history a dict of lists (HISTORY_KEYS), one entry per step, nats per image.
    Raises:
        FloatingPointError: naming the step, when the loss becomes NaN or infinite.
    Used in: notebooks/03_vae_elbo.ipynb
    """
    if images is None:
        from course_lib.data import load_fashion_mnist

        images = load_fashion_mnist("train")[0]
        if config.train_limit:
            images = images[:config.train_limit]
    keras.utils.set_random_seed(config.seed)
    model = model if model is not None else build_vae(config)
    pixels = vae_input(images, binarize=config.binarize == "static", seed=config.seed)  # (N, 28, 28, 1)
    n, batch_size = int(pixels.shape[0]), min(config.batch_size, int(pixels.shape[0]))
    steps_per_epoch = n // batch_size
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate)
    generator = tf.random.Generator.from_seed(config.seed)
    dynamic = config.binarize == "dynamic"

    @tf.function
    def train_step(batch, beta_t):
        # 1. binarise the batch (dynamic binarisation: a fresh x ~ Bernoulli(pixel) every time)
        x = tf.cast(generator.uniform(tf.shape(batch)) < batch, batch.dtype) if dynamic else batch
        with tf.GradientTape() as tape:
            # 2. encode, sample z = mu + sigma eps, decode
            out = model.forward(x)
            # 3. loss = -(reconstruction - beta_t KL), mean over the batch; update
            terms = vae.elbo(x, out["decoded"], out["mu"], out["logvar"], beta=beta_t,
                             likelihood=model.likelihood, decoder_logvar=model.decoder_logvar)
            loss = -tf.reduce_mean(terms["elbo"])
        gradients = tape.gradient(loss, model.trainable_variables)
        finite = tf.math.is_finite(loss)
        used = [(g, v) for g, v in zip(gradients, model.trainable_variables) if g is not None]
        if finite:  # the NaN guard: never apply a non-finite update
            optimizer.apply_gradients(used)  # (decoder_logvar has no gradient under the Bernoulli likelihood)
        return (loss, tf.reduce_mean(terms["reconstruction"] - terms["kl"]),
                tf.reduce_mean(terms["reconstruction"]), tf.reduce_mean(terms["kl"]))

    log = StepLog(HISTORY_KEYS[1:])
    history = log.history
    step = 0
    with tqdm(total=config.epochs * steps_per_epoch, disable=not progress, desc="VAE", leave=False) as bar:
        for epoch, order in zip(range(config.epochs), shuffled_epochs(n, config.seed)):
            for index in range(steps_per_epoch):
                batch = tf.gather(pixels, order[index * batch_size:(index + 1) * batch_size])
                beta_t = kl_warmup_weight(step, config.beta, config.warmup_steps)
                loss, elbo, reconstruction, kl = train_step(batch, tf.constant(beta_t, tf.float32))
                log.guard((float(loss),), _non_finite, float(loss), step, epoch)
                log.append(step, float(loss), float(elbo), float(reconstruction), float(kl), beta_t)
                step += 1
                bar.update(1)
                if step % 50 == 0:
                    bar.set_postfix(elbo=f"{history['elbo'][-1]:.1f}", kl=f"{history['kl'][-1]:.1f}")
    return model, history


def evaluate_elbo(model, x, batch_size=500, seed=0) -> dict:
    """One-sample ELBO on fixed inputs x (model layout), per example: {"elbo", "reconstruction", "kl"} [N],
    "kl_per_dim" [N, d] and "mu" [N, d], all numpy float64.

    Used in: notebooks/03_vae_elbo.ipynb
    """
    x = tf.convert_to_tensor(np.asarray(x)) if not isinstance(x, tf.Tensor) else x
    parts = {key: [] for key in ("elbo", "reconstruction", "kl", "kl_per_dim", "mu")}
    for start in range(0, int(x.shape[0]), batch_size):
        xb = x[start:start + batch_size]
        mu, logvar = model.encode(xb)
        z = vae.reparameterize(mu, logvar, seed=seed + start)
        terms = vae.elbo(xb, model.decode(z), mu, logvar, likelihood=model.likelihood,
                         decoder_logvar=model.decoder_logvar)
        terms.update(kl_per_dim=vae.gaussian_kl_per_dim(mu, logvar), mu=mu)
        for key in parts:
            parts[key].append(terms[key].numpy().astype(np.float64))
    return {key: np.concatenate(value) for key, value in parts.items()}


def train_linear_vae(x, latent_dim, steps=3000, learning_rate=0.02, seed=0, progress=False):
    """Fit a LinearVAE to vectors x [N, d] by full-batch Adam on its closed-form ELBO (no sampling noise).

    Lucas et al. 2019 (arXiv 1911.02469): at the optimum the ELBO equals the pPCA log-likelihood.
    The learning rate decays by 10x over the last half of the steps.

    Args:
        x: numpy [N, d]; latent_dim: q; steps: Adam steps; learning_rate: Adam's; seed: initial weights.
    Returns:
        (model, history) with history {"step": [...], "elbo": [...]} (mean ELBO per point, nats).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    keras.utils.set_random_seed(seed)
    x = tf.constant(np.asarray(x, np.float64))
    model = LinearVAE(int(x.shape[1]), latent_dim, dtype="float64")
    model.config = VAEConfig(architecture="linear", latent_dim=latent_dim, likelihood="gaussian", seed=seed)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)

    @tf.function
    def step_fn():
        with tf.GradientTape() as tape:
            # 1. closed-form ELBO of the whole data set
            elbo = tf.reduce_mean(model.analytic_elbo(x))
            loss = -elbo  # inside the tape: an op outside it would get no gradient
        # 2. update
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return elbo

    log = StepLog(("elbo",))
    history = log.history
    for step in tqdm(range(steps), disable=not progress, desc="linear VAE", leave=False):
        # constant, then a geometric decay to lr / 10
        optimizer.learning_rate.assign(learning_rate * 0.1 ** max(0.0, 2.0 * step / steps - 1.0))
        elbo = float(step_fn())
        log.guard((elbo,), _non_finite, elbo, step, 0)
        log.append(step, elbo)
    return model, history


def train_or_load_vae(config: VAEConfig, path, images=None, progress=True):
    """The VAE saved at `path` (.npz from save_vae, either twin) when it exists with the same config; otherwise
    train one with train_vae and save it there (atomic). For reuse, e.g. as a baseline in notebook 04.

    Args:
        config: the VAEConfig to train (and to match against the saved one).
        path: the .npz file.
        images: uint8 [N, 28, 28] training images; None uses Fashion-MNIST's training split.
        progress: show a progress bar while training.
    Returns:
        The model (call sample_images(model, n, seed) for uint8 samples).
    Used in: notebooks/03_vae_elbo.ipynb
    """
    if os.path.exists(path):
        model = load_vae(path)
        if model.config == config:
            return model
    model, _ = train_vae(config, images=images, progress=progress)
    save_vae(model, path)
    return model
