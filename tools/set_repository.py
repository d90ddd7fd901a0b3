"""Point the README's Colab badges and the notebooks' Colab install line at a GitHub repository.

The repository is written once, here (REPOSITORY). A fork runs:
    python tools/set_repository.py your-name/your-fork [--tag v0.1.0]
which rewrites the badge table in README.md (between the colab-badges markers) and the pinned install line in
each notebook's Colab set-up cell.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPOSITORY = "generative-product-images/course"
TAG = "v0.1.0"
REPO_ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- colab-badges:begin -->", "<!-- colab-badges:end -->"
INSTALL = re.compile(r'git\+https://github\.com/[\w.-]+/[\w.-]+@[\w.-]+')


def badge_table(repository: str, notebooks: list[Path]) -> str:
    rows = ["| notebook | open |", "|---|---|"]
    for nb in notebooks:
        url = f"https://colab.research.google.com/github/{repository}/blob/main/notebooks/{nb.name}"
        rows.append(f"| `{nb.name}` | [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url}) |")
    return "\n".join(rows)


def rewrite(repository: str, tag: str) -> None:
    notebooks = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    readme = REPO_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    readme.write_text(text[:start] + "\n" + badge_table(repository, notebooks) + "\n" + text[end:], encoding="utf-8")
    for nb in notebooks:
        data = json.loads(nb.read_text(encoding="utf-8"))
        for cell in data["cells"]:
            if "colab-setup" in cell.get("metadata", {}).get("tags", []):
                source = "".join(cell["source"])
                cell["source"] = INSTALL.sub(f"git+https://github.com/{repository}@{tag}", source)
        nb.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", nargs="?", default=REPOSITORY, help="owner/name on GitHub")
    parser.add_argument("--tag", default=TAG)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", args.repository):
        parser.error("repository must look like owner/name")
    rewrite(args.repository, args.tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
