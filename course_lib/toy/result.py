"""What a toy 2-D GAN run returns, the same in both twins: numpy samples, loss history, timings.

Framework-free: `train_toy_gan` in course_lib/torch/toy_gan.py and course_lib/tf/toy_gan.py fills it; plots,
metrics and tests read it without importing a framework. Used in: notebooks/01_gan_losses.ipynb,
notebooks/02_gan_instability.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course_lib.data import toy2d

__all__ = ["ToyGANResult", "toy_mixture"]


def toy_mixture(data: str, n: int, seed: int) -> toy2d.Mixture2D:
    """n samples of the named toy mixture: "ring" (8 modes) or "grid" (25 modes)."""
    if data == "ring":
        return toy2d.ring(n, seed)
    if data == "grid":
        return toy2d.grid(n, seed)
    raise ValueError(f"Unknown toy data {data!r}: expected 'ring' or 'grid'.")


@dataclass
class ToyGANResult:
    """One toy GAN run.

    Attributes:
        framework: "torch" or "tf".
        config: the ToyGANConfig as a dict.
        samples: float32 [eval_samples, 2], generated after the last step.
        snapshots: [(step, float32 [eval_samples, 2])], generated from the same z every `snapshot_every` steps.
        history: {"step": [...], "d_loss": [...], "g_loss": [...]} at every `log_every`-th step; d_loss is the
            adversarial term without penalties.
        seconds: wall-clock seconds of the training loop.
        means, std: the data mixture's mode means [K, 2] and per-mode std, for metrics.
        generator, discriminator: the trained models (framework objects; not part of `summary()`).
    """

    framework: str
    config: dict
    samples: np.ndarray
    snapshots: list = field(default_factory=list)
    history: dict = field(default_factory=lambda: {"step": [], "d_loss": [], "g_loss": []})
    seconds: float = 0.0
    means: np.ndarray | None = None
    std: float = 0.0
    generator: Any = field(default=None, repr=False)
    discriminator: Any = field(default=None, repr=False)

    @property
    def steps_per_second(self) -> float:
        return self.config["steps"] / self.seconds if self.seconds > 0 else float("nan")

    def final_losses(self, last: int = 10) -> tuple[float, float]:
        """Mean d_loss and g_loss over the last `last` logged steps."""
        d, g = self.history["d_loss"][-last:], self.history["g_loss"][-last:]
        return float(np.mean(d)), float(np.mean(g))

    def summary(self) -> dict:
        """Small JSON-friendly dict: framework, loss, data, steps, seconds, final losses."""
        d_loss, g_loss = self.final_losses()
        return {"framework": self.framework, "loss": self.config["loss"], "data": self.config["data"],
                "steps": self.config["steps"], "seconds": round(self.seconds, 2),
                "final_d_loss": d_loss, "final_g_loss": g_loss}
