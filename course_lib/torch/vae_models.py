"""VAE models in PyTorch (twin of course_lib/tf/vae_models.py): MLP, convolutional and linear Gaussian.

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

import numpy as np
import torch
from torch import nn

from course_lib import validation as check
from course_lib.atomic import write_bytes_atomic
from course_lib.config import VAEConfig
from course_lib.torch import vae

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

IMAGE_SHAPE = (1, 28, 28)  # (C, H, W); tf: (H, W, C)


class _VAEBase(nn.Module):
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


class MLPVAE(_VAEBase):
    """x -> dense(hidden) ReLU -> dense(2 latent) | z -> dense(hidden) ReLU -> dense(pixels) (arXiv 1312.6114)."""

    def __init__(self, latent_dim=16, hidden_dim=512, likelihood="bernoulli"):
        super().__init__()
        pixels = int(np.prod(IMAGE_SHAPE))
        self.latent_dim, self.likelihood = latent_dim, likelihood
        self.enc1, self.enc2 = nn.Linear(pixels, hidden_dim), nn.Linear(hidden_dim, 2 * latent_dim)
        self.dec1, self.dec2 = nn.Linear(latent_dim, hidden_dim), nn.Linear(hidden_dim, pixels)
        self.decoder_logvar = nn.Parameter(torch.zeros(()))  # used by the "gaussian" likelihood only

    def encode(self, x):
        h = torch.relu(self.enc1(x.reshape(x.shape[0], -1)))  # (N, 1, 28, 28) -> (N, 784)
        mu, logvar = self.enc2(h).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z):
        return self.dec2(torch.relu(self.dec1(z))).reshape(-1, *IMAGE_SHAPE)  # (N, 1, 28, 28)


class ConvVAE(_VAEBase):
    """Two stride-2 convolutions (32, 64 channels, 4x4) -> dense(2 latent); the decoder mirrors them."""

    def __init__(self, latent_dim=16, channels=32, likelihood="bernoulli"):
        super().__init__()
        self.latent_dim, self.likelihood, self.channels = latent_dim, likelihood, channels
        c1, c2 = channels, 2 * channels
        self.enc_conv1 = nn.Conv2d(1, c1, 4, stride=2, padding=1)   # 28 -> 14
        self.enc_conv2 = nn.Conv2d(c1, c2, 4, stride=2, padding=1)  # 14 -> 7
        self.enc_fc = nn.Linear(c2 * 7 * 7, 2 * latent_dim)
        self.dec_fc = nn.Linear(latent_dim, c2 * 7 * 7)
        self.dec_deconv1 = nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1)  # 7 -> 14
        self.dec_deconv2 = nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1)   # 14 -> 28
        self.decoder_logvar = nn.Parameter(torch.zeros(()))

    def encode(self, x):
        h = torch.relu(self.enc_conv2(torch.relu(self.enc_conv1(x))))  # (N, 64, 7, 7)
        mu, logvar = self.enc_fc(h.flatten(1)).chunk(2, dim=-1)        # flatten in C, H, W order
        return mu, logvar

    def decode(self, z):
        h = torch.relu(self.dec_fc(z)).reshape(-1, 2 * self.channels, 7, 7)  # (N, 64, 7, 7)
        return self.dec_deconv2(torch.relu(self.dec_deconv1(h)))            # (N, 1, 28, 28)


class LinearVAE(_VAEBase):
    """Linear Gaussian VAE (Lucas et al. 2019, arXiv 1911.02469): q(z|x) = N(V x + c, diag exp(encoder_logvar)),
    p(x|z) = N(W z + b, exp(decoder_logvar) I); its ELBO's optimum is the pPCA log-likelihood."""

    def __init__(self, data_dim, latent_dim, dtype="float32"):
        super().__init__()
        self.latent_dim, self.likelihood = latent_dim, "gaussian"
        self.enc = nn.Linear(data_dim, latent_dim)
        self.dec = nn.Linear(latent_dim, data_dim)
        self.encoder_logvar = nn.Parameter(torch.zeros(latent_dim))
        self.decoder_logvar = nn.Parameter(torch.zeros(()))
        self.to(getattr(torch, dtype))

    def encode(self, x):
        mu = self.enc(x)
        return mu, self.encoder_logvar.expand_as(mu)

    def decode(self, z):
        return self.dec(z)

    def analytic_elbo(self, x):
        """E_q[log N(x | W z + b, s^2 I)] - KL in closed form: no sampling noise (Lucas et al. 2019, eq. 6)."""
        mu, logvar = self.encode(x)
        weight = self.dec.weight                                            # W, shape (d, q)
        residual = ((x - self.dec(mu)) ** 2).sum(-1)                        # ||x - W mu - b||^2
        trace = (torch.exp(self.encoder_logvar) * (weight ** 2).sum(0)).sum()  # tr(W diag(s_z^2) W^T)
        d = x.shape[1]
        expected_log_lik = -0.5 * (d * (vae.LOG_2PI + self.decoder_logvar)
                                   + (residual + trace) * torch.exp(-self.decoder_logvar))
        return expected_log_lik - vae.gaussian_kl(mu, logvar)


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


def get_weights(model) -> dict:
    """The model's weights as {name: numpy array} in the shared (torch) layout; see the module docstring."""
    return {name: value.detach().cpu().numpy().copy() for name, value in model.state_dict().items()}


def set_weights(model, weights) -> None:
    """Load {name: numpy array} in the shared (torch) layout, e.g. from the other twin's get_weights."""
    state = model.state_dict()
    missing = sorted(set(state) - set(weights))
    if missing:
        raise ValueError(f"weights lack {missing}; they must come from get_weights of the same architecture.")
    model.load_state_dict({name: torch.as_tensor(np.asarray(weights[name])).to(state[name]) for name in state})


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
    return torch.from_numpy(intensities[:, None])  # (N, 1, 28, 28)


@torch.no_grad()
def encode_images(model, images, binarize=False) -> np.ndarray:
    """Posterior means mu [N, latent_dim] (numpy) of uint8 images [N, 28, 28] (grey levels unless binarize)."""
    model.eval()
    x = vae_input(images, binarize=binarize).to(next(model.parameters()).device)
    return model.encode(x)[0].cpu().numpy()


@torch.no_grad()
def decode_latents(model, z, logits=False) -> np.ndarray:
    """Mean images in [0, 1] (sigmoid of the logits, or the Gaussian means), numpy [N, 28, 28], for latents z [N, d];
    with logits=True the decoder's raw output (logits for "bernoulli") instead."""
    model.eval()
    z = check.check_latents(z, model.latent_dim)
    decoded = model.decode(torch.as_tensor(z).to(next(model.parameters()).device))
    if logits:
        return decoded.reshape(-1, 28, 28).cpu().numpy()
    images = torch.sigmoid(decoded) if model.likelihood == "bernoulli" else decoded
    return images.reshape(-1, 28, 28).clamp(0, 1).cpu().numpy()


def sample_images(model, n, seed=0) -> np.ndarray:
    """n samples as uint8 [n, 28, 28]: z ~ N(0, I) from `seed`, then the decoder's mean image."""
    check.check_positive_int(n, "n")
    z = np.random.default_rng(seed).standard_normal((n, model.latent_dim)).astype(np.float32)
    return np.rint(decode_latents(model, z) * 255.0).astype(np.uint8)
