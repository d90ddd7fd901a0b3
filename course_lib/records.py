"""Results that tests and the grader read: `record(name, value)` writes a JSON sidecar.

Where the sidecar goes, first match wins: the `path` argument; the environment variable
`COURSE_RECORD_PATH`; the path set by `set_records_path` (notebooks do this from their parameters cell);
`course_records/records.json` under the current directory.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from course_lib.atomic import write_text_atomic

_records_path: Path | None = None

__all__ = ["read_records", "record", "records_path", "set_records_path", "to_jsonable"]


def set_records_path(path: str | os.PathLike | None) -> None:
    """Make `record` write to `path` (None restores the default)."""
    global _records_path
    _records_path = Path(path) if path else None


def records_path(path: str | os.PathLike | None = None) -> Path:
    """The sidecar that `record` writes to (see the module docstring for the order)."""
    if path:
        return Path(path)
    if os.environ.get("COURSE_RECORD_PATH"):
        return Path(os.environ["COURSE_RECORD_PATH"])
    if _records_path is not None:
        return _records_path
    return Path("course_records") / "records.json"


def to_jsonable(value: Any) -> Any:
    """numpy scalars and arrays, tuples and nested dicts to plain JSON types; NaN and inf to strings."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN/inf; keep them visible rather than invalid
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"record() takes JSON-like values (numbers, strings, lists, dicts, numpy arrays); got {type(value).__name__}."
    )


def read_records(path: str | os.PathLike | None = None) -> dict:
    """Everything recorded so far in the sidecar ({} when there is none)."""
    target = records_path(path)
    if not target.exists():
        return {}
    return json.loads(target.read_text(encoding="utf-8"))


def record(name: str, value: Any, path: str | os.PathLike | None = None) -> Any:
    """Store `value` under `name` in the JSON sidecar, atomically, and return `value` unchanged.

    Args:
        name: a key such as "gallery_classes" or "final_fid".
        value: a number, string, list, dict or numpy array (stored as nested lists).
        path: optional sidecar path, overriding the environment and `set_records_path`.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"record() needs a non-empty string name; got {name!r}.")
    target = records_path(path)
    records = read_records(target)
    records[name] = to_jsonable(value)
    write_text_atomic(target, json.dumps(records, indent=1, sort_keys=True))  # never half a JSON file
    return value
