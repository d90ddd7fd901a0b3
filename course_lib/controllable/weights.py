"""The shipped trained generators of notebook 06: one framework-neutral .npz that both twins load.

`course_lib/controllable/controllable_generators.npz` holds the EMA generators of a full-mode run of each
discriminator head ("projection/<name>", "acgan/<name>" in the layout of `fw.controllable.generator_weights`)
and their training settings ("meta"), made by `python benchmarks/controllable_generation.py --ship`. Its
SHA-256 is checked on load, so a damaged or swapped file is refused rather than silently used.
Used in: notebooks/06_controllable_generation.ipynb
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from course_lib.atomic import write_bytes_atomic
from course_lib.errors import InputError

__all__ = ["SHIPPED_FILE", "SHIPPED_SHA256", "load_shipped_generators", "save_generators"]

SHIPPED_FILE = Path(__file__).resolve().parent / "controllable_generators.npz"
SHIPPED_SHA256 = "403403945753c1ac16d253f84f85b47fbe3e31bc558b01708e58ba6e6fe8e5e6"


def save_generators(path, generators: dict, meta: dict) -> str:
    """Write {head: weights dict} and a JSON-able meta dict as one .npz (atomically); return its SHA-256."""
    arrays = {f"{head}/{key}": np.asarray(value, np.float32) for head, weights in generators.items()
              for key, value in weights.items()}
    arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_bytes_atomic(Path(path), buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def load_shipped_generators(path=None, sha256=None) -> tuple[dict, dict]:
    """({head: weights dict}, meta) from the shipped file (or `path`), after checking its SHA-256.

    Args:
        path: another .npz written by `save_generators` (default: the shipped file).
        sha256: the digest to expect (default: SHIPPED_SHA256 for the shipped file, no check for another path).
    """
    target = Path(path) if path else SHIPPED_FILE
    expected = sha256 if sha256 is not None else (SHIPPED_SHA256 if path is None else None)
    if not target.exists():
        raise InputError(f"No trained generators at {target}; make them with "
                         "`python benchmarks/controllable_generation.py --ship`.")
    data = target.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if expected is not None and digest != expected:
        raise InputError(f"{target} has SHA-256 {digest}, expected {expected}: the file is damaged or from another "
                         "run. Restore it with git, or remake it with the benchmark's --ship.")
    generators: dict = {}
    with np.load(io.BytesIO(data)) as archive:
        meta = json.loads(bytes(archive["meta"]).decode())
        for name in archive.files:
            if name != "meta":
                head, key = name.split("/", 1)
                generators.setdefault(head, {})[key] = archive[name]
    return generators, meta
