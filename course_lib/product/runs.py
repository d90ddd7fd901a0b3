"""Run folders runs/<name>/ (config.json, checkpoints/, metrics.json, samples.png), atomic writes, the last-N
checkpoint rotation, and Google Drive on Colab. Framework-free: both twins' trainers call these.

Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, fields
from pathlib import Path

from course_lib.atomic import write_bytes_atomic
from course_lib.version import __version__

__all__ = ["atomic_write_bytes", "atomic_write_json", "checkpoint_paths", "drive_runs_dir",
           "latest_checkpoint", "load_config", "prune_checkpoints", "resolve_run_dir", "save_config"]

DRIVE_ROOT = Path("/content/drive/MyDrive")
_CKPT = re.compile(r"^ckpt_(\d{8})\.(pt|npz)$")


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename it over `path` (never half a file)."""
    return write_bytes_atomic(path, data)


def atomic_write_json(path, value) -> Path:
    """Write `value` (made JSON-friendly by course_lib.records.to_jsonable) as indented JSON, atomically."""
    from course_lib.records import to_jsonable

    return atomic_write_bytes(path, (json.dumps(to_jsonable(value), indent=1, sort_keys=True) + "\n").encode())


def drive_runs_dir() -> Path | None:
    """runs folder on Google Drive when running in Colab with Drive mounted (survives a disconnect), else None."""
    import sys

    if "google.colab" in sys.modules and DRIVE_ROOT.is_dir():
        return DRIVE_ROOT / "course_runs"
    return None


def resolve_run_dir(config) -> Path:
    """runs/<name>/ under config.runs_dir, or under Google Drive when mounted in Colab and runs_dir is "runs"."""
    base = Path(config.runs_dir)
    if config.runs_dir == "runs" and drive_runs_dir() is not None:
        base = drive_runs_dir()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", config.name):
        raise ValueError(f"Run name {config.name!r} must use letters, digits, '_', '-' or '.' only.")
    return base / config.name


def save_config(config, run_dir) -> Path:
    """run_dir/config.json with the config's fields and the course_lib version."""
    return atomic_write_json(Path(run_dir) / "config.json", {**asdict(config), "course_lib": __version__})


def load_config(path_or_dict, cls=None):
    """A ProductGANConfig from a config.json path or a dict; unknown keys raise an error that lists them."""
    from course_lib.config import ProductGANConfig

    cls = cls or ProductGANConfig
    values = path_or_dict if isinstance(path_or_dict, dict) else json.loads(Path(path_or_dict).read_text())
    values = {k: v for k, v in values.items() if k != "course_lib"}
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"Unknown config keys {unknown}; known keys: {sorted(known)}.")
    return cls(**values)


def checkpoint_paths(run_dir, ext: str | None = None) -> list[Path]:
    """Checkpoints run_dir/checkpoints/ckpt_<step>.<ext>, oldest first; ext is the twin's checkpoint extension
    (course_lib.frameworks: "pt" for torch, "npz" for tf), None for both."""
    folder = Path(run_dir) / "checkpoints"
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _CKPT.match(p.name) and ext in (None, _CKPT.match(p.name).group(2))]
    return sorted(found, key=lambda p: int(_CKPT.match(p.name).group(1)))


def latest_checkpoint(run_dir, ext: str | None = None) -> Path | None:
    """The newest checkpoint of run_dir (of one twin when ext is given), or None."""
    paths = checkpoint_paths(run_dir, ext)
    return paths[-1] if paths else None


def prune_checkpoints(run_dir, keep: int, ext: str | None = None) -> list[Path]:
    """Delete all but the newest `keep` checkpoints (of one twin when ext is given); returns the deleted paths."""
    paths = checkpoint_paths(run_dir, ext)
    doomed = paths[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
