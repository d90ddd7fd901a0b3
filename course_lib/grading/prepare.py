"""Turn a submitted notebook into the notebook the grader runs, without running any of it.

Cells are found by tag and id, never by position:
- the master's cell tagged `parameters` replaces the submission's (there is exactly one);
- every cell tagged `check` is the instructor's: the submission's are dropped and the master's is put back right
  after the graded exercise cell;
- the exercise cell of `ex-NN-K` is the code cell tagged `exercise` and `ex-NN-K`. When a student duplicated
  it, the last copy is graded (it is the one in force when the notebook runs top to bottom); when they deleted
  it (or its tags), the master's stub is put back so later cells still run, and the exercise scores 0;
- tags are read leniently: a string instead of a list, stray spaces, capitals, repeats and unknown `ex-` tags
  next to a known one do not cost an answer its points.
No grader cell is added: the kernel never sees the seed or anything that counts (course_lib.grading.answers).
Outputs are cleared; cells papermill injected earlier (`injected-parameters`) and old grader cells are dropped.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field

from course_lib.grading.release import strip_solutions

__all__ = ["PreparedNotebook", "exercise_ids", "prepare_submission", "sha256_of"]

INSTRUCTOR_TAGS = ("parameters", "check")
EXPORT_TAG = "grader-export"  # the cells older graders added; dropped
MARK = "grader_exercise"  # metadata the grader puts on each graded exercise cell, to find it after the run


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tags(cell) -> list[str]:
    """The cell's tags, normalised: a string is split on commas and spaces; stripped, lower case, no repeats."""
    metadata = cell.get("metadata", {})
    tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
    if isinstance(tags, str):
        tags = tags.replace(",", " ").split()
    if not isinstance(tags, (list, tuple)):
        return []
    return list(dict.fromkeys(t.strip().lower() for t in tags if isinstance(t, str) and t.strip()))


def _ex_id(cell, kind: str, known=None) -> str | None:
    """The `ex-NN-K` id of a code cell tagged `kind` ("exercise" or "check"), else None.

    With `known` (the master's ids), other `ex-` tags are ignored: one known id is enough."""
    if cell.get("cell_type") != "code" or kind not in _tags(cell):
        return None
    ids = [t for t in _tags(cell) if t.startswith("ex-") and (known is None or t in known)]
    return ids[0] if len(ids) == 1 else None


def exercise_ids(master) -> list[str]:
    """Ids of the master's exercise cells, in order; each must appear once with a check cell."""
    ids = [i for i in (_ex_id(c, "exercise") for c in master.cells) if i]
    checks = {i for i in (_ex_id(c, "check") for c in master.cells) if i}
    if len(set(ids)) != len(ids):
        raise ValueError(f"The master notebook has duplicated exercise cells: {ids}. Each id must be tagged once.")
    if missing := [i for i in ids if i not in checks]:
        raise ValueError(f"The master notebook has no check cell (tags `check` and the id) for {missing}.")
    if not [c for c in master.cells if "parameters" in _tags(c)]:
        raise ValueError("The master notebook has no cell tagged `parameters`.")
    return ids


@dataclass
class PreparedNotebook:
    nb: object
    graded: list[str]                                      # exercise ids whose cell the student kept
    notes: dict[str, str] = field(default_factory=dict)    # per exercise: "duplicated ..." / "missing ..."
    sources: dict[str, str] = field(default_factory=dict)  # per graded exercise: the student's cell source
    cell_index: dict[str, int] = field(default_factory=dict)  # per graded exercise: its cell in `nb`


def _clean(cell):
    cell = copy.deepcopy(cell)
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    cell["metadata"].pop("papermill", None)
    cell["metadata"].pop(MARK, None)
    return cell


def prepare_submission(master, submission) -> PreparedNotebook:
    """Build the notebook to execute from `submission`, restoring the master's instructor-owned cells.

    Args:
        master, submission: nbformat v4 notebooks (the submission is never executed here).
    """
    ids = exercise_ids(master)
    known = set(ids)
    master_cells = {tag: [c for c in master.cells if tag in _tags(c)] for tag in INSTRUCTOR_TAGS}
    master_check = {_ex_id(c, "check"): c for c in master_cells["check"]}
    master_exercise = {_ex_id(c, "exercise"): c for c in master.cells if _ex_id(c, "exercise")}

    cells, params_at = [], None
    for cell in submission.cells:
        tags = _tags(cell)
        if "parameters" in tags:
            params_at = len(cells) if params_at is None else params_at
            continue
        if "check" in tags or "injected-parameters" in tags or EXPORT_TAG in tags:
            continue
        cells.append(_clean(cell))
    params_at = 0 if params_at is None else params_at
    cells.insert(params_at, _clean(master_cells["parameters"][0]))

    prepared = PreparedNotebook(nb=None, graded=[])
    last_anchor = params_at
    for exercise_id in ids:
        copies = [i for i, c in enumerate(cells) if _ex_id(c, "exercise", known) == exercise_id]
        if copies:
            at = copies[-1]
            if len(copies) > 1:
                prepared.notes[exercise_id] = f"{len(copies)} copies of the exercise cell; the last one was graded"
            cells[at + 1:at + 1] = [_clean(master_check[exercise_id])]
            prepared.graded.append(exercise_id)
            source = cells[at].get("source", "")
            prepared.sources[exercise_id] = "".join(source) if isinstance(source, list) else str(source)
            last_anchor = at + 1
        else:
            prepared.notes[exercise_id] = ("the exercise cell is missing (deleted, or its tags `exercise` and "
                                           f"`{exercise_id}` removed); the master's stub was put back")
            at = _anchor(master, cells, master_exercise[exercise_id], last_anchor)
            stub = _clean(master_exercise[exercise_id])
            stub["source"] = strip_solutions(stub["source"])  # a master with solutions never leaks them
            cells[at + 1:at + 1] = [stub, _clean(master_check[exercise_id])]
            last_anchor = at + 2
    for exercise_id in prepared.graded:  # positions after every insertion
        prepared.cell_index[exercise_id] = max(i for i, c in enumerate(cells)
                                               if _ex_id(c, "exercise", known) == exercise_id)
        cells[prepared.cell_index[exercise_id]].setdefault("metadata", {})[MARK] = exercise_id
    nb = copy.deepcopy(submission)
    nb.cells = cells
    nb.metadata = copy.deepcopy(master.metadata)
    prepared.nb = nb
    return prepared


def _anchor(master, cells, exercise_cell, fallback: int) -> int:
    """Where to put back a deleted exercise cell: after the submission's copy of the master cell before it."""
    index = next(i for i, c in enumerate(master.cells) if c is exercise_cell)
    if index > 0:
        before = master.cells[index - 1].get("source", "")
        for i, cell in enumerate(cells):
            if i >= fallback and cell.get("source", "") == before and before.strip():
                return i
    return min(fallback, len(cells) - 1)
