"""Discriminator layers against mode collapse: packing, minibatch std, spectral norm
(twin of course_lib/torch/layers.py).

Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from course_lib import validation as check

__all__ = ["SpectralNormLinear", "get_layer_state", "minibatch_std", "pack", "set_layer_state"]


def _torch_like_dense(in_features, out_features):
    """keras Dense initialised like torch.nn.Linear: kernel and bias ~ U(-1/sqrt(in), 1/sqrt(in))."""
    bound = 1.0 / np.sqrt(in_features)
    init = tf.keras.initializers.RandomUniform(-bound, bound)
    layer = tf.keras.layers.Dense(out_features, kernel_initializer=init, bias_initializer=init)
    layer.build((None, in_features))
    return layer


def pack(samples, m):
    """PacGAN packing: m consecutive samples become one input of the discriminator (Lin et al. 2018, arXiv 1712.04086).

    packed[j] = concat(x[j*m], x[j*m + 1], ..., x[j*m + m - 1])

    Args:
        samples: tensor [N, D] with N divisible by m.
        m: packing degree (1 returns the input unchanged).
    Returns:
        Tensor [N // m, m * D].
    Used in: notebooks/02_gan_instability.ipynb
    """
    check.check_pack(check.shape_of(samples), m)
    n, d = int(samples.shape[0]), int(samples.shape[1])
    return tf.reshape(samples, (n // m, m * d))


def minibatch_std(features, eps=1e-8):
    """Append the batch's average feature standard deviation as one more feature (Karras et al. 2018, arXiv 1710.10196).

    s = mean_j sqrt(Var_i[h_ij] + eps) (population variance over the batch i);  out = [h, s * 1]

    Args:
        features: tensor [N, F].
        eps: added to the variance before the square root.
    Returns:
        Tensor [N, F + 1]; the last column is s for every row.
    Used in: notebooks/02_gan_instability.ipynb
    """
    check.check_features_batch(check.shape_of(features))
    check.check_number(eps, "eps", 0.0)
    variance = tf.reduce_mean((features - tf.reduce_mean(features, axis=0, keepdims=True)) ** 2, axis=0)
    s = tf.reduce_mean(tf.sqrt(variance + eps))
    return tf.concat([features, s * tf.ones_like(features[:, :1])], axis=1)


class SpectralNormLinear(tf.keras.layers.Layer):
    """Linear layer with spectrally normalised weight (Miyato et al. 2018, arXiv 1802.05957).

    y = x (W / sigma(W))^T + b,  sigma(W) ~ u^T W v after power iterations v = W^T u/|W^T u|, u = W v/|W v|.
    The power-iteration vector u [out_features] starts at 1/sqrt(out_features) (deterministic) and is updated in
    training mode only, so copying weight, bias and u makes the two twins agree exactly.

    Args:
        in_features: input width.
        out_features: output width.
        power_iterations: power iterations per training-mode call.
        eps: added to norms in the power iteration.
    Used in: notebooks/02_gan_instability.ipynb
    """

    def __init__(self, in_features, out_features, power_iterations=1, eps=1e-12):
        check.check_linear_layer(in_features, out_features, power_iterations, eps)
        super().__init__()
        self.in_features = int(in_features)
        self.linear = _torch_like_dense(in_features, out_features)  # kernel (in, out) = W^T
        self.power_iterations = int(power_iterations)
        self.eps = float(eps)
        # a Keras weight (not a bare tf.Variable) so that it is tracked and saved with the layer
        self.u = self.add_weight(shape=(out_features,), trainable=False, name="u",
                                 initializer=tf.keras.initializers.Constant(1.0 / np.sqrt(out_features)))

    def sigma(self, update=False):
        """The spectral-norm estimate u^T W v (gradient flows through W only); `update` advances u."""
        kernel = self.linear.kernel  # (in, out)
        u = tf.convert_to_tensor(self.u)
        w = tf.stop_gradient(kernel)
        for _ in range(max(self.power_iterations, 1)):
            v = tf.linalg.matvec(w, u)                      # W^T u
            v = v / (tf.norm(v) + self.eps)
            u = tf.linalg.matvec(w, v, transpose_a=True)    # W v
            u = u / (tf.norm(u) + self.eps)
        if update:
            self.u.assign(u)
        return tf.tensordot(u, tf.linalg.matvec(kernel, v, transpose_a=True), axes=1)

    def __call__(self, x, *args, **kwargs):
        # checked here, before Keras's __call__: an error raised in call() would come wrapped under
        # "Exception encountered when calling ...", with the library's message buried below it
        check.check_linear_input(check.shape_of(x), self.in_features)
        return super().__call__(x, *args, **kwargs)

    def call(self, x, training=False):
        sigma = self.sigma(update=bool(training))
        return tf.matmul(x, self.linear.kernel / sigma) + self.linear.bias


def get_layer_state(layer):
    """Weights of a dense layer as numpy in one layout for both twins: weight [out, in], bias [out], and u [out]
    for SpectralNormLinear.

    Args:
        layer: torch.nn.Linear or SpectralNormLinear (tf: keras Dense or SpectralNormLinear).
    Returns:
        dict of numpy arrays.
    Used in: tests of twin parity
    """
    linear = layer.linear if isinstance(layer, SpectralNormLinear) else layer
    state = {"weight": linear.kernel.numpy().T.copy(), "bias": linear.bias.numpy().copy()}
    if isinstance(layer, SpectralNormLinear):
        state["u"] = layer.u.numpy().copy()
    return state


def set_layer_state(layer, state):
    """Load `get_layer_state`'s dict (possibly from the other twin) into a dense layer.

    Args:
        layer: torch.nn.Linear or SpectralNormLinear (tf: keras Dense or SpectralNormLinear).
        state: dict with weight [out, in], bias [out] and, for spectral norm, u [out].
    Used in: tests of twin parity
    """
    linear = layer.linear if isinstance(layer, SpectralNormLinear) else layer
    linear.kernel.assign(np.asarray(state["weight"], dtype=np.float32).T)
    linear.bias.assign(np.asarray(state["bias"], dtype=np.float32))
    if isinstance(layer, SpectralNormLinear) and "u" in state:
        layer.u.assign(np.asarray(state["u"], dtype=np.float32))
