"""Small dataclasses of hyperparameters shared by both twins. One dataclass per notebook topic.

Later modules add their own dataclasses here or in a file of their own beside the twin code; strings for
options, no config framework.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["asdict", "DataConfig", "VAEConfig"]


@dataclass
class DataConfig:
    """How batches are made from Fashion-MNIST in either twin."""

    split: str = "train"
    batch_size: int = 128
    shuffle: bool = True
    seed: int = 0
    drop_remainder: bool = True   # a partial last batch retraces tf.function every epoch
    on_device: bool = False       # hold the whole data set on the accelerator


# --- notebook 03: the VAE evidence lower bound (issue 5) ---
@dataclass
class VAEConfig:
    """A VAE and its training in either twin (course_lib/<fw>/vae_models.py, vae_train.py)."""

    architecture: str = "mlp"      # "mlp" | "conv" | "linear"
    latent_dim: int = 16
    hidden_dim: int = 512          # MLP hidden units
    channels: int = 32             # conv: channels of the first convolution (the second has twice as many)
    likelihood: str = "bernoulli"  # "bernoulli" (binarised pixels) | "gaussian"
    binarize: str = "dynamic"      # "dynamic" (fresh x ~ Bernoulli(pixel) each batch) | "static" | "none"
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    beta: float = 1.0              # weight on the KL term; 1 is the ELBO
    warmup_steps: int = 0          # KL warm-up: the weight rises linearly from 0 to beta over these steps
    train_limit: int | None = None  # use only the first train_limit training images (quick mode)
    seed: int = 0
