"""The shipped restoration U-Nets (L1 and L1 + adversarial), one framework-neutral .npz that both twins load.

The file `restoration_unet.npz` next to this module is package data made by scripts/train_restoration_weights.py
(full mode of notebooks/05_product_image_quality.ipynb, PyTorch, on a CPU); its SHA-256 is checked on load.
Arrays are stored as "l1/<layer>.kernel" [kh, kw, in, out], "l1/<layer>.bias" [out], the same under
"adversarial/", and "meta" (a JSON string: width, degradation pipeline, steps, seconds, seed).
Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from course_lib.atomic import write_bytes_atomic
from course_lib.errors import InputError

__all__ = ["RESTORATION_WEIGHTS_SHA256", "load_restoration_weights", "restoration_weights_path",
           "save_restoration_weights"]

RESTORATION_WEIGHTS_SHA256 = "796cd4231bf94ca24dc79bce8269e2a04a3e1ac95b5e51cb80b682e495ce45ba"
MODELS = ("l1", "adversarial")


def restoration_weights_path() -> Path:
    """Where the shipped weights live (inside the installed package)."""
    return Path(__file__).resolve().parent / "restoration_unet.npz"


def save_restoration_weights(path, l1: dict, adversarial: dict, meta: dict) -> str:
    """Write both U-Nets' weights (dicts from `unet.get_weights`) and `meta` atomically; returns the SHA-256."""
    arrays = {f"{model}/{key}": np.asarray(value, np.float32)
              for model, weights in (("l1", l1), ("adversarial", adversarial))
              for key, value in sorted(weights.items())}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, meta=np.array(json.dumps(meta, sort_keys=True)), **arrays)
    write_bytes_atomic(path, buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def load_restoration_weights(path=None, verify: bool = True) -> dict:
    """{"l1": weights, "adversarial": weights, "meta": dict}; weights go to `fw.unet.set_weights(model, weights)`.

    Args:
        path: a .npz from save_restoration_weights (default: the shipped file).
        verify: compare the file's SHA-256 with RESTORATION_WEIGHTS_SHA256 (turn off for weights you trained).
    Used in: notebooks/05_product_image_quality.ipynb
    """
    target = Path(path) if path else restoration_weights_path()
    if not target.exists():
        raise InputError(f"No restoration weights at {target}: run scripts/train_restoration_weights.py, or "
                         "reinstall course_lib (the file is package data).")
    data = target.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if verify and digest != RESTORATION_WEIGHTS_SHA256:
        raise InputError(f"{target} has SHA-256 {digest}, expected {RESTORATION_WEIGHTS_SHA256}: the file is "
                         "damaged or from another training run. Pass verify=False for weights you trained yourself.")
    with np.load(io.BytesIO(data)) as archive:
        result = {model: {key.split("/", 1)[1]: archive[key] for key in archive.files if key.startswith(model + "/")}
                  for model in MODELS}
        result["meta"] = json.loads(str(archive["meta"]))
    return result
