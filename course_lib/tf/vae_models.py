"""VAE models in TensorFlow (twin of course_lib/torch/vae_models.py): MLP, convolutional and linear Gaussian.

Models take pixel intensities in [0, 1] (binarised for the Bernoulli likelihood), layout (N, 1, 28, 28) in
torch, (N, 28, 28, 1) in tf; the linear VAE takes vectors [N, d]. Each model has
`encode(x) -> (mu, logvar)`, `decode(z) -> decoded` (logits for "bernoulli", means for "gaussian"),
`log_likelihood(x, decoded) -> [N]` and `forward(x, eps=None) -> {"decoded", "mu", "logvar", "z"}`.
Weights travel between the twins as a dict of numpy arrays in one layout (torch's: dense (out, in),
conv (out, in, kh, kw), transposed conv (in, out, kh, kw), flattened features in C, H, W order).

Used in: notebooks/03_vae_elbo.ipynb
"""

from __future__ import annotations

import io
import json

import keras
import numpy as np
import tensorflow as tf

from course_lib import validation as check
from course_lib.atomic import write_bytes_atomic
from course_lib.config import VAEConfig
from course_lib.tf import vae

__all__ = [
    "ConvVAE",
    "LinearVAE",
    "MLPVAE",
    "build_vae",
    "decode_latents",
    "encode_images",
    "get_weights",
    "load_vae",
    "sample_images",
    "save_vae",
    "set_weights",
    "vae_input",
]

IMAGE_SHAPE = (28, 28, 1)  # (H, W, C); torch: (C, H, W)


class _VAEBase(keras.Model):
    """Shared by the three models: the likelihood, the forward pass and the reparameterised sample."""

    likelihood = "bernoulli"

    def log_likelihood(self, x, decoded):
        if self.likelihood == "bernoulli":
            return vae.bernoulli_log_likelihood(x, decoded)
        return vae.gaussian_log_likelihood(x, decoded, self.decoder_logvar)

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x)
        z = vae.reparameterize(mu, logvar, eps=eps)
        return {"decoded": self.decode(z), "mu": mu, "logvar": logvar, "z": z}

    def call(self, x, eps=None):
        return self.forward(x, eps)

    def _scalar(self, name, shape=()):
        return self.add_weight(name=name, shape=shape, initializer="zeros", dtype=self._dtype_name)

    # Each entry: shared-layout name -> (variable, how to convert from the torch layout)
    def _weight_map(self):
        raise NotImplementedError


class MLPVAE(_VAEBase):
    """x -> dense(hidden) ReLU -> dense(2 latent) | z -> dense(hidden) ReLU -> dense(pixels) (arXiv 1312.6114)."""

    def __init__(self, latent_dim=16, hidden_dim=512, likelihood="bernoulli"):
        super().__init__()
        pixels = int(np.prod(IMAGE_SHAPE))
        self._dtype_name = "float32"
        self.latent_dim, self.likelihood = latent_dim, likelihood
        self.enc1, self.enc2 = keras.layers.Dense(hidden_dim), keras.layers.Dense(2 * latent_dim)
        self.dec1, self.dec2 = keras.layers.Dense(hidden_dim), keras.layers.Dense(pixels)
        self.enc1.build((None, pixels)), self.enc2.build((None, hidden_dim))
        self.dec1.build((None, latent_dim)), self.dec2.build((None, hidden_dim))
        self.decoder_logvar = self._scalar("decoder_logvar")  # used by the "gaussian" likelihood only

    def encode(self, x):
        h = tf.nn.relu(self.enc1(tf.reshape(x, [tf.shape(x)[0], -1])))  # (N, 28, 28, 1) -> (N, 784)
        mu, logvar = tf.split(self.enc2(h), 2, axis=-1)
        return mu, logvar

    def decode(self, z):
        return tf.reshape(self.dec2(tf.nn.relu(self.dec1(z))), (-1, *IMAGE_SHAPE))  # (N, 28, 28, 1)

    def _weight_map(self):
        return {**_dense("enc1", self.enc1), **_dense("enc2", self.enc2), **_dense("dec1", self.dec1),
                **_dense("dec2", self.dec2), "decoder_logvar": (self.decoder_logvar, _same)}


