"""Grader parts that need no kernel: preparing submissions, reading exports, the gradebook, the release step."""

from __future__ import annotations

import csv

import nbformat
import pytest

from course_lib.grading import cli
from course_lib.grading.gradebook import Gradebook, neutralise
from course_lib.grading.grader import SubmissionResult
from course_lib.grading.prepare import EXPORT_TAG, MARK, prepare_submission
from course_lib.grading.release import release_notebook, solved_source, strip_solutions
from tests.grading_fixtures import MASTER, build_master, solved_version, student_version


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
    prepared = prepare_submission(master, sub)
    cells = prepared.nb.cells
    assert prepared.graded == ["ex-00-1", "ex-00-2"] and not prepared.notes
    assert [c.source for c in cells if "parameters" in _tags(c)] == [next(
        c.source for c in master.cells if "parameters" in _tags(c))]
    for exercise_id in ("ex-00-1", "ex-00-2"):
        at = next(i for i, c in enumerate(cells) if "exercise" in _tags(c) and exercise_id in _tags(c))
        assert at == prepared.cell_index[exercise_id] and cells[at].metadata[MARK] == exercise_id
        master_check = next(c for c in master.cells if "check" in _tags(c) and exercise_id in _tags(c))
        assert cells[at + 1].source == master_check.source  # the check cell follows the exercise
    # no grader cell: the kernel never sees the seed or anything that counts
    assert not [c for c in cells if EXPORT_TAG in _tags(c)] and "export_answer" not in nbformat.writes(prepared.nb)
    assert all(c.get("outputs", []) == [] for c in cells)


def test_prepare_grades_the_last_duplicate_and_restores_a_deleted_stub_without_solution():
    master = build_master()
    sub = student_version(master)
    first = next(i for i, c in enumerate(sub.cells) if "ex-00-1" in _tags(c) and "exercise" in _tags(c))
    sub.cells.insert(first + 1, nbformat.v4.new_code_cell("def to_unit_range(x):\n    return x",
                                                          metadata={"tags": ["exercise", "ex-00-1"]}))
    sub.cells = [c for c in sub.cells if "ex-00-2" not in _tags(c)]  # exercise and check cells deleted
    prepared = prepare_submission(master, sub)
    cells = prepared.nb.cells
    assert prepared.graded == ["ex-00-1"]
    assert "2 copies" in prepared.notes["ex-00-1"] and "missing" in prepared.notes["ex-00-2"]
    assert cells[prepared.cell_index["ex-00-1"]].source.endswith("return x")  # the last copy is graded
    assert prepared.sources["ex-00-1"].endswith("return x")
    restored = next(c for c in cells if "exercise" in _tags(c) and "ex-00-2" in _tags(c))
    assert "BEGIN SOLUTION" not in restored.source and ".index(" not in restored.source
    assert any("check" in _tags(c) and "ex-00-2" in _tags(c) for c in cells)


def test_master_without_tags_is_refused():
    master = build_master()
    for cell in master.cells:
        cell.metadata.pop("tags", None)
    with pytest.raises(ValueError, match="check cell|parameters"):
        prepare_submission(master, master)
    master = build_master()
    master.cells = [c for c in master.cells if "parameters" not in _tags(c)]
    with pytest.raises(ValueError, match="parameters"):
        prepare_submission(master, master)


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
