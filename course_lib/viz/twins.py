"""`show_twins("losses.non_saturating_generator_loss")`: the PyTorch and TensorFlow source of a twin, side by side.

The source is read from the files with `ast`, so neither framework is imported: students see both implementations
whichever framework they run (and even with only one installed).
"""

from __future__ import annotations

import ast
import html
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TwinSource", "show_twins", "twin_source"]

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
LABELS = {"torch": "PyTorch", "tf": "TensorFlow"}


@dataclass
class TwinSource:
    """The two sources of one twin; renders as two HTML columns in Jupyter and as plain text elsewhere."""

    name: str
    sources: dict  # framework -> source text

    def _repr_html_(self) -> str:
        columns = "".join(
            f'<div style="flex:1;min-width:0"><b>{LABELS[fw]}</b> '
            f'<code>course_lib/{fw}/{self.name.split(".")[0]}.py</code>'
            f'<pre style="font-size:80%;overflow-x:auto">{html.escape(src)}</pre></div>'
            for fw, src in self.sources.items()
        )
        return f'<div style="display:flex;gap:1em">{columns}</div>'

    def __str__(self) -> str:
        return "\n".join(f"# ---- {LABELS[fw]}: course_lib/{fw}/{self.name.split('.')[0]}.py\n{src}\n"
                         for fw, src in self.sources.items())

    __repr__ = __str__


def twin_source(name: str, framework: str) -> str:
    """Source text of `module.function` (or `module.Class`, or a whole `module`) in one twin."""
    module, _, symbol = name.partition(".")
    path = PACKAGE_ROOT / framework / f"{module}.py"
    if not path.exists():
        known = sorted(p.stem for p in (PACKAGE_ROOT / framework).glob("*.py") if not p.stem.startswith("_"))
        raise ValueError(f"No twin module {module!r}: expected one of {known} (e.g. 'losses.minimax_generator_loss').")
    text = path.read_text(encoding="utf-8")
    if not symbol:
        return text
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == symbol:
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            return "\n".join(text.splitlines()[start - 1:node.end_lineno])
    raise ValueError(f"course_lib/{framework}/{module}.py defines no function or class {symbol!r}.")


def show_twins(name: str) -> TwinSource:
    """Both twins' source of `name` ("module.function", "module.Class" or "module"), PyTorch left, TensorFlow right.

    Used in: every notebook that introduces a twin function.
    """
    if not isinstance(name, str) or not name:
        raise ValueError("show_twins takes a name such as 'losses.non_saturating_generator_loss'.")
    return TwinSource(name, {fw: twin_source(name, fw) for fw in ("torch", "tf")})
