"""A training-health monitor for GANs: fed plain numbers, it flags trouble and says what to try.

Framework-free: plug it into any loop as `monitor(step, d_loss, g_loss)` (the toy GAN's `train_toy_gan(...,
monitor=...)` calls it at every logged step), and call `check_samples` with generated toy samples from time to
time. It flags
- "nan": a loss is NaN or infinite -> raises TrainingDiverged naming the step and what to try;
- "d_overpowers": the discriminator's loss sinks towards 0, or (when the loop passes it) the gap between D's
  mean logit on real and on generated samples saturates: D tells real from fake perfectly, so the generator's
  gradient vanishes or its loss explodes;
- "g_blowup": the generator's loss climbs far above where it started;
- "collapse": on toy data, generated samples cover few of the modes (course_lib.metrics.mode_coverage).
Each condition is reported once when it starts (and again after it has cleared). For the standard GAN losses
the balance point is D loss = 2 log 2 = 1.386 and G loss = log 2 = 0.693 (non-saturating), which the defaults
use as their reference. Used in: notebooks/02_gan_instability.ipynb (and the training loops of later notebooks)
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

__all__ = ["HINTS", "LOSS_HINTS", "HealthFlag", "TrainingDiverged", "TrainingMonitor", "hint_for"]

HINTS = {
    "nan": "lower the learning rate (try half), add a gradient penalty (r1_gamma=1 or gp_weight=10), and check "
           "that the data are scaled to [-1, 1]; use stable losses on logits (softplus), never log(sigmoid(x)).",
    "d_overpowers": "the discriminator wins: give it less capacity or a smaller learning rate, add R1 "
                    "(r1_gamma=1) or instance noise, or use the non-saturating generator loss.",
    "g_blowup": "the generator is losing badly: D is too sharp. Add R1 or spectral normalisation to D, or lower "
                "D's learning rate; for the Wasserstein loss, use a gradient penalty rather than clipping.",
    "collapse": "the generator covers few modes (mode collapse): pack samples (pack=2, PacGAN), add R1 "
                "(r1_gamma=1), or train longer with a decaying learning rate.",
}

# Advice that depends on the loss in use: HINTS is calibrated for the BCE (minimax / non-saturating) losses, whose
# generator gradient vanishes when D wins; the hinge and Wasserstein generator losses are linear in D's score and
# never saturate, so "switch to the non-saturating loss" would send a student the wrong way.
_D_WINS = "the discriminator wins: give it less capacity or a smaller learning rate, add R1 (r1_gamma=1) or "
LOSS_HINTS = {
    "minimax": {"d_overpowers": _D_WINS + "instance noise, and switch G to the non-saturating loss (-log D(G(z))): "
                                          "the minimax G loss saturates exactly when D wins."},
    "non_saturating": {"d_overpowers": _D_WINS + "instance noise; G already uses the non-saturating loss."},
    "bce": {"d_overpowers": _D_WINS + "instance noise; G already uses the non-saturating loss."},
    "hinge": {"d_overpowers": "the discriminator wins: lower D's learning rate (lr_d) or its capacity, or augment "
                              "what D sees (diffaugment=\"translation,cutout\"); the hinge G loss is linear in D's "
                              "score and does not saturate, so changing G's loss will not help."},
    "wasserstein": {"d_overpowers": "the critic wins: lower its learning rate, and use a gradient penalty "
                                    "(gp_weight=10) rather than weight clipping; the Wasserstein G loss does not "
                                    "saturate, so changing G's loss will not help."},
    "least_squares": {"d_overpowers": _D_WINS + "instance noise; the least-squares G loss saturates less than "
                                                "the minimax one but grows with D's confidence."},
}


def hint_for(kind: str, loss: str | None = None) -> str:
    """What to try for a flag of `kind` ("nan", "d_overpowers", "g_blowup", "collapse") with the GAN `loss` in use
    (a key of course_lib.config.GAN_LOSS_PAIRS, or "bce"); None or an unknown loss gives the BCE-calibrated HINTS."""
    return LOSS_HINTS.get(loss, {}).get(kind, HINTS[kind])


class TrainingDiverged(FloatingPointError):
    """Raised by TrainingMonitor when a loss is NaN or infinite."""


@dataclass(frozen=True)
class HealthFlag:
    """One problem found at one step, with a plain-language hint."""

    step: int
    kind: str
    message: str
    hint: str

    def __str__(self):
        return f"[step {self.step}] {self.kind}: {self.message} -> try: {self.hint}"


class TrainingMonitor:
    """Watches D and G losses (and optionally toy samples) during GAN training.

    d_overpowers: mean D loss over the last `window` calls < d_loss_floor, or mean real/fake logit gap > d_gap_limit;
    g_blowup: mean G loss over the last `window` calls > min(g_loss_ceiling, g_growth * mean of the first window);
    collapse: modes captured < collapse_fraction * K, or reverse KL > collapse_kl.

    Args:
        window: how many recent calls are averaged (noise in GAN losses is large).
        d_loss_floor: D loss below which D is said to overpower G (balance: 1.386 for the standard loss).
        d_gap_limit: mean D(x) - mean D(G(z)) on logits above which D's sigmoid is saturated (8: 98 % vs 2 %).
        g_loss_ceiling: G loss above which G is said to blow up (balance: 0.693, non-saturating).
        g_growth: also flag when the G loss grows this many times above its first window's mean (when positive).
        collapse_fraction, collapse_kl: thresholds of `check_samples`.
        raise_on_nan: raise TrainingDiverged on a NaN/inf loss (else only flag it).
        verbose: print each new flag as it happens.
        loss: the GAN loss in use, so that the advice fits it (see hint_for); the training loops set it through
            use_loss. None: advice calibrated for the BCE losses.
    Used in: notebooks/02_gan_instability.ipynb
    """

    def __init__(self, window=50, d_loss_floor=0.1, g_loss_ceiling=5.0, g_growth=6.0, collapse_fraction=0.9,
                 collapse_kl=0.3, raise_on_nan=True, verbose=True, d_gap_limit=8.0, loss=None):
        if window < 1:
            raise ValueError(f"window must be a positive number of calls; got {window!r}.")
        self.window, self.d_loss_floor, self.g_loss_ceiling, self.g_growth = int(window), d_loss_floor, \
            g_loss_ceiling, g_growth
        self.collapse_fraction, self.collapse_kl = collapse_fraction, collapse_kl
        self.raise_on_nan, self.verbose, self.d_gap_limit = raise_on_nan, verbose, d_gap_limit
        self._recent_gap: deque = deque(maxlen=self.window)
        self.flags: list[HealthFlag] = []
        self.steps: list[int] = []
        self.d_losses: list[float] = []
        self.g_losses: list[float] = []
        self._recent_d: deque = deque(maxlen=self.window)
        self._recent_g: deque = deque(maxlen=self.window)
        self._g_start: float | None = None
        self._active: set[str] = set()
        self.loss = loss

    def use_loss(self, loss):
        """Tell the monitor which GAN loss the loop trains with (a key of GAN_LOSS_PAIRS, or "bce")."""
        self.loss = loss

    def _flag(self, step, kind, message, active):
        if not active:
            self._active.discard(kind)
            return None
        if kind in self._active:
            return None
        self._active.add(kind)
        flag = HealthFlag(int(step), kind, message, hint_for(kind, self.loss))
        self.flags.append(flag)
        if self.verbose:
            print(flag, flush=True)
        return flag

    def __call__(self, step, d_loss, g_loss, d_gap=None):
        """Feed one step's losses (Python floats); returns the list of new flags (often empty).

        d_gap (optional): mean D logit on the real batch minus mean D logit on the generated batch.

        Raises:
            TrainingDiverged: a loss is NaN or infinite (when raise_on_nan).
        """
        d_loss, g_loss = float(d_loss), float(g_loss)
        self.steps.append(int(step))
        self.d_losses.append(d_loss)
        self.g_losses.append(g_loss)
        new = []
        if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            message = (f"the losses stopped being numbers at step {step} (D loss {d_loss}, G loss {g_loss}); "
                       "the weights are now NaN/inf and training cannot recover")
            flag = self._flag(step, "nan", message, True)
            if self.raise_on_nan:
                raise TrainingDiverged(f"Training diverged at step {step}: D loss = {d_loss}, G loss = {g_loss}. "
                                       f"What to try: {hint_for('nan', self.loss)}")
            return [flag] if flag else []
        self._recent_d.append(d_loss)
        self._recent_g.append(g_loss)
        if d_gap is not None and math.isfinite(float(d_gap)):
            self._recent_gap.append(float(d_gap))
        if len(self._recent_g) == self.window and self._g_start is None:
            self._g_start = float(np.mean(self._recent_g))
        if len(self._recent_d) < self.window:
            return new
        d_mean, g_mean = float(np.mean(self._recent_d)), float(np.mean(self._recent_g))
        gap = float(np.mean(self._recent_gap)) if self._recent_gap else None
        saturated = gap is not None and gap > self.d_gap_limit
        flag = self._flag(step, "d_overpowers",
                          f"mean D loss over the last {self.window} steps is {d_mean:.3g} (floor {self.d_loss_floor})"
                          + (f", real/fake logit gap {gap:.3g} (limit {self.d_gap_limit})" if gap is not None else "")
                          + ": D separates real from fake almost perfectly", d_mean < self.d_loss_floor or saturated)
        new += [flag] if flag else []
        limit = self.g_loss_ceiling
        if self._g_start is not None and self._g_start > 0:
            limit = min(limit, self.g_growth * self._g_start)
        flag = self._flag(step, "g_blowup",
                          f"mean G loss over the last {self.window} steps is {g_mean:.3g} (> {limit:.3g})",
                          g_mean > limit)
        new += [flag] if flag else []
        return new

    def check_samples(self, step, samples, means, std):
        """Score toy samples with mode_coverage; flag collapse. Returns (ModeCoverage, new flags)."""
        from course_lib.metrics import mode_coverage

        coverage = mode_coverage(samples, means, std)
        k = len(np.asarray(means))
        collapsed = coverage.modes < self.collapse_fraction * k or coverage.reverse_kl > self.collapse_kl
        flag = self._flag(step, "collapse",
                          f"{coverage.modes} of {k} modes captured, reverse KL {coverage.reverse_kl:.2f} nats",
                          collapsed)
        return coverage, ([flag] if flag else [])

    def kinds(self):
        """The kinds flagged so far, in order of first appearance, without repeats."""
        return list(dict.fromkeys(f.kind for f in self.flags))

    def report(self):
        """A plain-language summary: what was flagged and when, or that training looked healthy."""
        if not self.flags:
            n = len(self.steps)
            return f"No problems flagged in {n} monitored steps."
        return "\n".join(str(f) for f in self.flags)
