"""Point the README's Colab badges and every notebook's Colab set-up cell at a GitHub repository and release.

The repository is written once, here (REPOSITORY); the release is always `v` + `course_lib.__version__`, so the
ref a notebook installs and the notebook come from the same release. A fork runs:
    python tools/set_repository.py your-name/your-fork
which rewrites REPOSITORY below, the badge table and install lines in README.md, and the Colab set-up cell of each
notebook (tools/nbbuild.py builds the same cell from here). After a version bump, run it without an argument.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

__all__ = ["REPOSITORY", "TAG", "badge_table", "colab_setup_cell", "course_version", "main", "rewrite"]

REPOSITORY = "generative-product-images/course"
REPO_ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- colab-badges:begin -->", "<!-- colab-badges:end -->"
GITHUB_URL = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+?(?=[@\"'\s`]|$)")
_VERSION = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
_REPOSITORY_LINE = re.compile(r'^REPOSITORY = "[^"]*"$', re.MULTILINE)


def course_version(root: Path = REPO_ROOT) -> str:
    """`course_lib.__version__`, read from the source so that a fork needs nothing installed."""
    match = _VERSION.search((root / "course_lib" / "version.py").read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"no `__version__ = \"...\"` line in {root / 'course_lib' / 'version.py'}")
    return match.group(1)


TAG = f"v{course_version()}"


def colab_setup_cell(repository: str = REPOSITORY, tag: str = TAG) -> str:
    """The first code cell of every notebook: on Colab, install course_lib from the notebook's own release.

    The `colab` extra adds nothing that Colab ships (no Jupyter, kernel or widget package, no framework), so the
    kernel's packages stay as Colab pinned them.
    """
    return f'''# Colab set-up: installs course_lib from this notebook's release, {tag}, and nothing Colab already has
# (its kernel, widgets and frameworks stay as they are); does nothing elsewhere.
import sys
if "google.colab" in sys.modules:
    %pip install -q "course_lib[colab] @ git+https://github.com/{repository}@{tag}"
    from google.colab import output
    output.enable_custom_widget_manager()'''


def badge_table(repository: str, notebooks: list[Path]) -> str:
    rows = ["| notebook | open |", "|---|---|"]
    for nb in notebooks:
        url = f"https://colab.research.google.com/github/{repository}/blob/main/notebooks/{nb.name}"
        rows.append(f"| `{nb.name}` | "
                    f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url}) |")
    return "\n".join(rows)


def _rewrite_notebook(notebook: Path, cell_source: str) -> None:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    changed = False
    for cell in data["cells"]:
        if "colab-setup" in cell.get("metadata", {}).get("tags", []) and "".join(cell["source"]) != cell_source:
            cell["source"] = cell_source.splitlines(keepends=True)  # nbformat's on-disk form
            changed = True
    if changed:
        notebook.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def rewrite(repository: str, root: Path = REPO_ROOT) -> None:
    """Write `repository` and the release tag into this script, README.md and every notebook under `root`."""
    tag = f"v{course_version(root)}"
    script = root / "tools" / "set_repository.py"
    script.write_text(_REPOSITORY_LINE.sub(f'REPOSITORY = "{repository}"', script.read_text(encoding="utf-8")),
                      encoding="utf-8")
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    readme = root / "README.md"
    text = GITHUB_URL.sub(f"git+https://github.com/{repository}", readme.read_text(encoding="utf-8"))
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + "\n" + badge_table(repository, notebooks) + "\n" + text[end:], encoding="utf-8")
    cell_source = colab_setup_cell(repository, tag)
    for nb in notebooks:
        _rewrite_notebook(nb, cell_source)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", nargs="?", help="owner/name on GitHub (default: REPOSITORY, as written here)")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repository is None:  # as written in the script under --root (this file, unless testing a copy)
        script = (args.root / "tools" / "set_repository.py").read_text(encoding="utf-8")
        args.repository = _REPOSITORY_LINE.search(script).group(0).split('"')[1]
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repository):
        parser.error("repository must look like owner/name")
    rewrite(args.repository, args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
