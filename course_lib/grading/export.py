"""Moving a student's answers out of the kernel as plain data: JSON and .npy files, never pickle.

Kernel side, `export_answer` runs in a cell the grader adds right after each exercise cell (before the check
cell, which would replace a wrong answer with the reference). It calls the student's function on the hidden
inputs (or takes the value) and writes `<export_dir>/<exercise id>/manifest.json` plus one .npy file per array.
The folder name holds a random nonce that the grader chooses at grading time and that appears only in that
cell, so a file the student's code wrote beforehand is never taken for an export; the manifest repeats the
nonce.

Grader side, `read_export` reads those files as untrusted data: no symlinks, size caps, a fixed structure,
`numpy.load(allow_pickle=False)` and numeric or string dtypes only. Scoring happens in the grader process
(`Exercise.score_outputs`) on expected values it computes itself.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ExportResult", "export_answer", "read_export"]

FORMAT = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_ARRAY_BYTES = 64 * 1024 * 1024
_NPY_NAME = re.compile(r"^out_[0-9]{1,6}\.npy$")
_ALLOWED_KINDS = set("biufcU")


# ----------------------------------------------------------------------------------------------- kernel side
def _to_numpy(value):
    """torch / TensorFlow tensors and numpy arrays to numpy (no framework import needed)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf.Tensor / tf.Variable
        value = value.numpy()
    return value


def _encode(value, folder: str, counter: list[int], depth: int = 0):
    if depth > 20:
        raise ValueError("the answer is nested too deeply")
    value = _to_numpy(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_encode(v, folder, counter, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, folder, counter, depth + 1) for k, v in value.items()}
    array = np.asarray(value)
    if array.dtype.kind not in _ALLOWED_KINDS:
        raise TypeError(f"cannot export a {type(value).__name__} (expected numbers, strings, arrays)")
    name = f"out_{counter[0]}.npy"
    counter[0] += 1
    np.save(os.path.join(folder, name), array, allow_pickle=False)
    return {"__npy__": name}


def export_answer(exercise_id: str, namespace: dict, seed: int, export_dir: str, nonce: str) -> None:
    """Write the student's answer to `exercise_id` (looked up in `namespace`) as JSON/.npy. Never raises."""
    from course_lib.grading.exercise import get_exercise

    folder = os.path.join(export_dir, exercise_id)
    os.makedirs(export_dir, exist_ok=True)
    os.mkdir(folder)  # fails if it exists: one export per exercise
    manifest: dict[str, Any] = {"format": FORMAT, "nonce": nonce, "exercise": exercise_id, "status": "ok",
                                "reason": "", "results": []}
    counter = [0]
    try:
        exercise = get_exercise(exercise_id)
        if exercise.answer_name not in namespace:
            manifest.update(status="missing", reason=f"the exercise cell does not define `{exercise.answer_name}`")
        elif exercise.kind == "value":
            manifest["results"].append(_run_one(lambda: namespace[exercise.answer_name], folder, counter))
        else:
            answer = namespace[exercise.answer_name]
            if not callable(answer):
                manifest.update(status="error", reason=f"`{exercise.answer_name}` is not a function")
            else:
                for args in exercise.input_cases(seed):
                    manifest["results"].append(_run_one(lambda: answer(*args), folder, counter))
    except BaseException as error:  # noqa: BLE001 - report, never stop the notebook here
        manifest.update(status="error", reason=f"{type(error).__name__}: {str(error)[:300]}")
    tmp = os.path.join(folder, MANIFEST + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle)
    os.replace(tmp, os.path.join(folder, MANIFEST))


def _run_one(call, folder, counter) -> dict:
    try:
        return {"ok": True, "value": _encode(call(), folder, counter)}
    except NotImplementedError:
        return {"ok": False, "reason": "not attempted (the stub still raises NotImplementedError)"}
    except KeyboardInterrupt:
        return {"ok": False, "reason": "interrupted: the answer ran past the time limit"}
    except BaseException as error:  # noqa: BLE001 - the student's code may raise anything, SystemExit included
        return {"ok": False, "reason": f"your code raised {type(error).__name__}: {str(error)[:300]}"}