class ConvVAE(_VAEBase):
    """Two stride-2 convolutions (32, 64 channels, 4x4) -> dense(2 latent); the decoder mirrors them."""

    def __init__(self, latent_dim=16, channels=32, likelihood="bernoulli"):
        super().__init__()
        self._dtype_name = "float32"
        self.latent_dim, self.likelihood, self.channels = latent_dim, likelihood, channels
        c1, c2 = channels, 2 * channels
        # "same" padding with stride 2 and a 4x4 kernel pads 1 on each side, like torch's padding=1
        self.enc_conv1 = keras.layers.Conv2D(c1, 4, strides=2, padding="same")   # 28 -> 14
        self.enc_conv2 = keras.layers.Conv2D(c2, 4, strides=2, padding="same")   # 14 -> 7
        self.enc_fc = keras.layers.Dense(2 * latent_dim)
        self.dec_fc = keras.layers.Dense(c2 * 7 * 7)
        self.dec_deconv1 = keras.layers.Conv2DTranspose(c1, 4, strides=2, padding="same")  # 7 -> 14
        self.dec_deconv2 = keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same")   # 14 -> 28
        self.enc_conv1.build((None, 28, 28, 1)), self.enc_conv2.build((None, 14, 14, c1))
        self.enc_fc.build((None, c2 * 7 * 7)), self.dec_fc.build((None, latent_dim))
        self.dec_deconv1.build((None, 7, 7, c2)), self.dec_deconv2.build((None, 14, 14, c1))
        self.decoder_logvar = self._scalar("decoder_logvar")

    def encode(self, x):
        h = tf.nn.relu(self.enc_conv2(tf.nn.relu(self.enc_conv1(x))))        # (N, 7, 7, 64)
        mu, logvar = tf.split(self.enc_fc(tf.reshape(h, [tf.shape(h)[0], -1])), 2, axis=-1)  # H, W, C order
        return mu, logvar

    def decode(self, z):
        h = tf.reshape(tf.nn.relu(self.dec_fc(z)), (-1, 7, 7, 2 * self.channels))  # (N, 7, 7, 64)
        return self.dec_deconv2(tf.nn.relu(self.dec_deconv1(h)))                  # (N, 28, 28, 1)

    def _weight_map(self):
        c2 = 2 * self.channels
        return {
            **_conv("enc_conv1", self.enc_conv1), **_conv("enc_conv2", self.enc_conv2),
            "enc_fc.weight": (self.enc_fc.kernel, lambda w: _chw_to_hwc_rows(w, c2)),
            "enc_fc.bias": (self.enc_fc.bias, _same),
            "dec_fc.weight": (self.dec_fc.kernel, lambda w: _chw_to_hwc_cols(w, c2)),
            "dec_fc.bias": (self.dec_fc.bias, lambda b: b.reshape(c2, 7, 7).transpose(1, 2, 0).reshape(-1)),
            **_conv("dec_deconv1", self.dec_deconv1), **_conv("dec_deconv2", self.dec_deconv2),
            "decoder_logvar": (self.decoder_logvar, _same),
        }


