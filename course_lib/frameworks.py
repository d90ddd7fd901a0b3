"""The one registry of framework facts: which module a twin needs, the pip extra that brings it, the oldest
versions the twins are written for, and the checkpoint format each twin writes.

Everything that names a framework reads it from here: `course_lib.load`, the environment check, every command
line's `--framework` choices and the benchmarks. Adding a framework means one entry here and one twin package.
Framework-free: nothing here imports torch or tensorflow.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from course_lib.errors import InputError

__all__ = ["FRAMEWORKS", "REGISTRY", "Framework", "checkpoint_extension", "get", "load", "validate"]


@dataclass(frozen=True)
class Framework:
    """What the library knows about one framework.

    Attributes:
        name: the name a notebook's FRAMEWORK parameter uses, and the twin's package (course_lib.<name>).
        display_name: how prose names it.
        module: the module whose absence means the framework is missing.
        extra: the pip extra of course_lib that installs it (pip install 'course_lib[<extra>]').
        packages: the distributions the twin needs, each with its oldest supported version.
        checkpoint_format: how the twin's training loop writes checkpoints.
        checkpoint_extension: the file ending of those checkpoints (ckpt_<step>.<extension>).
    """

    name: str
    display_name: str
    module: str
    extra: str
    packages: tuple[tuple[str, tuple[int, ...]], ...]
    checkpoint_format: str
    checkpoint_extension: str


REGISTRY = {
    "torch": Framework("torch", "PyTorch", "torch", "torch", (("torch", (2, 2)),),
                       "torch.save of a dict of tensors", "pt"),
    "tf": Framework("tf", "TensorFlow", "tensorflow", "tf", (("tensorflow", (2, 16)), ("keras", (3, 0))),
                    "numpy .npz of every variable", "npz"),
}
FRAMEWORKS = tuple(REGISTRY)


def validate(framework) -> str:
    """The registry's name for `framework` (case-insensitive), or InputError naming the choices.

    Args:
        framework: a name such as "torch", "tf" or "TF".
    Returns:
        The lower-case name, a key of REGISTRY.
    """
    if isinstance(framework, str) and framework.lower() in REGISTRY:
        return framework.lower()
    raise InputError(f"Unknown framework {framework!r}: expected one of {FRAMEWORKS} "
                     '(set FRAMEWORK = "torch" or FRAMEWORK = "tf" in the parameters cell).')


def get(framework) -> Framework:
    """The registry entry of `framework` (validated)."""
    return REGISTRY[validate(framework)]


def checkpoint_extension(framework) -> str:
    """"pt" for torch, "npz" for tf: the ending of the twin's checkpoint files."""
    return get(framework).checkpoint_extension


def load(framework):
    """Return the twin for `framework`: the module `course_lib.torch` or `course_lib.tf`.

    Args:
        framework: "torch" or "tf".
    Returns:
        The twin package; its submodules (losses, toy_gan, vae_train, product_train, utils, ...) share names and
        signatures.
    Raises:
        course_lib.errors.InputError (a ValueError): for an unknown framework name.
        ImportError: when the framework is not installed, naming the pip extra to install.
    """
    entry = get(framework)
    try:
        importlib.import_module(entry.module)
    except ImportError as error:
        raise ImportError(
            f"course_lib.load({entry.name!r}) needs {entry.module}, which is not installed "
            f"({error}). Install it with: pip install 'course_lib[{entry.extra}]' "
            f"(or run `make setup` in the course repository)."
        ) from error
    return importlib.import_module(f"course_lib.{entry.name}")
