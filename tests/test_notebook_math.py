"""Formulas in the notebooks' markdown are LaTeX: no plain-text formula is left outside `$…$` / `$$…$$`."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.conftest import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# What a formula typed as plain text looks like; inside math, code spans or code blocks these are fine.
PLAIN_FORMULA = {
    "expectation with a subscript": r"\bE_\{|\bE_\w",
    "a KL written as text": r"\bKL\(",
    "a distribution name as text": r"\bp_(data|g|theta)\b|\bq_phi\b",
    "log of D as text": r"\blog D\(|\blog\(1 ?- ?D",
    "D of G of z as text": r"\bD\(G\(z",
    "sigma( as text": r"\bsigma\(",
    "a Gaussian as text": r"\bN\(0, ?I\)|\bN\(mu",
    "a LaTeX command outside math": r"\\(frac|sum|log|mathbb|mathcal|sigma|mu|beta|gamma|lambda|nabla|partial)\b",
    "a caret power as text": r"\b[a-zA-Z]\^[0-9a-zA-Z{]",
    "an underscore index as text": r"\b[a-zA-Z]_\{",
}
STRIPPED = [
    r"\$\$.*?\$\$",          # displayed math
    r"(?<!\\)\$.*?(?<!\\)\$",  # inline math
    r"```.*?```",            # code blocks
    r"`[^`]*`",              # code spans
    r"<!--.*?-->",           # comments (markers)
    r"\]\([^)]*\)",          # link targets
]


def prose(markdown: str) -> str:
    for pattern in STRIPPED:
        markdown = re.sub(pattern, " ", markdown, flags=re.DOTALL)
    return markdown


def test_the_stripper_keeps_prose_and_drops_math():
    text = "The loss $-\\log D(x)$ and $$\\mathbb{E}_{x}[x]$$ but E_{x ~ p_data} is plain, `KL(q||p)` code."
    left = prose(text)
    assert "E_{x ~ p_data}" in left and "mathbb" not in left and "KL(" not in left


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_plain_text_formula_in_markdown(path):
    found = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "markdown":
            continue
        text = prose(cell.source)
        for what, pattern in PLAIN_FORMULA.items():
            for match in re.finditer(pattern, text):
                context = text[max(0, match.start() - 30): match.end() + 30].replace("\n", " ")
                found.append(f"cell {index}: {what}: …{context}…")
    assert not found, f"{path.name} has plain-text formulas (write them in LaTeX):\n" + "\n".join(found[:25])
