"""The hyperparameters of one controllable GAN run (notebook 06), the same in both twins.

Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.errors import ConfigError

__all__ = ["HEADS", "ControllableGANConfig"]

HEADS = ("projection", "acgan")


@dataclass
class ControllableGANConfig:
    """G(z, class, colour) against a discriminator with a projection or an ACGAN head, on coloured products.

    Both heads share everything else (architecture, hinge adversarial loss, optimiser, steps, data), so a
    comparison of the two is a comparison of the head alone.
    """

    head: str = "projection"       # "projection" (Miyato & Koyama, arXiv 1802.05637) | "acgan" (arXiv 1610.09585)
    latent_dim: int = 32
    width: int = 32                # channel scale of G and D
    num_classes: int = 10
    num_colours: int = 6
    aux_weight: float = 1.0        # ACGAN: weight of the auxiliary classifier losses
    adversarial: str = "hinge"     # "hinge" | "non_saturating": the real/fake part of the loss, for both heads
    spectral_norm: bool = True
    steps: int = 3000
    batch_size: int = 64
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.0
    beta2: float = 0.9
    ema_decay: float = 0.999       # EMA of G, warmed up as min(decay, (1 + t) / (10 + t)); 0: off
    log_every: int = 50
    seed: int = 0
    compile: str = "auto"          # tf only: "auto" (tf.function from 100 steps on; tracing costs more than a few
                                   # eager steps), "yes", "no". The torch twin always runs eagerly.

    def __post_init__(self):
        if self.head not in HEADS:
            raise ConfigError(f"ControllableGANConfig.head must be one of {HEADS}; got {self.head!r}.")
        if self.compile not in ("auto", "yes", "no"):
            raise ConfigError(f"ControllableGANConfig.compile must be 'auto', 'yes' or 'no'; got {self.compile!r}.")
        if self.adversarial not in ("hinge", "non_saturating"):
            raise ConfigError("ControllableGANConfig.adversarial must be 'hinge' or 'non_saturating'; "
                              f"got {self.adversarial!r}.")
        for name in ("latent_dim", "width", "num_classes", "num_colours", "steps", "batch_size", "log_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"ControllableGANConfig.{name} must be a positive integer; got {value!r}.")
        if self.width % 2:
            raise ConfigError(f"ControllableGANConfig.width must be even (G's last block has width / 2 channels); "
                              f"got {self.width}.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ConfigError(f"ControllableGANConfig.ema_decay must be in [0, 1); got {self.ema_decay!r}.")
        if not self.aux_weight >= 0:
            raise ConfigError(f"ControllableGANConfig.aux_weight must be >= 0; got {self.aux_weight!r}.")
