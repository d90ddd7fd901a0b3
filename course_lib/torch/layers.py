"""Discriminator layers against mode collapse: packing, minibatch std, spectral norm
(twin of course_lib/tf/layers.py).

Used in: notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

import numpy as np
import torch

from course_lib import validation as check

__all__ = ["SpectralNormLinear", "get_layer_state", "minibatch_std", "pack", "set_layer_state"]


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
    return torch.reshape(samples, (n // m, m * d))


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
    variance = torch.mean((features - torch.mean(features, dim=0, keepdim=True)) ** 2, dim=0)
    s = torch.mean(torch.sqrt(variance + eps))
    return torch.cat([features, s * torch.ones_like(features[:, :1])], dim=1)


class SpectralNormLinear(torch.nn.Module):
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
        self.linear = torch.nn.Linear(in_features, out_features)
        self.power_iterations = int(power_iterations)
        self.eps = float(eps)
        self.register_buffer("u", torch.full((out_features,), 1.0 / np.sqrt(out_features)))

    def sigma(self, update=False):
        """The spectral-norm estimate u^T W v (gradient flows through W only); `update` advances u."""
        w = self.linear.weight  # (out, in)
        u = self.u
        with torch.no_grad():
            for _ in range(max(self.power_iterations, 1)):
                v = w.t() @ u
                v = v / (torch.linalg.vector_norm(v) + self.eps)
                u = w @ v
                u = u / (torch.linalg.vector_norm(u) + self.eps)
            if update:
                self.u.copy_(u)
        return torch.dot(u, w @ v)

    def forward(self, x):
        check.check_linear_input(check.shape_of(x), self.linear.in_features)
        sigma = self.sigma(update=self.training)
        return torch.nn.functional.linear(x, self.linear.weight / sigma, self.linear.bias)


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
    state = {"weight": linear.weight.detach().cpu().numpy().copy(), "bias": linear.bias.detach().cpu().numpy().copy()}
    if isinstance(layer, SpectralNormLinear):
        state["u"] = layer.u.detach().cpu().numpy().copy()
    return state


def set_layer_state(layer, state):
    """Load `get_layer_state`'s dict (possibly from the other twin) into a dense layer.

    Args:
        layer: torch.nn.Linear or SpectralNormLinear (tf: keras Dense or SpectralNormLinear).
        state: dict with weight [out, in], bias [out] and, for spectral norm, u [out].
    Used in: tests of twin parity
    """
    linear = layer.linear if isinstance(layer, SpectralNormLinear) else layer
    with torch.no_grad():
        linear.weight.copy_(torch.as_tensor(np.asarray(state["weight"]), dtype=linear.weight.dtype))
        linear.bias.copy_(torch.as_tensor(np.asarray(state["bias"]), dtype=linear.bias.dtype))
        if isinstance(layer, SpectralNormLinear) and "u" in state:
            layer.u.copy_(torch.as_tensor(np.asarray(state["u"]), dtype=layer.u.dtype))
