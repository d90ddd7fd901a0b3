"""Reading a student's answers as untrusted data: the JSON lines course_lib.grading.answer_runner writes.

One line per exercise: {"id", "index", "status": "ok" | "missing" | "error", "reason", "results": [{"ok": true,
"value": TREE} | {"ok": false, "reason": TEXT}], "cell_error", "library": [names]}. A TREE holds None, booleans,
numbers, strings, lists, dicts and arrays as {"__npy__": base64 of a .npy file}. Arrays are checked before numpy
allocates anything: the header must be a plain numeric or string dtype, and the data the header announces must be
exactly the bytes that are there (a header that claims 10^12 values is refused, not allocated). Anything
unexpected gives a result that scores 0 for that exercise only.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MAX_ARRAY_BYTES", "MAX_LINE_BYTES", "ExportResult", "load_npy", "parse_line", "read_frame"]

MAX_ARRAY_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = MAX_ARRAY_BYTES * 4 // 3 + 8 * 1024 * 1024  # base64 of the arrays plus the JSON around them
_ALLOWED_KINDS = set("biufcU")


@dataclass
class ExportResult:
    """What one exercise's answer gave: status "ok" | "missing" | "error" | "absent" | "invalid"."""

    status: str
    reason: str = ""
    outputs: list[Any] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)
    library: list[str] = field(default_factory=list)  # course_lib names the answer tried to use


def load_npy(raw: bytes) -> np.ndarray:
    """A .npy file's array, after checking that its header matches its size (never allocates past the bytes)."""
    handle = io.BytesIO(raw)
    version = np.lib.format.read_magic(handle)
    if version == (1, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_1_0(handle, max_header_size=4096)
    elif version == (2, 0):
        shape, _fortran, dtype = np.lib.format.read_array_header_2_0(handle, max_header_size=4096)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    if dtype.kind not in _ALLOWED_KINDS or dtype.hasobject or dtype.fields is not None:
        raise ValueError(f"array dtype {dtype} is not allowed")
    count = math.prod(int(n) for n in shape)
    if count * dtype.itemsize != len(raw) - handle.tell():
        raise ValueError(f"the array header claims {count} values of {dtype.itemsize} bytes; "
                         f"{len(raw) - handle.tell()} bytes are there")
    return np.load(io.BytesIO(raw), allow_pickle=False)


def _decode(tree, budget: list[int], depth: int = 0):
    if depth > 22:
        raise ValueError("nested too deeply")
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [_decode(v, budget, depth + 1) for v in tree]
    if isinstance(tree, dict):
        if set(tree) == {"__npy__"}:
            if not isinstance(tree["__npy__"], str):
                raise ValueError("bad array entry")
            raw = base64.b64decode(tree["__npy__"], validate=True)
            budget[0] -= len(raw)
            if budget[0] < 0:
                raise ValueError(f"the arrays are larger than {MAX_ARRAY_BYTES // 2 ** 20} MB")
            return load_npy(raw)
        return {str(k): _decode(v, budget, depth + 1) for k, v in tree.items()}
    raise ValueError(f"unexpected {type(tree).__name__} in the answer")


def read_frame(frame: dict, exercise_id: str) -> ExportResult:
    """Validate one exercise's line (already parsed as JSON); anything unexpected is "invalid"."""
    try:
        if not isinstance(frame, dict) or frame.get("id") != exercise_id:
            raise ValueError("the answer's record is not this exercise's")
        status, reason = frame.get("status"), frame.get("reason", "")
        library = frame.get("library", [])
        if not isinstance(library, list) or not all(isinstance(n, str) for n in library):
            raise ValueError("bad library list")
        library = [n[:100] for n in library[:20]]
        if status not in ("ok", "missing", "error") or not isinstance(reason, str):
            raise ValueError("bad status")
        if status != "ok":
            return ExportResult(status, reason[:500], library=library)
        outputs, errors, budget = [], [], [MAX_ARRAY_BYTES]
        results = frame.get("results", [])
        if not isinstance(results, list) or len(results) > 1000:
            raise ValueError("bad results")
        for item in results:
            if not isinstance(item, dict) or not isinstance(item.get("ok"), bool):
                raise ValueError("bad result entry")
            if item["ok"]:
                outputs.append(_decode(item.get("value"), budget))
                errors.append(None)
            else:
                outputs.append(None)
                errors.append(str(item.get("reason", "failed"))[:500])
        return ExportResult("ok", "", outputs, errors, library)
    except (ValueError, TypeError, RecursionError, MemoryError, binascii.Error) as error:
        return ExportResult("invalid", f"the answer's output is not valid ({str(error)[:200]}); it scores 0")


def parse_line(line: bytes) -> dict | None:
    """One JSON line from the answer process, or None when it is not a JSON object."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError, MemoryError):
        return None
    return value if isinstance(value, dict) else None
