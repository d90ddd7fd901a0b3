"""Small dataclasses of hyperparameters shared by both twins. One dataclass per notebook topic.

Later modules add their own dataclasses here or in a file of their own beside the twin code; strings for
options, no config framework.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["asdict", "DataConfig", "ToyGANConfig"]


@dataclass
class DataConfig:
    """How batches are made from Fashion-MNIST in either twin."""

    split: str = "train"
    batch_size: int = 128
    shuffle: bool = True
    seed: int = 0
    drop_remainder: bool = True   # a partial last batch retraces tf.function every epoch
    on_device: bool = False       # hold the whole data set on the accelerator


# --- GAN instability and mode collapse (notebooks/02_gan_instability.ipynb) ---------------------------------------

@dataclass
class ToyGANConfig:
    """A small MLP GAN on a 2-D mixture, and the remedies against mode collapse (all off by default).

    Defaults follow shared/NOTES.md (3x128 ReLU MLPs, batch 256, Adam 5e-4 with beta1 0.5): they train a
    vanilla GAN on the ring in about a minute of CPU. Remedies: `pack` (PacGAN, arXiv 1712.04086),
    `minibatch_std` (arXiv 1710.10196), `spectral_norm` (arXiv 1802.05957), `unrolled_steps` (arXiv 1611.02163),
    `weight_clip` (WGAN, arXiv 1701.07875), `gp_weight` (WGAN-GP, arXiv 1704.00028), `r1_gamma`
    (R1, arXiv 1801.04406).
    """

    dataset: str = "ring"            # "ring" (8 modes) or "grid" (25 modes)
    loss: str = "non_saturating"     # "non_saturating" or "wgan" (critic; use with weight_clip or gp_weight)
    steps: int = 12000               # generator updates
    batch_size: int = 256            # real samples per D step; with packing, batch_size / pack packed inputs
    z_dim: int = 2
    hidden: int = 128
    depth: int = 3                   # hidden layers in G and in D
    lr: float = 5e-4
    beta1: float = 0.5
    beta2: float = 0.999
    d_steps: int = 1                 # D (critic) updates per G update
    lr_decay_start: float = 1.0      # fraction of `steps` after which both learning rates decay linearly to 0
    pack: int = 1                    # PacGAN: D sees `pack` samples concatenated (1 = off)
    minibatch_std: bool = False      # append the batch's mean feature std to D's last hidden layer
    spectral_norm: bool = False      # spectral normalisation of D's linear layers (one power iteration a call)
    unrolled_steps: int = 0          # unrolled GAN: G is updated against D advanced by k extra steps
    weight_clip: float = 0.0         # WGAN: clip D's weights to [-c, c] after each step (0 = off)
    gp_weight: float = 0.0           # WGAN-GP: lambda * (||grad D(x_hat)|| - 1)^2 on interpolates (0 = off)
    r1_gamma: float = 0.0            # R1: gamma/2 * ||grad D(x_real)||^2 (0 = off)
    seed: int = 0
    snapshot_every: int = 0          # keep `snapshot_samples` generated samples every this many steps (0 = off)
    snapshot_samples: int = 512
    eval_samples: int = 2500         # samples scored at the end (PacGAN scores 2,500)
