"""Tiny helpers to write a course notebook from Python (cells in order, tags, stripped outputs)."""

from __future__ import annotations

from pathlib import Path

import nbformat

COLAB_SETUP = '''# Colab set-up: installs course_lib (pinned) and enables widgets; does nothing elsewhere.
import sys
if "google.colab" in sys.modules:
    %pip install -q "course_lib[notebooks] @ git+https://github.com/generative-product-images/course@v0.1.0"
    from google.colab import output
    output.enable_custom_widget_manager()'''


def md(text: str):
    return nbformat.v4.new_markdown_cell(text.strip("\n"))


def code(source: str, *tags: str):
    cell = nbformat.v4.new_code_cell(source.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write(path: str | Path, cells) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"  # stable ids keep diffs small
    nbformat.write(notebook, str(path))
