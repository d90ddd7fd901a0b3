"""The product generator shipped with the course: trained weights that notebook 04's quick mode shows.

One framework-neutral file, `course_lib/product/assets/product_generator.npz` (the EMA generator's float32
weights in PyTorch's layout: dense (out, in), convolutions OIHW; BatchNorm running statistics; the per-class
gains and biases of conditional BatchNorm), written by `scripts/train_shipped_product_gan.py`, which also writes
`product_generator.json` (the step it was trained to, its training seconds on a CPU, the recipe). The loader
checks the file's SHA-256 against the value below before it reads a byte of it, and fills the generator of
either twin: PyTorch takes the arrays as they are, TensorFlow transposes kernels to HWIO and dense weights to
(in, out) (the mapping tests/test_product_gan.py uses for twin parity).

Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from course_lib import frameworks
from course_lib.errors import InputError

__all__ = ["SHIPPED_SHA256", "load_shipped_generator", "load_shipped_weights", "shipped_generator_info"]

ASSETS = Path(__file__).resolve().parent / "assets"
WEIGHTS_PATH = ASSETS / "product_generator.npz"
INFO_PATH = ASSETS / "product_generator.json"
# SHA-256 of product_generator.npz as shipped; a different file (a truncated download, an edit) is refused
SHIPPED_SHA256 = "789de00174619d75c1013164cbe2232cef0f0fe6904b663907e0885f03753cd7"
_LAYERS = ("bn0", "bn1", "bn2")
_CONVS = ("conv1", "conv2", "conv_out")


def shipped_generator_info() -> dict:
    """What the shipped weights are: step, width, latent_dim, training seconds, the recipe and the command."""
    return json.loads(INFO_PATH.read_text())


def load_shipped_weights(path=None, sha256: str | None = None) -> tuple[dict, dict]:
    """(arrays by torch state-dict name, metadata) from the shipped .npz, after checking its SHA-256.

    Args:
        path: the .npz (default: the one shipped in course_lib/product/assets/).
        sha256: the expected hex digest (default: SHIPPED_SHA256, the shipped file's); "" skips the check,
            for a file you trained yourself.
    Raises:
        FileNotFoundError when the file is missing; InputError when its SHA-256 is not the expected one.
    """
    path = Path(path) if path is not None else WEIGHTS_PATH
    expected = SHIPPED_SHA256 if sha256 is None else sha256
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected and digest != expected:
        raise InputError(f"path: {path} has SHA-256 {digest}, expected {expected}; the file is damaged or not "
                         "the shipped one (reinstall course_lib, or run scripts/train_shipped_product_gan.py).")
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files if name != "__meta__"}
        meta = json.loads(str(archive["__meta__"]))
    return arrays, meta


def _fill_torch(generator, arrays):
    import torch

    state = generator.state_dict()
    unknown = sorted(set(arrays) - set(state))
    missing = sorted(n for n in set(state) - set(arrays) if not n.endswith("num_batches_tracked"))
    if unknown or missing:
        raise InputError(f"weights: the file does not fit this generator (unknown {unknown}, missing {missing}).")
    generator.load_state_dict({n: torch.from_numpy(a) for n, a in arrays.items()}, strict=False)


def _fill_tf(generator, arrays):
    conv = lambda name: arrays[name].transpose(2, 3, 1, 0)     # OIHW -> HWIO
    generator.dense.kernel.assign(arrays["dense.weight"].T)    # (out, in) -> (in, out)
    generator.dense.bias.assign(arrays["dense.bias"])
    for name in _LAYERS:
        layer = getattr(generator, name)
        layer.bn.moving_mean.assign(arrays[f"{name}.bn.running_mean"])
        layer.bn.moving_variance.assign(arrays[f"{name}.bn.running_var"])
        if layer.conditional:
            layer.gain.embeddings.assign(arrays[f"{name}.gain.weight"])
            layer.bias.embeddings.assign(arrays[f"{name}.bias.weight"])
        else:
            layer.bn.gamma.assign(arrays[f"{name}.bn.weight"]), layer.bn.beta.assign(arrays[f"{name}.bn.bias"])
    for name in _CONVS:
        layer = getattr(generator, name)
        layer.kernel.assign(conv(f"{name}.weight")), layer.bias.assign(arrays[f"{name}.bias"])


def load_shipped_generator(framework: str = "torch", path=None, sha256: str | None = None):
    """The shipped product generator G(z, y) as a model of the chosen twin, in inference mode.

    Args:
        framework: "torch" or "tf" (or a twin module such as `nb.fw`).
        path, sha256: as in load_shipped_weights.
    Returns:
        course_lib.<framework>.product_gan.Generator with the shipped weights; its `shipped_meta` attribute
        holds the file's metadata (step, width, latent_dim).
    """
    name = getattr(framework, "__name__", framework)
    name = str(name).rsplit(".", 1)[-1]
    if name not in ("torch", "tf"):
        raise InputError(f"framework: expected 'torch' or 'tf', got {framework!r}.")
    arrays, meta = load_shipped_weights(path, sha256)
    # the twin through the registry: product/ sits below the twins, which import its run folders
    generator = frameworks.load(name).product_gan.Generator(meta["latent_dim"], meta["width"], meta["conditional"])
    if name == "torch":
        _fill_torch(generator, arrays)
        generator.eval()
    else:
        _fill_tf(generator, arrays)
    generator.shipped_meta = meta
    return generator
