"""Small dataclasses of hyperparameters shared by both twins. One dataclass per notebook topic.

Later modules add their own dataclasses here or in a file of their own beside the twin code; strings for
options, no config framework.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["asdict", "DataConfig"]


@dataclass
class DataConfig:
    """How batches are made from Fashion-MNIST in either twin."""

    split: str = "train"
    batch_size: int = 128
    shuffle: bool = True
    seed: int = 0
    drop_remainder: bool = True   # a partial last batch retraces tf.function every epoch
    on_device: bool = False       # hold the whole data set on the accelerator