# ----------------------------------------------------------------------------------------------- grader side
@dataclass
class ExportResult:
    """What one exercise's export said: status "ok" | "missing" | "error" | "absent" | "invalid"."""

    status: str
    reason: str = ""
    outputs: list[Any] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)


def _open_nofollow(folder_fd: int, name: str, directory: bool) -> int:
    flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if directory else 0)
    fd = os.open(name, flags, dir_fd=folder_fd)
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISDIR(mode) if directory else stat.S_ISREG(mode)):
        os.close(fd)
        raise OSError(f"{name} is not a regular {'folder' if directory else 'file'}")
    return fd


def _read_file(folder_fd: int, name: str, limit: int) -> bytes:
    fd = _open_nofollow(folder_fd, name, directory=False)
    try:
        if os.fstat(fd).st_size > limit:
            raise ValueError(f"{name} is larger than {limit} bytes")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def _decode(tree, folder_fd: int, budget: list[int], depth: int = 0):
    if depth > 22:
        raise ValueError("nested too deeply")
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [_decode(v, folder_fd, budget, depth + 1) for v in tree]
    if isinstance(tree, dict):
        if set(tree) == {"__npy__"}:
            name = tree["__npy__"]
            if not isinstance(name, str) or not _NPY_NAME.match(name):
                raise ValueError(f"bad array file name {name!r}")
            raw = _read_file(folder_fd, name, budget[0])
            budget[0] -= len(raw)
            import io

            array = np.load(io.BytesIO(raw), allow_pickle=False)
            if array.dtype.kind not in _ALLOWED_KINDS:
                raise ValueError(f"array dtype {array.dtype} is not allowed")
            return array
        return {str(k): _decode(v, folder_fd, budget, depth + 1) for k, v in tree.items()}
    raise ValueError(f"unexpected {type(tree).__name__} in the export")


def read_export(export_dir: str, exercise_id: str, nonce: str) -> ExportResult:
    """Read and validate one exercise's export; anything unexpected gives a result that scores 0."""
    try:
        root_fd = os.open(export_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return ExportResult("absent", "no export: the notebook did not reach the grader's cell after this "
                                      "exercise (an earlier error, timeout, exit or crash)")
    try:
        try:
            folder_fd = _open_nofollow(root_fd, exercise_id, directory=True)
        except OSError:
            return ExportResult("absent", "no export: the cell after this exercise did not run (timeout, exit, "
                                          "crash or a missing exercise cell)")
        try:
            manifest = json.loads(_read_file(folder_fd, MANIFEST, MAX_MANIFEST_BYTES))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise ValueError("unknown manifest format")
            if manifest.get("nonce") != nonce or manifest.get("exercise") != exercise_id:
                raise ValueError("the export does not carry this grading run's nonce")
            status, reason = manifest.get("status"), manifest.get("reason", "")
            if status not in ("ok", "missing", "error") or not isinstance(reason, str):
                raise ValueError("bad status")
            if status != "ok":
                return ExportResult(status, reason[:500])
            outputs, errors, budget = [], [], [MAX_ARRAY_BYTES]
            for item in manifest.get("results", []):
                if not isinstance(item, dict) or not isinstance(item.get("ok"), bool):
                    raise ValueError("bad result entry")
                if item["ok"]:
                    outputs.append(_decode(item.get("value"), folder_fd, budget))
                    errors.append(None)
                else:
                    outputs.append(None)
                    errors.append(str(item.get("reason", "failed"))[:500])
            return ExportResult("ok", "", outputs, errors)
        except (OSError, ValueError, TypeError, RecursionError) as error:
            return ExportResult("invalid", f"the export is not valid ({str(error)[:200]}); it scores 0")
        finally:
            os.close(folder_fd)
    finally:
        os.close(root_fd)
