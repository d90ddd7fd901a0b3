"""Small dataclasses of hyperparameters shared by both twins. One dataclass per notebook topic.

Later modules add their own dataclasses here or in a file of their own beside the twin code; strings for
options, no config framework.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["asdict", "DataConfig", "ProductGANConfig"]


@dataclass
class DataConfig:
    """How batches are made from Fashion-MNIST in either twin."""

    split: str = "train"
    batch_size: int = 128
    shuffle: bool = True
    seed: int = 0
    drop_remainder: bool = True   # a partial last batch retraces tf.function every epoch
    on_device: bool = False       # hold the whole data set on the accelerator


# --- Notebook 04: the product-image project (class-conditional GAN) ---------------------------------------

@dataclass
class ProductGANConfig:
    """One run of the product-image GAN, in either twin; `python -m course_lib product` reads the same fields.

    The course recipe is the default; `tutorial_baseline()` gives the blog-post recipe it is compared with.
    """

    name: str = "product_gan"
    conditional: bool = True       # class-conditional G(z, y) and projection D(x, y); False: unconditional
    loss: str = "hinge"            # "hinge" | "non_saturating" | "bce" (minimax D loss + non-saturating G loss)
    latent_dim: int = 64
    width: int = 64                # channels of the first D layer; G and D scale from it
    spectral_norm: bool = True     # spectral normalisation of every D weight (arXiv 1802.05957)
    ema_decay: float = 0.999       # EMA of G's weights; 0 turns it off
    diffaugment: str = ""          # "", or a comma list of "translation", "cutout", "brightness" (arXiv 2006.10738)
    steps: int = 3000
    batch_size: int = 128
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta1: float = 0.0
    beta2: float = 0.9
    limit: int | None = None       # train on the first `limit` training images only (quick mode)
    seed: int = 0
    data_on_device: str = "auto"   # "auto" (on the accelerator when there is one) | "yes" | "no"
    mixed_precision: str = "auto"  # "auto" (bf16 where supported, else fp16 + loss scaling; off on CPU) | "off" | "bf16" | "fp16"
    compile: str = "auto"          # "auto" (on a GPU) | "yes" | "no": torch.compile / tf.function(jit_compile=True)
    tutorial_loop: bool = False    # host-side batches from a framework data loader, separate D passes
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    sample_every: int = 500
    log_every: int = 50
    runs_dir: str = "runs"         # on Colab with Google Drive mounted, runs go to Drive (see product.runs)

    def tutorial_baseline(self) -> "ProductGANConfig":
        """The tutorial-style DCGAN of blog posts: unconditional, BCE, no spectral norm, no EMA, Adam(0.5, 0.999),
        host-side batches, fp32, no compilation; same architecture, steps, batch size and data."""
        from dataclasses import replace

        return replace(self, name=self.name + "_tutorial", conditional=False, loss="bce", spectral_norm=False,
                       ema_decay=0.0, diffaugment="", beta1=0.5, beta2=0.999, data_on_device="no",
                       mixed_precision="off", compile="no", tutorial_loop=True)
