"""Grader parts that need no kernel: preparing submissions, reading exports, the gradebook, the release step."""

from __future__ import annotations

import csv
import json
import os

import nbformat
import numpy as np
import pytest

from course_lib.grading import cli
from course_lib.grading.export import export_answer, read_export
from course_lib.grading.gradebook import Gradebook, neutralise
from course_lib.grading.grader import SubmissionResult
from course_lib.grading.prepare import EXPORT_TAG, prepare_submission
from course_lib.grading.release import release_notebook, solved_source, strip_solutions
from tests.grading_fixtures import MASTER, build_master, solved_version, student_version

SOURCES = {"ex-00-1": "EXPORT ex-00-1", "ex-00-2": "EXPORT ex-00-2"}


def _tags(cell):
    return cell.metadata.get("tags", [])


def test_committed_master_matches_the_fixture_builder():
    committed = nbformat.read(MASTER, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in build_master().cells]


def test_prepare_restores_instructor_cells_and_places_exports_by_tag():
    master = build_master()
    sub = solved_version(master)
    params = next(c for c in sub.cells if "parameters" in _tags(c))
    params.source = 'FRAMEWORK = "jax"  # changed by the student'
    check = next(c for c in sub.cells if "check" in _tags(c))
    check.source = "print('correct!')"
    sub.cells.insert(0, nbformat.v4.new_markdown_cell("a note the student added on top"))  # positions shift
    sub.cells.append(nbformat.v4.new_code_cell("print('cell with outputs')"))
    sub.cells[-1].outputs = [nbformat.v4.new_output("stream", text="old output")]
    prepared = prepare_submission(master, sub, SOURCES)
    cells = prepared.nb.cells
    assert prepared.graded == ["ex-00-1", "ex-00-2"] and not prepared.notes
    assert [c.source for c in cells if "parameters" in _tags(c)] == [next(
        c.source for c in master.cells if "parameters" in _tags(c))]
    for exercise_id in ("ex-00-1", "ex-00-2"):
        at = next(i for i, c in enumerate(cells) if "exercise" in _tags(c) and exercise_id in _tags(c))
        assert cells[at + 1].source == SOURCES[exercise_id] and EXPORT_TAG in _tags(cells[at + 1])
        master_check = next(c for c in master.cells if "check" in _tags(c) and exercise_id in _tags(c))
        assert cells[at + 2].source == master_check.source  # the check cell comes after the export
    assert all(c.get("outputs", []) == [] for c in cells)


def test_prepare_grades_the_last_duplicate_and_restores_a_deleted_stub_without_solution():
    master = build_master()
    sub = student_version(master)
    first = next(i for i, c in enumerate(sub.cells) if "ex-00-1" in _tags(c) and "exercise" in _tags(c))
    sub.cells.insert(first + 1, nbformat.v4.new_code_cell("def to_unit_range(x):\n    return x",
                                                          metadata={"tags": ["exercise", "ex-00-1"]}))
    sub.cells = [c for c in sub.cells if not ("ex-00-2" in _tags(c))]  # exercise and check cells deleted
    prepared = prepare_submission(master, sub, SOURCES)
    cells = prepared.nb.cells
    assert prepared.graded == ["ex-00-1"]
    assert "2 copies" in prepared.notes["ex-00-1"] and "missing" in prepared.notes["ex-00-2"]
    export_at = next(i for i, c in enumerate(cells) if c.source == SOURCES["ex-00-1"])
    assert cells[export_at - 1].source.endswith("return x")  # the last copy is graded
    restored = next(c for c in cells if "exercise" in _tags(c) and "ex-00-2" in _tags(c))
    assert "BEGIN SOLUTION" not in restored.source and ".index(" not in restored.source
    assert any("check" in _tags(c) and "ex-00-2" in _tags(c) for c in cells)


def test_master_without_tags_is_refused():
    master = build_master()
    for cell in master.cells:
        cell.metadata.pop("tags", None)
    with pytest.raises(ValueError, match="check cell|parameters"):
        prepare_submission(master, master, {})
    master = build_master()
    master.cells = [c for c in master.cells if "parameters" not in _tags(c)]
    with pytest.raises(ValueError, match="parameters"):
        prepare_submission(master, master, SOURCES)


def _export(tmp_path, namespace, nonce="n0nce", exercise_id="ex-00-1"):
    export_answer(exercise_id, namespace, 7, str(tmp_path / "export"), nonce)
    return read_export(str(tmp_path / "export"), exercise_id, nonce)


def test_export_round_trip_scores_in_the_grader(tmp_path):
    import torch

    from course_lib.grading.exercise import get_exercise

    exercise = get_exercise("ex-00-1")
    # a torch tensor answer: exported as .npy, scored here with the reference's expected values
    namespace = {"to_unit_range": lambda x: torch.as_tensor(x).float() / 127.5 - 1}
    result = _export(tmp_path, namespace)
    assert result.status == "ok" and all(isinstance(o, np.ndarray) for o in result.outputs)
    assert exercise.score_outputs(result.outputs, 7, result.errors).points == 1
    assert exercise.score_outputs(result.outputs, 8, result.errors).points == 0  # other hidden inputs


def test_export_reports_missing_and_failing_answers(tmp_path):
    assert _export(tmp_path / "a", {}).status == "missing"
    failing = _export(tmp_path / "b", {"to_unit_range": lambda x: 1 / 0})
    assert failing.status == "ok" and all("ZeroDivisionError" in e for e in failing.errors)
    value = _export(tmp_path / "c", {"SNEAKER_CLASS": np.int64(7)}, exercise_id="ex-00-2")
    assert value.outputs == [7] and type(value.outputs[0]) is int


