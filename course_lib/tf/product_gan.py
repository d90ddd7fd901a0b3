"""Class-conditional DCGAN-style generator and projection discriminator for 28x28 product images, the EMA of
the generator, DiffAugment and sampling (TensorFlow twin of course_lib/torch/product_gan.py).

G(z, y): z -> dense 7x7x2w -> CBN(y) -> up -> conv w (14x14) -> CBN(y) -> up -> conv w/2 (28x28) -> CBN(y) ->
conv 1 -> tanh, where CBN(y) is BatchNorm with a per-class gain and bias (conditional BatchNorm).
D(x, y) = psi(h) + <embed(y), h>, h = sum-pooled features of 3 convolutions (projection discriminator,
Miyato & Koyama 2018, arXiv 1802.05637), with spectral normalisation of every weight (arXiv 1802.05957).
Layout: images are (N, 28, 28, 1) here, (N, 1, 28, 28) in the torch twin.
Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from course_lib import validation as check
from course_lib.latents import latent_batch
from course_lib.tf.data import to_uint8_images

__all__ = ["Discriminator", "EMA", "Generator", "count_parameters", "diff_augment", "generate_images", "sample_images"]

NUM_CLASSES = 10
BN_EPS, BN_MOMENTUM = 1e-5, 0.9  # = torch's eps=1e-5, momentum=0.1 (keras counts the other way)
_DCGAN_INIT = keras.initializers.RandomNormal(0.0, 0.02)  # DCGAN initialisation (arXiv 1511.06434)


def _normalize(v, eps=1e-12):
    return v / tf.maximum(tf.norm(v), eps)  # = torch.nn.functional.normalize(v, dim=0, eps=1e-12)


def _initial_singular_vectors(w, rows, cols, iterations=15):
    """u, v after torch's 15 power iterations at creation, from normal starts drawn with seed 0 (float32 numpy).

    The same arithmetic as `_SNLayer._power_iteration`, on the host: 15 eager rounds cost about 0.6 s per layer.
    """
    rng = np.random.default_rng(0)
    normalise = lambda x: (x / max(np.linalg.norm(x), np.float32(1e-12))).astype(np.float32)
    u = normalise(rng.standard_normal(rows).astype(np.float32))
    v = normalise(rng.standard_normal(cols).astype(np.float32))
    for _ in range(iterations):
        u = normalise(w @ v)
        v = normalise(w.T @ u)
    return u, v


class _SNLayer(keras.layers.Layer):
    """A conv (kernel k, stride s, padding 1) or dense layer whose weight is divided by its largest singular value.

    Written out instead of keras.layers.SpectralNormalization, which overwrites the kernel with W / sigma in
    place (gradients then skip sigma); this matches torch.nn.utils.parametrizations.spectral_norm: one power
    iteration per training call on the weight reshaped to (out, -1) in torch's order, u and v kept constant in
    the gradient, sigma = u^T W v, and the stored u, v used unchanged at inference.
    """

    def __init__(self, units, kernel_size=None, strides=1, spectral_norm=True, embedding_rows=0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.kernel_size, self.strides, self.spectral_norm = units, kernel_size, strides, spectral_norm
        self.embedding_rows = embedding_rows  # > 0: a class embedding (rows, units), looked up by integer labels

    def build(self, input_shape):
        fan_in = self.embedding_rows or int(input_shape[-1])
        shape = (self.kernel_size, self.kernel_size, fan_in, self.units) if self.kernel_size else (fan_in, self.units)
        self.kernel = self.add_weight(name="kernel", shape=shape, initializer=_DCGAN_INIT)
        self.bias = None if self.embedding_rows else self.add_weight(name="bias", shape=(self.units,),
                                                                     initializer="zeros")
        if self.spectral_norm:
            rows = self.embedding_rows or self.units  # torch normalises an embedding's (rows, dim) matrix as is
            cols = int(np.prod(shape)) // rows
            with tf.init_scope():  # eager, also when Keras builds the layer while tracing
                u, v = _initial_singular_vectors(self._matrix().numpy(), rows, cols)
            self.u = self.add_weight(name="u", shape=(rows,), trainable=False,
                                     initializer=keras.initializers.Constant(u))
            self.v = self.add_weight(name="v", shape=(cols,), trainable=False,
                                     initializer=keras.initializers.Constant(v))

    def _matrix(self):
        w = tf.cast(tf.convert_to_tensor(self.kernel.value), tf.float32)
        if self.kernel_size:  # (kh, kw, in, out) -> (out, in, kh, kw) -> (out, in*kh*kw): torch's order
            return tf.reshape(tf.transpose(w, (3, 2, 0, 1)), (self.units, -1))
        if self.embedding_rows:
            return w  # (classes, dim), as torch's nn.Embedding.weight
        return tf.transpose(w)  # (in, out) -> (out, in)

    def _power_iteration(self):
        w = tf.stop_gradient(self._matrix())
        u = _normalize(tf.linalg.matvec(w, tf.cast(self.v, tf.float32)))
        v = _normalize(tf.linalg.matvec(w, u, transpose_a=True))
        self.u.assign(u), self.v.assign(v)

    def call(self, x, training=False):
        kernel = tf.cast(tf.convert_to_tensor(self.kernel.value), tf.float32)
        if self.spectral_norm:
            if training:
                self._power_iteration()
            u, v = tf.stop_gradient(tf.cast(self.u, tf.float32)), tf.stop_gradient(tf.cast(self.v, tf.float32))
            sigma = tf.tensordot(u, tf.linalg.matvec(self._matrix(), v), 1)
            kernel = kernel / sigma
        if self.embedding_rows:
            return tf.gather(kernel, tf.cast(x, tf.int32))  # (N, dim) float32
        kernel = tf.cast(kernel, x.dtype)
        if self.kernel_size:
            y = tf.nn.conv2d(x, kernel, self.strides, padding=[[0, 0], [1, 1], [1, 1], [0, 0]])
        else:
            y = tf.matmul(x, kernel)
        return tf.nn.bias_add(y, tf.cast(self.bias.value, x.dtype))


class _ConditionalBatchNorm(keras.layers.Layer):
    """BatchNorm whose gain and bias depend on the class: BN(h) * (1 + gain[y]) + bias[y] (arXiv 1707.00683).

    Unconditional: a plain BatchNorm with one learned gain and bias per channel.
    """

    def __init__(self, channels, num_classes, conditional, **kwargs):
        super().__init__(**kwargs)
        self.conditional = conditional
        self.bn = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPS, center=not conditional,
                                                  scale=not conditional)
        if conditional:  # zero-initialised: training starts from plain BatchNorm
            self.gain = keras.layers.Embedding(num_classes, channels, embeddings_initializer="zeros")
            self.bias = keras.layers.Embedding(num_classes, channels, embeddings_initializer="zeros")

    def call(self, h, y=None, training=False):
        h = self.bn(h, training=training)
        if self.conditional:
            gain, bias = tf.cast(self.gain(y), h.dtype), tf.cast(self.bias(y), h.dtype)
            h = h * (1.0 + gain[:, None, None, :]) + bias[:, None, None, :]
        return h


class Generator(keras.Model):
    """G(z, y) -> images in [-1, 1]; y is ignored when conditional=False.

    The class enters through conditional BatchNorm (a per-class gain and bias after each normalisation, as in
    the projection-discriminator GANs, arXiv 1802.05637). Concatenating a class embedding to z instead made G
    ignore z: one picture per class (measured, see notebooks/04_product_image_project.ipynb).
    Args:
        latent_dim: size of z. width: channel scale w. conditional: class-conditional BatchNorm.
    Call: generator(z [N, latent_dim], y int [N]) -> images (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf.
    """

    def __init__(self, latent_dim=64, width=64, conditional=True, num_classes=NUM_CLASSES):
        super().__init__()
        self.init_args = dict(latent_dim=latent_dim, width=width, conditional=conditional, num_classes=num_classes)
        self.latent_dim, self.width, self.conditional = latent_dim, width, conditional
        cbn = lambda c, name: _ConditionalBatchNorm(c, num_classes, conditional, name=name)
        conv = lambda c: keras.layers.Conv2D(c, 3, padding="same", kernel_initializer=_DCGAN_INIT)
        self.dense = keras.layers.Dense(7 * 7 * 2 * width, kernel_initializer=_DCGAN_INIT)
        self.bn0, self.conv1, self.bn1 = cbn(2 * width, "bn0"), conv(width), cbn(width, "bn1")
        self.conv2, self.bn2, self.conv_out = conv(width // 2), cbn(width // 2, "bn2"), conv(1)
        self.up = keras.layers.UpSampling2D(2, interpolation="nearest")
        self(tf.zeros((2, latent_dim)), tf.zeros((2,), tf.int64))  # build the weights now

    def __call__(self, z, y=None, training=False, **kwargs):
        # labels are checked here, before Keras wraps the call; an eager call only (a traced step holds no values)
        if self.conditional and y is not None and tf.executing_eagerly():
            check.check_labels(np.asarray(y), "y", NUM_CLASSES)
        return super().__call__(z, y, training=training, **kwargs)

    def call(self, z, y=None, training=False):
        # reshape in torch's channel-major order, then to NHWC, so copied dense weights mean the same thing
        h = tf.transpose(tf.reshape(self.dense(z), (-1, 2 * self.width, 7, 7)), (0, 2, 3, 1))  # (N, 7, 7, 2w)
        h = tf.nn.relu(self.bn0(h, y, training=training))
        h = tf.nn.relu(self.bn1(self.conv1(self.up(h)), y, training=training))            # (N, 14, 14, w)
        h = tf.nn.relu(self.bn2(self.conv2(self.up(h)), y, training=training))            # (N, 28, 28, w/2)
        return tf.tanh(tf.cast(self.conv_out(h), tf.float32))                            # (N, 28, 28, 1), float32

    def forward(self, z, y=None):
        """torch's name: the generator in inference mode."""
        return self(z, y, training=False)


class Discriminator(keras.Model):
    """D(x, y) -> scores [N]: psi(h) + <embed(y), h> (projection, arXiv 1802.05637); psi(h) when unconditional.

    Args:
        width: channel scale w. conditional: add the projection term. spectral_norm: normalise every weight.
    Call: discriminator(x (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf, y int [N]) -> [N] scores
    (logits for the BCE loss).
    """

    def __init__(self, width=64, conditional=True, spectral_norm=True, num_classes=NUM_CLASSES):
        super().__init__()
        self.conditional = conditional
        self.conv1 = _SNLayer(width // 2, 3, 1, spectral_norm, name="conv1")
        self.conv2 = _SNLayer(width, 4, 2, spectral_norm, name="conv2")          # 28 -> 14
        self.conv3 = _SNLayer(2 * width, 4, 2, spectral_norm, name="conv3")      # 14 -> 7
        self.psi = _SNLayer(1, None, 1, spectral_norm, name="psi")
        # the class embedding of the projection term is spectrally normalised too, as in the paper
        self.embed = (_SNLayer(2 * width, None, 1, spectral_norm, embedding_rows=num_classes, name="embed")
                      if conditional else None)
        self(tf.zeros((2, 28, 28, 1)), tf.zeros((2,), tf.int64))  # build the weights now

    def call(self, x, y=None, training=False):
        h = tf.nn.leaky_relu(self.conv1(x, training=training), 0.2)
        h = tf.nn.leaky_relu(self.conv2(h, training=training), 0.2)
        h = tf.nn.leaky_relu(self.conv3(h, training=training), 0.2)              # (N, 7, 7, 2w)
        h = tf.reduce_sum(tf.cast(h, tf.float32), axis=(1, 2))                    # (N, 2w) sum pooling
        score = tf.cast(self.psi(h, training=training), tf.float32)[:, 0]
        if self.conditional:
            score = score + tf.reduce_sum(self.embed(y, training=training) * h, axis=1)  # <embed(y), h>
        return score

    def forward(self, x, y=None):
        """torch's name: the discriminator in inference mode."""
        return self(x, y, training=False)


class EMA:
    """Exponential moving average of a generator: theta_ema <- decay * theta_ema + (1 - decay) * theta.

    (Yazıcı et al. 2018, arXiv 1806.04498.) `ema.model` is the averaged copy (eval mode, no gradients);
    BatchNorm running statistics are averaged the same way.
    """

    def __init__(self, model, decay=0.999):
        self.decay = float(decay)
        self.model = model.__class__(**model.init_args)
        self.model.trainable = False
        for target, source in zip(self.model.weights, model.weights):
            target.assign(source)

    def update(self, model, decay=None):
        """One EMA step towards `model`'s current weights, with `decay` (default: the one given at creation)."""
        decay = tf.cast(self.decay if decay is None else decay, tf.float32)
        for target, source in zip(self.model.weights, model.weights):
            if tf.as_dtype(source.dtype).is_floating:
                target.assign(decay * target + (1.0 - decay) * source)
            else:
                target.assign(source)


def diff_augment(x, policy="translation,cutout", seed=None):
    """Differentiable augmentation applied to real and fake images alike (Zhao et al. 2020, arXiv 2006.10738).

    Args:
        x: images (N, 1, H, W) in torch, (N, H, W, 1) in tf, in [-1, 1].
        policy: comma list of "brightness", "translation", "cutout".
        seed: None (the framework's global generator), or an int (torch) / int pair (tf, stateless) for a
            reproducible draw.
    Returns:
        Augmented images, same shape; gradients flow through.
    """
    if not policy:
        return x
    shape = tf.shape(x)
    n, h, w = shape[0], x.shape[1], x.shape[2]
    calls = [0]

    def rand(dims):
        calls[0] += 1
        if seed is None:
            return tf.random.uniform(dims)
        base = tf.cast(tf.reshape(seed, [-1]), tf.int64)
        pair = tf.stack([base[0], base[-1] * 7 + calls[0]]) if base.shape[0] else tf.constant([0, 0], tf.int64)
        return tf.random.stateless_uniform(dims, seed=pair)

    for name in policy.split(","):
        name = name.strip()
        if name == "brightness":
            x = x + tf.cast(rand([n, 1, 1, 1]) - 0.5, x.dtype)
        elif name == "translation":  # shift by up to 1/8 of the size, filling with background (-1)
            s = max(1, h // 8)
            shift = tf.cast(rand([n, 2]) * (2 * s + 1), tf.int32) - s                 # [N, 2] in [-s, s]
            padded = tf.pad(x, [[0, 0], [s, s], [s, s], [0, 0]], constant_values=-1.0)
            rows = tf.range(h)[None, :] + s - shift[:, :1]                            # [N, H]
            cols = tf.range(w)[None, :] + s - shift[:, 1:]                            # [N, W]
            batch = tf.broadcast_to(tf.range(n)[:, None, None], tf.stack([n, h, w]))
            index = tf.stack([batch, tf.broadcast_to(rows[:, :, None], tf.stack([n, h, w])),
                              tf.broadcast_to(cols[:, None, :], tf.stack([n, h, w]))], axis=-1)
            x = tf.gather_nd(padded, index)
        elif name == "cutout":  # blank a random square of half the size
            size = h // 2
            centre = tf.cast(rand([n, 2]) * tf.constant([h, w], tf.float32), tf.int32)
            yy, xx = tf.range(h)[None, :, None], tf.range(w)[None, None, :]
            inside = (tf.abs(yy - centre[:, :1, None]) < size // 2) & (tf.abs(xx - centre[:, 1:, None]) < size // 2)
            x = tf.where(inside[..., None], tf.constant(-1.0, x.dtype), x)
        elif name:
            raise ValueError(f"Unknown DiffAugment policy {name!r}: use brightness, translation, cutout.")
    return x


def count_parameters(model):
    """Number of trainable weights of a model."""
    return int(sum(int(np.prod(v.shape)) for v in model.trainable_weights))


def generate_images(generator, z, labels, batch_size=500):
    """uint8 images [N, 28, 28] = G(z, y) for latents z float32 [N, latent_dim] and classes labels int [N].

    The generator runs in eval mode (BatchNorm uses its running statistics).
    """
    z, labels = check.check_latents_and_labels(z, labels, generator.latent_dim, NUM_CLASSES)
    out = []
    for start in range(0, len(labels), batch_size):
        images = generator(tf.constant(z[start:start + batch_size]), tf.constant(labels[start:start + batch_size]),
                           training=False)
        out.append(np.asarray(tf.cast(images, tf.float32))[..., 0])
    images = np.concatenate(out) if out else np.zeros((0, 28, 28), np.float32)
    return to_uint8_images(images)  # [-1, 1] -> uint8 [N, 28, 28], in data.py with its inverse


def sample_images(generator, labels, seed=0, truncation=None, batch_size=500):
    """uint8 images [N, 28, 28] from `generator` for class `labels` [N], with z drawn in numpy from `seed`.

    z ~ N(0, I), or a truncated normal with |z_i| <= truncation (the truncation trick, arXiv 1809.11096);
    numpy draws z so both twins see the same latents for the same seed. The generator runs in eval mode.
    """
    labels = np.asarray(labels, dtype=np.int64)
    z = latent_batch(len(labels), generator.latent_dim, seed, truncation)
    return generate_images(generator, z, labels, batch_size)
