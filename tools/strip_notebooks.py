"""Strip notebook outputs before committing, keeping the cells tagged for nbval output checks.

A cell tagged `nbval-check-output` keeps its outputs and execution count (nbval compares them); every other
cell loses both, and notebook-level execution metadata is dropped. Usage (also the pre-commit hook):
    python tools/strip_notebooks.py notebooks/*.ipynb           # rewrite in place
    python tools/strip_notebooks.py --check notebooks/*.ipynb   # exit 1 listing notebooks that need stripping
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
from pathlib import Path

KEEP_TAG = "nbval-check-output"
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "papermill", "ExecuteTime")


def stripped(notebook: dict) -> dict:
    """A copy of the notebook JSON without outputs, except in cells tagged KEEP_TAG."""
    result = copy.deepcopy(notebook)
    for key in ("papermill", "widgets"):
        result.get("metadata", {}).pop(key, None)
    for cell in result.get("cells", []):
        metadata = cell.setdefault("metadata", {})
        for key in VOLATILE_CELL_METADATA:
            metadata.pop(key, None)
        if cell.get("cell_type") != "code":
            continue
        if KEEP_TAG not in metadata.get("tags", []):
            cell["outputs"] = []
            cell["execution_count"] = None
    return result


def _write_atomic(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, mode)  # mkstemp creates 0600; keep the notebook readable as before
    os.replace(tmp, path)


def dumps(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not stripped")
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    dirty = []
    for path in args.notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        clean = dumps(stripped(notebook))
        if clean != path.read_text(encoding="utf-8"):
            dirty.append(path)
            if not args.check:
                _write_atomic(path, clean)
    for path in dirty:
        print(f"{'not stripped' if args.check else 'stripped'}: {path}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
