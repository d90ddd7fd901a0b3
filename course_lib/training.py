"""Loop bookkeeping that every training loop shares, framework-free: the step log and its history, the NaN guard
with the health monitor, the checkpoint/evaluation schedule, epoch order and the throughput clock.

The twins' loops (toy_gan.py, vae_train.py, product_train.py) keep only their framework's work (the three
numbered steps) and call these for the rest, so the bookkeeping is written once and reads the same everywhere.
Used in: notebooks/01_gan_losses.ipynb to notebooks/04_product_image_project.ipynb (through the twins' loops)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["EpochOrder", "NaNLossError", "StepLog", "ThroughputClock", "all_finite", "is_due", "shuffled_epochs"]


class NaNLossError(FloatingPointError):
    """A loss became NaN or inf; the message names the step and the last good checkpoint."""


def all_finite(values: Iterable[float]) -> bool:
    """True when every value is a finite number (no NaN, no inf)."""
    return all(math.isfinite(float(value)) for value in values)


def is_due(done: int, every: int, last: int | None = None) -> bool:
    """Whether a periodic event (log, sample, checkpoint, evaluation) falls after step `done` (1-based).

    Args:
        done: steps finished so far.
        every: the period in steps; 0 or None never (except at `last`).
        last: the final step, at which every event is due; None for no final event.
    """
    return bool(every) and done % every == 0 or (last is not None and done == last)


class StepLog:
    """A loop's loss history, its NaN/divergence guard and its optional health monitor.

    `history` is {"step": [...], key: [...] for each key}: what the loops return and the notebooks plot.
    Args:
        keys: the logged quantities, e.g. ("d_loss", "g_loss").
        monitor: optional callable monitor(step, d_loss, g_loss) (course_lib.health.TrainingMonitor); it sees the
            first two keys of every recorded step.
        loss: the name of the GAN loss in use (config.loss); a monitor with a `use_loss` method is told, so that
            its advice fits the loss (hinge and Wasserstein losses do not saturate as the minimax one does).
    """

    def __init__(self, keys: Iterable[str], monitor: Callable | None = None, loss: str | None = None):
        self.keys = tuple(keys)
        self.monitor = monitor
        if loss is not None and hasattr(monitor, "use_loss"):
            monitor.use_loss(loss)
        self.history = {"step": [], **{key: [] for key in self.keys}}

    def guard(self, values: Iterable[float], make_error: Callable[..., Exception], *details) -> None:
        """Raise make_error(*details) when any of `values` is NaN or infinite: the weights are lost, so the loop
        stops with a message that says what to try (each loop words its own)."""
        if not all_finite(values):
            raise make_error(*details)

    def watch(self, step: int, *values: float) -> None:
        """Feed the health monitor (when there is one) the step's first two values, as Python floats."""
        if self.monitor is not None:
            self.monitor(step, *values[:2])

    def append(self, step: int, *values: float) -> None:
        """Add one row to the history: the step and one value per key, in the order of `keys`."""
        if len(values) != len(self.keys):
            raise ValueError(f"StepLog.append expects {len(self.keys)} values ({self.keys}); got {len(values)}.")
        self.history["step"].append(step)
        for key, value in zip(self.keys, values):
            self.history[key].append(value)

    def record(self, step: int, *values: float) -> None:
        """watch, then append: a logged step that the monitor sees."""
        self.watch(step, *values)
        self.append(step, *values)


def shuffled_epochs(n: int, seed: int):
    """Endless permutations of range(n), one per epoch, drawn in turn from one generator seeded with `seed`."""
    rng = np.random.default_rng(seed)
    while True:
        yield rng.permutation(n)


class EpochOrder:
    """Which rows form the batch of a step: a fresh shuffle at each epoch that depends only on (seed, epoch).

    Because the order is a function of the step alone, a run resumed at step k reads the same batches as one
    that never stopped. The last partial batch of an epoch is dropped (every batch has the same shape).
    Args:
        n: rows in the data set; batch_size: rows per batch; seed: the run's seed.
        convert: optional callable applied to each epoch's permutation once (e.g. to move it to the device where
            the data set is held); rows() then returns slices of what it returned.
    """

    def __init__(self, n: int, batch_size: int, seed: int, convert: Callable | None = None):
        self.n, self.batch_size, self.seed, self.convert = int(n), int(batch_size), int(seed), convert
        self.per_epoch = self.n // self.batch_size
        if self.per_epoch == 0:
            raise ValueError(f"{n} images make no batch of {batch_size}: lower batch_size or raise limit.")
        self._epoch, self._order = None, None

    def rows(self, step: int):
        """int64 [batch_size]: the rows of step `step` (0-based), numpy or what `convert` made of them."""
        epoch, index = divmod(step, self.per_epoch)
        if epoch != self._epoch:
            order = np.random.default_rng(self.seed + epoch).permutation(self.n)
            self._epoch, self._order = epoch, self.convert(order) if self.convert is not None else order
        return self._order[index * self.batch_size:(index + 1) * self.batch_size]


class ThroughputClock:
    """Images per second of a loop, timed from `warmup` steps after its start (compilation and first-step costs
    stay out of the figure).

    Args:
        start: the first step of this run (after a resume); steps: the final step; batch_size: images per step.
        sync: callable that waits for the device (queued work must finish before a clock is read).
    """

    def __init__(self, start: int, steps: int, batch_size: int, sync: Callable[[], None], warmup: int = 10):
        self.timed_from = min(start + warmup, steps - 1)
        self.batch_size, self.sync = batch_size, sync
        self.images, self.t0 = 0, time.perf_counter()

    def tick(self, step: int) -> None:
        """Call at the start of every step (0-based)."""
        if step == self.timed_from:
            self.sync()
            self.t0, self.images = time.perf_counter(), 0
        self.images += self.batch_size

    def images_per_second(self) -> float:
        """Call after the loop: waits for the device, then images / seconds since the timed start (NaN if none)."""
        self.sync()
        elapsed = time.perf_counter() - self.t0
        return self.images / elapsed if self.images and elapsed > 0 else float("nan")
