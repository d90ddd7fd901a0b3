"""Small dataclasses of hyperparameters shared by both twins. One dataclass per notebook topic.

Later modules add their own dataclasses here or in a file of their own beside the twin code; strings for
options, no config framework.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

from course_lib.validation import check_field

__all__ = ["asdict", "GAN_LOSS_PAIRS", "ProductGANConfig", "TOY_DATA", "ToyGANConfig", "VAEConfig",
           "validate_config"]


# One way to check every config: each dataclass lists a rule per field; __post_init__ runs validate_config,
# which raises ConfigError naming the class, the field, what is allowed and what came.
def one_of(*choices):
    return lambda v: isinstance(v, str) and v in choices, f"one of {choices}"


def integer(low=1, optional=False):
    def ok(v):
        if optional and v is None:
            return True
        return not isinstance(v, bool) and isinstance(v, numbers.Integral) and v >= low
    what = {1: "a positive integer", 0: "a non-negative integer"}.get(low, f"an integer >= {low}")
    return ok, what + (" or None" if optional else "")


def number(low=None, high=None, low_open=False, high_open=False, finite=True):
    def ok(v):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or math.isnan(v) or (finite and math.isinf(v)):
            return False
        return ((low is None or (v > low if low_open else v >= low))
                and (high is None or (v < high if high_open else v <= high)))
    if high is None and low == 0:
        what = "positive" if low_open else ">= 0"
    else:
        what = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    return ok, what + (" (a finite number)" if finite else "")


def boolean():
    return lambda v: isinstance(v, bool), "True or False"


def text():
    return lambda v: isinstance(v, str), "a string"


def validate_config(config, rules: dict):
    """Check every field of `config` against its rule (ok(value), what); return config."""
    for name, (ok, what) in rules.items():
        check_field(config, name, ok(getattr(config, name)), what)
    return config


# ---------------------------------------------------------------- GAN losses on toy 2-D data (notebook 01;
# the remedies are notebook 02's)

# loss name -> (discriminator loss, generator loss), function names in course_lib/<fw>/losses.py
GAN_LOSS_PAIRS = {
    "minimax": ("minimax_discriminator_loss", "minimax_generator_loss"),
    "non_saturating": ("minimax_discriminator_loss", "non_saturating_generator_loss"),
    "least_squares": ("least_squares_discriminator_loss", "least_squares_generator_loss"),
    "hinge": ("hinge_discriminator_loss", "hinge_generator_loss"),
    "wasserstein": ("wasserstein_critic_loss", "wasserstein_generator_loss"),
}
TOY_DATA = ("ring", "grid")


@dataclass
class ToyGANConfig:
    """A small MLP GAN on a toy 2-D mixture (course_lib.data.toy2d), the same in both twins.

    Defaults follow shared measurements on a CPU: 3x128 ReLU MLPs, batch 256, Adam 5e-4 with beta1 0.5.
    Remedy fields (pack .. weight_clip) belong to notebooks/02_gan_instability.ipynb.
    """

    data: str = "ring"              # "ring" (8 modes) or "grid" (25 modes)
    loss: str = "non_saturating"    # a key of GAN_LOSS_PAIRS
    steps: int = 2000               # generator updates
    batch_size: int = 256
    latent_dim: int = 2
    hidden: int = 128               # units per hidden layer, G and D
    depth: int = 3                  # hidden layers, G and D
    lr: float = 5e-4
    beta1: float = 0.5
    beta2: float = 0.999
    critic_steps: int = 1           # discriminator updates per generator update
    gp_weight: float = 0.0          # lambda of the WGAN-GP penalty (0: off)
    r1_gamma: float = 0.0           # gamma of the R1 penalty (0: off)
    lr_decay_start: float = 1.0     # fraction of training after which lr decays linearly to 0 (1.0: constant)
    snapshot_every: int = 0         # keep generated samples every this many steps (0: none)
    eval_samples: int = 2500        # samples generated at the end (and in snapshots)
    log_every: int = 10             # history / monitor every this many steps
    seed: int = 0
    # remedies (notebook 02)
    pack: int = 1                   # PacGAN packing degree m (arXiv 1712.04086)
    minibatch_std: bool = False     # minibatch standard deviation feature (arXiv 1710.10196)
    spectral_norm: bool = False     # spectral normalisation of D (arXiv 1802.05957)
    unrolled_steps: int = 0         # unrolled GAN (arXiv 1611.02163)
    weight_clip: float = 0.0        # WGAN weight clipping (arXiv 1701.07875; 0: off)

    def __post_init__(self):
        self.validate()

    def validate(self) -> ToyGANConfig:
        """Raise ConfigError (a ValueError) naming the field, what it must be and what it is; return self."""
        rules = {"data": one_of(*TOY_DATA), "loss": one_of(*GAN_LOSS_PAIRS)}
        for name in ("steps", "batch_size", "latent_dim", "hidden", "depth", "critic_steps", "eval_samples",
                     "log_every", "pack"):
            rules[name] = integer(1)
        for name in ("snapshot_every", "seed", "unrolled_steps"):
            rules[name] = integer(0)
        rules["lr"] = number(0.0, low_open=True, finite=False)  # inf is how the tests make a run diverge
        rules["beta1"] = rules["beta2"] = number(0.0, 1.0, high_open=True)
        for name in ("gp_weight", "r1_gamma", "weight_clip"):
            rules[name] = number(0.0)
        rules["lr_decay_start"] = number(0.0, 1.0)
        rules["minibatch_std"] = rules["spectral_norm"] = boolean()
        return validate_config(self, rules)


# --- notebook 03: the VAE evidence lower bound ---
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

    def __post_init__(self):
        validate_config(self, {
            "architecture": one_of("mlp", "conv", "linear"), "latent_dim": integer(1), "hidden_dim": integer(1),
            "channels": integer(1), "likelihood": one_of("bernoulli", "gaussian"),
            "binarize": one_of("dynamic", "static", "none"), "epochs": integer(1), "batch_size": integer(1),
            "learning_rate": number(0.0, low_open=True), "beta": number(0.0), "warmup_steps": integer(0),
            "train_limit": integer(1, optional=True), "seed": integer(0)})


DIFFAUGMENT_POLICIES = ("translation", "cutout", "brightness")


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
    ema_decay: float = 0.999       # EMA of G's weights, decay min(ema_decay, (1 + t) / (10 + t)) at step t; 0: off
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
    mixed_precision: str = "auto"  # "auto" (bf16 where supported, else fp16 + loss scaling; off on CPU)
                                   # | "off" | "bf16" | "fp16"
    compile: str = "auto"          # "auto" (on a GPU) | "yes" | "no": torch.compile / tf.function(jit_compile=True)
    cuda_graph: str = "auto"       # torch: "auto" (course loop on a CUDA GPU, bf16/fp32) | "yes" | "no": replay each
                                   # step as one captured CUDA graph; tf's XLA-compiled step needs no such switch
    tutorial_loop: bool = False    # host-side batches from a framework data loader, separate D passes
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    sample_every: int = 500
    log_every: int = 50
    runs_dir: str = "runs"         # on Colab with Google Drive mounted, runs go to Drive (see product.runs)

    SWITCHES = {"data_on_device": ("auto", "yes", "no"), "mixed_precision": ("auto", "off", "bf16", "fp16"),
                "compile": ("auto", "yes", "no"), "cuda_graph": ("auto", "yes", "no")}

    def __post_init__(self):
        rules = {name: one_of(*choices) for name, choices in self.SWITCHES.items()}
        rules.update({
            "name": text(), "conditional": boolean(), "loss": one_of("hinge", "non_saturating", "bce"),
            "latent_dim": integer(1), "width": integer(1), "spectral_norm": boolean(),
            "ema_decay": number(0.0, 1.0, high_open=True), "diffaugment": text(), "steps": integer(1),
            "batch_size": integer(1), "lr_g": number(0.0, low_open=True), "lr_d": number(0.0, low_open=True),
            "beta1": number(0.0, 1.0, high_open=True), "beta2": number(0.0, 1.0, high_open=True),
            "limit": integer(1, optional=True), "seed": integer(0), "tutorial_loop": boolean(),
            "checkpoint_every": integer(1), "keep_checkpoints": integer(1), "sample_every": integer(1),
            "log_every": integer(1), "runs_dir": text()})
        validate_config(self, rules)
        unknown = [p for p in self.diffaugment.split(",") if p.strip() and p.strip() not in DIFFAUGMENT_POLICIES]
        check_field(self, "diffaugment", not unknown, f'"" or a comma list of {DIFFAUGMENT_POLICIES}')

    def tutorial_baseline(self) -> ProductGANConfig:
        """The tutorial-style DCGAN of blog posts: unconditional, BCE, no spectral norm, no EMA, Adam(0.5, 0.999),
        host-side batches, fp32, no compilation; same architecture, steps, batch size and data."""
        from dataclasses import replace

        return replace(self, name=self.name + "_tutorial", conditional=False, loss="bce", spectral_norm=False,
                       ema_decay=0.0, diffaugment="", beta1=0.5, beta2=0.999, data_on_device="no",
                       mixed_precision="off", compile="no", cuda_graph="no", tutorial_loop=True)
