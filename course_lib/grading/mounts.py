"""What the sandbox sees of this machine: the folders it reads (Python, course_lib), the checkouts it must not see
(their `.git`, tests and notebooks), and the instructor's files it must not see (submissions, master, gradebook).
The lists go to course_lib.grading.jail, which mounts them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["COURSE_ROOT", "expose_and_mask", "hide_list"]

COURSE_ROOT = str(Path(__file__).resolve().parents[2])


def hide_list(instructor_hide: list[str], extra: list[str]) -> list[str]:
    """Folders to hide from the sandbox, except those holding course_lib or Python itself (then files only)."""
    protected = [Path(COURSE_ROOT), Path(sys.prefix).resolve(), Path(sys.executable).resolve().parent]
    hide = []
    for path in [*extra, *instructor_hide]:
        path = Path(path).resolve()
        folder = path if path.is_dir() else path.parent
        if any(p == folder or folder in p.parents for p in protected):
            hide.append(str(path))
        else:
            hide.append(str(folder))
    return list(dict.fromkeys(hide))


def _repository_root(path: str) -> str | None:
    """The closest folder at or above `path` holding `.git` (a checkout), if any."""
    current = os.path.realpath(path)
    while current != os.path.dirname(current):
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        current = os.path.dirname(current)
    return None


def _python_paths() -> list[str]:
    """Python, its standard library and packages, without any checkout folder put on the path as a whole."""
    paths = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    paths += [p for p in sys.path if p and os.path.isdir(p)]
    return [p for p in paths if os.path.realpath(p) != _repository_root(p)]


def expose_and_mask(with_course_lib: bool) -> tuple[list[str], list[str]]:
    """(folders the sandbox reads, folders it must not see but for those): checkouts are masked (their .git,
    tests/fixtures/solutions, masters) and only Python and, for the notebook's kernel, course_lib/ come back."""
    paths = _python_paths() + ([os.path.join(COURSE_ROOT, "course_lib")] if with_course_lib else [])
    real = sorted({os.path.realpath(p) for p in paths}, key=len)
    kept = []
    for path in real:  # drop paths inside another kept one
        if not any(path == k or path.startswith(k + os.sep) for k in kept):
            kept.append(path)
    masks = {COURSE_ROOT, *filter(None, (_repository_root(p) for p in kept))}
    return kept, sorted(masks)