class LinearVAE(_VAEBase):
    """Linear Gaussian VAE (Lucas et al. 2019, arXiv 1911.02469): q(z|x) = N(V x + c, diag exp(encoder_logvar)),
    p(x|z) = N(W z + b, exp(decoder_logvar) I); its ELBO's optimum is the pPCA log-likelihood."""

    def __init__(self, data_dim, latent_dim, dtype="float32"):
        super().__init__(dtype=dtype)
        self._dtype_name = dtype
        self.latent_dim, self.likelihood = latent_dim, "gaussian"
        self.enc = keras.layers.Dense(latent_dim, dtype=dtype)
        self.dec = keras.layers.Dense(data_dim, dtype=dtype)
        self.enc.build((None, data_dim)), self.dec.build((None, latent_dim))
        self.encoder_logvar = self._scalar("encoder_logvar", (latent_dim,))
        self.decoder_logvar = self._scalar("decoder_logvar")

    def encode(self, x):
        mu = self.enc(x)
        return mu, tf.broadcast_to(self.encoder_logvar, tf.shape(mu))

    def decode(self, z):
        return self.dec(z)

    def analytic_elbo(self, x):
        """E_q[log N(x | W z + b, s^2 I)] - KL in closed form: no sampling noise (Lucas et al. 2019, eq. 6)."""
        mu, logvar = self.encode(x)
        weight = self.dec.kernel                                             # W^T, shape (q, d)
        residual = tf.reduce_sum((x - self.dec(mu)) ** 2, axis=-1)           # ||x - W mu - b||^2
        trace = tf.reduce_sum(tf.exp(self.encoder_logvar) * tf.reduce_sum(weight ** 2, axis=1))
        d = float(x.shape[1])
        expected_log_lik = -0.5 * (d * (vae.LOG_2PI + self.decoder_logvar)
                                   + (residual + trace) * tf.exp(-self.decoder_logvar))
        return expected_log_lik - vae.gaussian_kl(mu, logvar)

    def _weight_map(self):
        return {**_dense("enc", self.enc), **_dense("dec", self.dec),
                "encoder_logvar": (self.encoder_logvar, _same), "decoder_logvar": (self.decoder_logvar, _same)}


def _same(array):
    return array


def _dense(name, layer):
    return {f"{name}.weight": (layer.kernel, lambda w: w.T), f"{name}.bias": (layer.bias, _same)}


def _conv(name, layer):
    # torch conv (out, in, kh, kw) and transposed conv (in, out, kh, kw) -> keras (kh, kw, in|out, out|in)
    return {f"{name}.weight": (layer.kernel, lambda w: w.transpose(2, 3, 1, 0)), f"{name}.bias": (layer.bias, _same)}


def _chw_to_hwc_rows(w, channels):
    # torch dense weight (out, C*7*7) reading C,H,W-flattened features -> keras kernel (7*7*C, out)
    out = w.shape[0]
    return w.reshape(out, channels, 7, 7).transpose(0, 2, 3, 1).reshape(out, -1).T


def _chw_to_hwc_cols(w, channels):
    # torch dense weight (C*7*7, in) writing C,H,W-ordered features -> keras kernel (in, 7*7*C)
    return w.reshape(channels, 7, 7, -1).transpose(1, 2, 0, 3).reshape(-1, w.shape[1]).T


def build_vae(config: VAEConfig, data_dim=None):
    """The model `config.architecture` names ("mlp", "conv" or "linear"; "linear" needs data_dim)."""
    if config.architecture == "mlp":
        model = MLPVAE(config.latent_dim, config.hidden_dim, config.likelihood)
    elif config.architecture == "conv":
        model = ConvVAE(config.latent_dim, config.channels, config.likelihood)
    elif config.architecture == "linear":
        if data_dim is None:
            raise ValueError("build_vae with architecture='linear' needs data_dim (the length of each vector).")
        model = LinearVAE(data_dim, config.latent_dim)
    else:
        raise ValueError(f"architecture must be 'mlp', 'conv' or 'linear'; got {config.architecture!r}.")
    model.config = config
    return model


def _torch_shape(keras_shape, convert):
    if convert is _same or len(keras_shape) == 1:  # scalars, vectors and biases keep their shape
        return keras_shape
    if len(keras_shape) == 2:
        return (keras_shape[1], keras_shape[0])
    kh, kw, a, b = keras_shape
    return (b, a, kh, kw)