def test_export_reader_rejects_forgeries(tmp_path):
    good = _export(tmp_path, {"to_unit_range": lambda x: x / 127.5 - 1})
    assert good.status == "ok"
    assert read_export(str(tmp_path / "export"), "ex-00-1", "another-nonce").status == "invalid"
    assert read_export(str(tmp_path / "nowhere"), "ex-00-1", "n0nce").status == "absent"
    folder = tmp_path / "export" / "ex-00-1"
    # a pickled object array in place of an output
    np.save(folder / "out_0.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert read_export(str(tmp_path / "export"), "ex-00-1", "n0nce").status == "invalid"
    # a manifest that is a symlink to a file the student wants the grader to read
    manifest = folder / "manifest.json"
    (tmp_path / "elsewhere.json").write_text(manifest.read_text())
    manifest.unlink()
    os.symlink(tmp_path / "elsewhere.json", manifest)
    assert read_export(str(tmp_path / "export"), "ex-00-1", "n0nce").status == "invalid"
    # a file name that walks out of the folder
    manifest.unlink()
    manifest.write_text(json.dumps({"format": 1, "nonce": "n0nce", "exercise": "ex-00-1", "status": "ok",
                                    "results": [{"ok": True, "value": {"__npy__": "../../x.npy"}}]}))
    assert read_export(str(tmp_path / "export"), "ex-00-1", "n0nce").status == "invalid"


def test_strip_solutions_function_value_and_errors():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    assert strip_solutions(source) == "def f(x):\n    raise NotImplementedError"
    value = "### BEGIN SOLUTION\nK = 7\n### STUB: K = None  # your answer\n### END SOLUTION"
    assert strip_solutions(value) == "K = None  # your answer"
    assert solved_source(value) == "K = 7"
    with pytest.raises(ValueError, match="never closed"):
        strip_solutions("### BEGIN SOLUTION\nx = 1")
    with pytest.raises(ValueError, match="without"):
        strip_solutions("x = 1\n### END SOLUTION")


def test_release_command_writes_a_student_version(tmp_path, capsys):
    out = tmp_path / "student" / "00_start_here.ipynb"
    assert cli.main(["release", str(MASTER), str(out)]) == 0
    student = nbformat.read(out, as_version=4)
    text = nbformat.writes(student)
    assert "BEGIN SOLUTION" not in text and "STUB" not in text and "127.5" not in text
    assert "raise NotImplementedError" in text and "SNEAKER_CLASS = None" in text
    assert [c.metadata.get("tags") for c in student.cells] == [c.metadata.get("tags") for c in
                                                              nbformat.read(MASTER, as_version=4).cells]
    assert release_notebook(MASTER, tmp_path / "again.ipynb") == 2


def test_gradebook_neutralises_formulas_and_writes_atomically(tmp_path):
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and neutralise("@SUM(A1)")[0] == "'"
    assert neutralise("-1+1") == "'-1+1" and neutralise("alice") == "alice"
    book = Gradebook(tmp_path / "gb.csv", ["ex-00-1"])
    result = SubmissionResult("=cmd|' /C calc'!A0", "ab" * 32, {"ex-00-1": 1.0}, {"ex-00-1": 1.0}, "ok",
                              "+danger\nnew line", {}, 1.0, "2026-01-01T00:00:00Z")
    book.add(result, "v1")
    book.save()
    assert not list(tmp_path.glob("*.tmp"))
    with open(tmp_path / "gb.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["student"].startswith("'=") and rows[0]["message"].startswith("'+")
    assert Gradebook(tmp_path / "gb.csv", ["ex-00-1"]).already_graded(result.student, "ab" * 32)


def _result(student, points=1.0):
    return SubmissionResult(student, "cd" * 32, {"ex-00-1": points}, {"ex-00-1": 1.0}, "ok", "", {}, 1.0,
                            "2026-01-01T00:00:00Z")


def _save_students(path, names):
    book = Gradebook(path, ["ex-00-1"])
    for name in names:
        book.add(_result(name), "v1")
        book.save()


def test_two_graders_on_one_gradebook_keep_each_others_rows(tmp_path):
    path = tmp_path / "gb.csv"
    first, second = Gradebook(path, ["ex-00-1"]), Gradebook(path, ["ex-00-1"])  # both read an empty book
    first.add(_result("alice"), "v1"), first.save()
    second.add(_result("bob"), "v1"), second.save()  # used to write its stale copy over alice's row
    first.add(_result("alice", points=0.5), "v1"), first.save()  # a regrade replaces alice's row, keeps bob's
    rows = {row["student"]: row for row in csv.DictReader(open(path, newline=""))}
    assert sorted(rows) == ["alice", "bob"] and rows["alice"]["ex-00-1"] == "0.5"


def test_concurrent_grader_processes_lose_no_rows(tmp_path):
    import multiprocessing

    path = tmp_path / "gb.csv"
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as two grader commands would be
    workers = [context.Process(target=_save_students, args=(path, [f"s{w}_{i}" for i in range(15)]))
               for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    rows = list(csv.DictReader(open(path, newline="")))
    assert len(rows) == 45 and len({row["student"] for row in rows}) == 45
    assert not list(tmp_path.glob("*.tmp"))


def test_cli_explains_bad_arguments(tmp_path, capsys):
    assert cli.main([str(tmp_path / "none.ipynb"), str(tmp_path), "--out", str(tmp_path / "g.csv")]) == 2
    assert "master notebook" in capsys.readouterr().err
    assert cli.main(["release", "only-one"]) == 2
