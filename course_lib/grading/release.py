"""Make the student version of a master notebook: solutions out, stubs in, outputs cleared.

In the master, each solution sits between marker lines (nbgrader's convention):

    def to_unit_range(images):
        ### BEGIN SOLUTION
        return np.asarray(images, dtype=np.float32) / 127.5 - 1.0
        ### END SOLUTION

The release replaces each block, markers included, with `raise NotImplementedError` at the marker's
indentation, or with the block's `### STUB:` lines when it has any (a value exercise needs an assignment):

    ### BEGIN SOLUTION
    SNEAKER_CLASS = 7
    ### STUB: SNEAKER_CLASS = None  # replace None with the class index
    ### END SOLUTION

`python -m course_lib grade release MASTER.ipynb STUDENT.ipynb`
"""

from __future__ import annotations

import copy
import re

from course_lib.atomic import write_text_atomic

__all__ = ["release_notebook", "solved_source", "strip_solutions"]

BEGIN, END, STUB = "### BEGIN SOLUTION", "### END SOLUTION", "### STUB:"
_STUB_LINE = re.compile(r"^(\s*)### STUB:\s?(.*)$")


def strip_solutions(source: str) -> str:
    """Replace every solution block of a cell's source with its stub."""
    out, block, indent = [], None, ""
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if block is not None:
                raise ValueError(f"line {number}: {BEGIN} inside another solution block; close it with {END}.")
            block, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if block is None:
                raise ValueError(f"line {number}: {END} without a {BEGIN} before it.")
            out.extend(block or [f"{indent}raise NotImplementedError"])
            block = None
        elif block is not None:
            match = _STUB_LINE.match(line)
            if match:
                block.append(f"{match.group(1)}{match.group(2)}")
        else:
            out.append(line)
    if block is not None:
        raise ValueError(f"a {BEGIN} block is never closed with {END}.")
    return "\n".join(out)


def solved_source(source: str) -> str:
    """The master's cell with the markers and stub lines removed: the solved version a student could write."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in (BEGIN, END) and not _STUB_LINE.match(line))


def release_notebook(master_path, out_path) -> int:
    """Write the student version of `master_path` to `out_path` (atomically); returns the blocks replaced."""
    import nbformat

    master = nbformat.read(master_path, as_version=4)
    student = copy.deepcopy(master)
    replaced = 0
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if BEGIN in cell.source or END in cell.source:
            try:
                cell.source = strip_solutions(cell.source)
            except ValueError as error:
                raise ValueError(f"{master_path}, cell {index}: {error}") from None
            replaced += 1
        cell.get("metadata", {}).pop("papermill", None)
    text = nbformat.writes(student)
    if BEGIN in text or "### STUB:" in text:
        raise ValueError("a solution marker is still in the student version; check the marker lines.")
    write_text_atomic(out_path, text)
    return replaced
