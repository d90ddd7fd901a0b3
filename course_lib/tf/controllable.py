"""Generator and discriminator conditioned on (class, colour) for coloured 28x28 products: the discriminator
has a projection head or an ACGAN auxiliary head (TensorFlow twin of course_lib/torch/controllable.py).

G(z, y, c): z -> dense 7x7x2w -> CBN(y, c) -> up -> conv w (14x14) -> CBN -> up -> conv w/2 (28x28) -> CBN ->
conv 3 -> tanh; CBN(y, c) is BatchNorm with gain 1 + g_class[y] + g_colour[c] and bias b_class[y] + b_colour[c].
D(x, y, c): h = sum-pooled features of 3 convolutions (spectrally normalised, arXiv 1802.05957);
  projection (Miyato & Koyama 2018, arXiv 1802.05637): score = psi(h) + <e_class[y], h> + <e_colour[c], h>;
  ACGAN (Odena et al. 2017, arXiv 1610.09585): score = psi(h), plus class logits W_y h and colour logits W_c h.
Layout: images are (N, 28, 28, 3) here, (N, 3, 28, 28) in the torch twin; uint8 (N, 28, 28, 3) at the boundary.
Weights travel between the twins as a dict of numpy arrays in one framework-neutral layout (dense kernels
(in, out), conv kernels (kh, kw, in, out)): `generator_weights` / `load_generator_weights`.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from course_lib.errors import InputError
from course_lib.latents import latent_batch
from course_lib.tf.product_gan import _SNLayer

__all__ = ["ControllableDiscriminator", "ControllableGenerator", "generate_images", "generator_weights",
           "load_generator_weights", "sample_images"]

BN_EPS, BN_MOMENTUM = 1e-5, 0.9  # = torch's eps=1e-5, momentum=0.1 (keras counts the other way)
_DCGAN_INIT = keras.initializers.RandomNormal(0.0, 0.02)  # DCGAN initialisation (arXiv 1511.06434)
_BLOCKS = ("bn0", "bn1", "bn2")
_CONVS = ("conv1", "conv2", "conv_out")
_TABLES = ("gain_class", "bias_class", "gain_colour", "bias_colour")


class _JointConditionalBatchNorm(keras.layers.Layer):
    """BN(h) * (1 + g_class[y] + g_colour[c]) + b_class[y] + b_colour[c]; embeddings start at zero."""

    def __init__(self, channels, num_classes, num_colours, **kwargs):
        super().__init__(**kwargs)
        self.bn = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPS, center=False, scale=False)
        rows = {"gain_class": num_classes, "bias_class": num_classes, "gain_colour": num_colours,
                "bias_colour": num_colours}
        for table in _TABLES:
            setattr(self, table, keras.layers.Embedding(rows[table], channels, embeddings_initializer="zeros"))

    def call(self, h, y, c, training=False):
        gain = 1.0 + self.gain_class(y) + self.gain_colour(c)
        bias = self.bias_class(y) + self.bias_colour(c)
        return self.bn(h, training=training) * gain[:, None, None, :] + bias[:, None, None, :]


class ControllableGenerator(keras.Model):
    """G(z, y, c) -> RGB images in [-1, 1] of class y in palette colour c.

    Args:
        latent_dim: size of z. width: channel scale w. num_classes, num_colours: sizes of the two conditions.
    Call: generator(z [N, latent_dim], y int [N], c int [N]) -> (N, 3, 28, 28) in torch, (N, 28, 28, 3) in tf.
    """

    def __init__(self, latent_dim=32, width=32, num_classes=10, num_colours=6):
        super().__init__()
        self.init_args = {"latent_dim": latent_dim, "width": width, "num_classes": num_classes,
                          "num_colours": num_colours}
        self.latent_dim, self.width = latent_dim, width
        self.num_classes, self.num_colours = num_classes, num_colours
        cbn = lambda ch, name: _JointConditionalBatchNorm(ch, num_classes, num_colours, name=name)
        conv = lambda ch: keras.layers.Conv2D(ch, 3, padding="same", kernel_initializer=_DCGAN_INIT)
        self.dense = keras.layers.Dense(7 * 7 * 2 * width, kernel_initializer=_DCGAN_INIT)  # SeFa reads it
        self.bn0, self.conv1, self.bn1 = cbn(2 * width, "bn0"), conv(width), cbn(width, "bn1")
        self.conv2, self.bn2, self.conv_out = conv(width // 2), cbn(width // 2, "bn2"), conv(3)
        self.up = keras.layers.UpSampling2D(2, interpolation="nearest")
        self(tf.zeros((2, latent_dim)), tf.zeros((2,), tf.int64), tf.zeros((2,), tf.int64))  # build the weights

    def call(self, z, y, c, training=False):
        # reshape in torch's channel-major order, then to NHWC, so copied dense weights mean the same thing
        h = tf.transpose(tf.reshape(self.dense(z), (-1, 2 * self.width, 7, 7)), (0, 2, 3, 1))  # (N, 7, 7, 2w)
        h = tf.nn.relu(self.bn0(h, y, c, training=training))
        h = tf.nn.relu(self.bn1(self.conv1(self.up(h)), y, c, training=training))          # (N, 14, 14, w)
        h = tf.nn.relu(self.bn2(self.conv2(self.up(h)), y, c, training=training))          # (N, 28, 28, w/2)
        return tf.tanh(self.conv_out(h))                                                 # (N, 28, 28, 3)


class ControllableDiscriminator(keras.Model):
    """D(x, y, c) -> (scores [N], class_logits [N, K] or None, colour_logits [N, P] or None).

    head="projection": scores = psi(h) + <e_class[y], h> + <e_colour[c], h>, no logits (None, None).
    head="acgan": scores = psi(h) (real/fake only), class_logits = W_y h, colour_logits = W_c h; y, c unused.
    Args:
        width: channel scale w. head: "projection" or "acgan". num_classes, num_colours: condition sizes.
        spectral_norm: normalise every weight by its largest singular value.
    Call: discriminator(x (N, 3, 28, 28) in torch, (N, 28, 28, 3) in tf, y int [N], c int [N]).
    """

    def __init__(self, width=32, head="projection", num_classes=10, num_colours=6, spectral_norm=True):
        super().__init__()
        if head not in ("projection", "acgan"):
            raise InputError(f"head must be 'projection' or 'acgan'; got {head!r}.")
        self.head = head
        self.conv1 = _SNLayer(width // 2, 3, 1, spectral_norm, name="conv1")
        self.conv2 = _SNLayer(width, 4, 2, spectral_norm, name="conv2")          # 28 -> 14
        self.conv3 = _SNLayer(2 * width, 4, 2, spectral_norm, name="conv3")      # 14 -> 7
        self.psi = _SNLayer(1, None, 1, spectral_norm, name="psi")
        if head == "acgan":
            self.class_head = _SNLayer(num_classes, None, 1, spectral_norm, name="class_head")
            self.colour_head = _SNLayer(num_colours, None, 1, spectral_norm, name="colour_head")
        else:
            self.embed_class = _SNLayer(2 * width, None, 1, spectral_norm, embedding_rows=num_classes,
                                        name="embed_class")
            self.embed_colour = _SNLayer(2 * width, None, 1, spectral_norm, embedding_rows=num_colours,
                                         name="embed_colour")
        self(tf.zeros((2, 28, 28, 3)), tf.zeros((2,), tf.int64), tf.zeros((2,), tf.int64))  # build the weights

    def call(self, x, y=None, c=None, training=False):
        h = tf.nn.leaky_relu(self.conv1(x, training=training), 0.2)
        h = tf.nn.leaky_relu(self.conv2(h, training=training), 0.2)
        h = tf.nn.leaky_relu(self.conv3(h, training=training), 0.2)              # (N, 7, 7, 2w)
        h = tf.reduce_sum(h, axis=(1, 2))                                         # (N, 2w) sum pooling
        score = self.psi(h, training=training)[:, 0]
        if self.head == "acgan":
            return score, self.class_head(h, training=training), self.colour_head(h, training=training)
        score = (score + tf.reduce_sum(self.embed_class(y, training=training) * h, axis=1)
                 + tf.reduce_sum(self.embed_colour(c, training=training) * h, axis=1))
        return score, None, None


def _labels(values, n, name, limit):
    values = np.asarray(values)
    if values.shape != (n,) or not np.issubdtype(values.dtype, np.integer):
        raise InputError(f"{name} must be integers of shape [{n}]; got {values.dtype} of shape {values.shape}.")
    if n and (values.min() < 0 or values.max() >= limit):
        raise InputError(f"{name} must lie in [0, {limit}); got values in [{values.min()}, {values.max()}].")
    return values.astype(np.int64)


def generate_images(generator, z, classes, colours, batch_size=500):
    """uint8 RGB images [N, 28, 28, 3] = G(z, y, c), generator in eval mode (BatchNorm's running statistics).

    Args:
        z: float32 [N, latent_dim]. classes: int [N] in [0, K). colours: int [N] palette indices in [0, P).
    """
    z = np.asarray(z, dtype=np.float32)
    if z.ndim != 2 or z.shape[1] != generator.latent_dim:
        raise InputError(f"z must have shape [N, {generator.latent_dim}]; got {z.shape}.")
    classes = _labels(classes, len(z), "classes", generator.num_classes)
    colours = _labels(colours, len(z), "colours", generator.num_colours)
    out = []
    for start in range(0, len(z), batch_size):
        part = slice(start, start + batch_size)
        out.append(generator(z[part], classes[part], colours[part], training=False).numpy())  # (B, 28, 28, 3)
    images = np.concatenate(out) if out else np.zeros((0, 28, 28, 3), np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def sample_images(generator, classes, colours, seed=0, truncation=None):
    """uint8 RGB images [N, 28, 28, 3] for the requested classes and colours, z drawn in numpy from `seed`
    (so both twins see the same latents); truncation: |z_i| <= truncation (arXiv 1809.11096), None for none."""
    z = latent_batch(len(np.asarray(classes)), generator.latent_dim, seed, truncation)
    return generate_images(generator, z, classes, colours)


def generator_weights(generator):
    """The generator's weights as {name: float32 numpy array} in the framework-neutral layout (dense (in, out),
    conv (kh, kw, in, out), BatchNorm running mean and variance, the four condition tables per block)."""
    out = {"dense.kernel": generator.dense.kernel.numpy(), "dense.bias": generator.dense.bias.numpy()}
    for name in _CONVS:
        conv = getattr(generator, name)
        out[f"{name}.kernel"], out[f"{name}.bias"] = conv.kernel.numpy(), conv.bias.numpy()  # HWIO already
    for name in _BLOCKS:
        block = getattr(generator, name)
        out[f"{name}.mean"], out[f"{name}.var"] = block.bn.moving_mean.numpy(), block.bn.moving_variance.numpy()
        for table in _TABLES:
            out[f"{name}.{table}"] = getattr(block, table).embeddings.numpy()
    return {key: np.array(value, dtype=np.float32) for key, value in out.items()}


def load_generator_weights(generator, weights):
    """Copy {name: numpy array} (the layout of `generator_weights`, from either twin) into `generator`."""
    mine = generator_weights(generator)
    if set(weights) != set(mine):
        raise InputError(f"weights must have exactly the keys {sorted(mine)}; missing "
                         f"{sorted(set(mine) - set(weights))}, unexpected {sorted(set(weights) - set(mine))}.")
    for key, value in weights.items():
        if np.shape(value) != mine[key].shape:
            raise InputError(f"weights[{key!r}] must have shape {mine[key].shape} for this generator (latent_dim "
                             f"{generator.latent_dim}, width {generator.width}); got {np.shape(value)}.")
    array = lambda key: np.asarray(weights[key], np.float32)
    generator.dense.kernel.assign(array("dense.kernel")), generator.dense.bias.assign(array("dense.bias"))
    for name in _CONVS:
        conv = getattr(generator, name)
        conv.kernel.assign(array(f"{name}.kernel")), conv.bias.assign(array(f"{name}.bias"))
    for name in _BLOCKS:
        block = getattr(generator, name)
        block.bn.moving_mean.assign(array(f"{name}.mean")), block.bn.moving_variance.assign(array(f"{name}.var"))
        for table in _TABLES:
            getattr(block, table).embeddings.assign(array(f"{name}.{table}"))
    return generator