def get_weights(model) -> dict:
    """The model's weights as {name: numpy array} in the shared (torch) layout; see the module docstring."""
    weights = {}
    for name, (variable, convert) in model._weight_map().items():
        shape = _torch_shape(tuple(variable.shape), convert)
        index = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
        position = np.asarray(convert(index))             # where each torch-layout entry lands in keras
        flat = np.empty(int(np.prod(shape)), dtype=variable.numpy().dtype)
        flat[position.reshape(-1)] = variable.numpy().reshape(-1)
        weights[name] = flat.reshape(shape)
    return weights


def set_weights(model, weights) -> None:
    """Load {name: numpy array} in the shared (torch) layout, e.g. from the other twin's get_weights."""
    mapping = model._weight_map()
    missing = sorted(set(mapping) - set(weights))
    if missing:
        raise ValueError(f"weights lack {missing}; they must come from get_weights of the same architecture.")
    for name, (variable, convert) in mapping.items():
        value = np.asarray(convert(np.asarray(weights[name])), dtype=variable.numpy().dtype)
        if value.shape != tuple(variable.shape):
            raise ValueError(f"{name}: expected shape {tuple(variable.shape)} after conversion; got {value.shape}.")
        variable.assign(value)


def save_vae(model, path) -> None:
    """Write config and weights to one .npz (atomic: a temporary file renamed); either twin can load it."""
    from dataclasses import asdict

    arrays = {f"weight/{k}": v for k, v in get_weights(model).items()}
    arrays["config"] = np.array(json.dumps(asdict(model.config)))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())


def load_vae(path, data_dim=None):
    """A model rebuilt from save_vae's .npz (written by either twin)."""
    with np.load(path) as file:
        config = VAEConfig(**json.loads(str(file["config"])))
        weights = {k[len("weight/"):]: file[k] for k in file.files if k.startswith("weight/")}
    if config.architecture == "linear" and data_dim is None:
        data_dim = weights["dec.bias"].shape[0]
    model = build_vae(config, data_dim)
    set_weights(model, weights)
    return model


def vae_input(images, binarize=True, seed=0):
    """uint8 images [N, 28, 28] -> float32 tensor in [0, 1], (N, 1, 28, 28) in torch, (N, 28, 28, 1) in tf;
    binarised x ~ Bernoulli(pixel / 255) with `seed` when `binarize` (a fixed binarisation, as for a test set)."""
    from course_lib.data.images import check_uint8_images

    intensities = check_uint8_images(images).astype(np.float32) / 255.0
    if binarize:
        intensities = (np.random.default_rng(seed).random(intensities.shape) < intensities).astype(np.float32)
    return tf.constant(intensities[..., None])  # (N, 28, 28, 1)


def encode_images(model, images, binarize=False) -> np.ndarray:
    """Posterior means mu [N, latent_dim] (numpy) of uint8 images [N, 28, 28] (grey levels unless binarize)."""
    return model.encode(vae_input(images, binarize=binarize))[0].numpy()


def decode_latents(model, z, logits=False) -> np.ndarray:
    """Mean images in [0, 1] (sigmoid of the logits, or the Gaussian means), numpy [N, 28, 28], for latents z [N, d];
    with logits=True the decoder's raw output (logits for "bernoulli") instead."""
    decoded = model.decode(tf.constant(check.check_latents(z, model.latent_dim)))
    if logits:
        return tf.reshape(decoded, (-1, 28, 28)).numpy()
    images = tf.sigmoid(decoded) if model.likelihood == "bernoulli" else decoded
    return np.clip(tf.reshape(images, (-1, 28, 28)).numpy(), 0, 1)


def sample_images(model, n, seed=0) -> np.ndarray:
    """n samples as uint8 [n, 28, 28]: z ~ N(0, I) from `seed`, then the decoder's mean image."""
    check.check_positive_int(n, "n")
    z = np.random.default_rng(seed).standard_normal((n, model.latent_dim)).astype(np.float32)
    return np.rint(decode_latents(model, z) * 255.0).astype(np.uint8)
