"""The grader end to end: every fixture submission gets the right points and status; the grader survives.

One grading run (module fixture, --jobs 2) grades the whole fixture set from tests/grading_fixtures.py against
tests/fixtures/submissions/master.ipynb; each test then reads its row. The whole module takes about 2 min on
2 cores (3-4 min when the machine is busy); the per-cell limit (20 s) dominates through the two looping
submissions.
"""

from __future__ import annotations

import csv
import socket
from pathlib import Path

import pytest

from course_lib.grading import cli
from course_lib.grading.sandbox import probe_isolation
from tests.grading_fixtures import MASTER, write_submissions

REPO = Path(__file__).resolve().parents[1]
# The cell limit must stay above the slowest honest cell (import torch on a busy machine), the notebook
# limit above a whole honest run.
FAST = ["--jobs", "2", "--timeout", "90", "--cell-timeout", "20", "--memory-mb", "3000", "--no-progress"]
FULL_ISOLATION = probe_isolation() == "full"

# name: (ex-00-1 points, ex-00-2 points, statuses allowed)
EXPECTED = {
    "solved": (1, 1, {"ok"}),
    "blank": (0, 0, {"ok"}),
    "partial": (0.5, 1, {"ok"}),
    "syntax_error": (0, 1, {"errors"}),
    "exception": (0, 0, {"errors"}),
    "infinite_loop": (1, 1, {"cell-timeout"}),  # interrupted, the notebook goes on
    "ignores_interrupt": (1, 0, {"timeout"}),  # cannot be interrupted: the run stops there
    "sys_exit": (1, 1, {"errors"}),
    "os_exit": (1, 0, {"kernel-died"}),
    "kernel_crash": (1, 0, {"kernel-died"}),
    "memory_hog": (1, 1, {"errors"}),
    "huge_output": (1, 1, {"ok"}),
    "patches_grading": (0, 0, {"ok", "errors"}),
    "tampers_after_export": (1, 1, {"ok"}),   # exports leave the kernel's reach as soon as their cell ends
    "snoops": (1, 0 if FULL_ISOLATION else None, {"ok"}),
    "writes_outside": (1, 1, {"ok"}),
    "uses_network": (1, 0 if FULL_ISOLATION else None, {"ok"}),
    "duplicated_deleted": (0, 0, {"ok"}),
    "calls_library": (0, 1, {"ok"}),
    "not_a_notebook": (0, 0, {"unreadable"}),
}


def _rows(path) -> dict:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    outside = root / "outside"
    outside.mkdir()
    repo_build = REPO / "build" / "grading-escape-test"
    repo_build.mkdir(parents=True, exist_ok=True)
    for leftover in repo_build.glob("*"):
        leftover.unlink()
    submissions, gradebook = root / "submissions", root / "gradebook.csv"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    paths = {"master": str(MASTER), "submissions": str(submissions), "gradebook": str(gradebook),
             "outside": str(outside), "repo_build": str(repo_build), "port": server.getsockname()[1]}
    written = write_submissions(submissions, paths)
    try:
        assert cli.main([str(MASTER), str(submissions), "--out", str(gradebook), "--framework", "torch",
                         *FAST]) == 0
    finally:
        server.close()
    return {"rows": _rows(gradebook), "gradebook": gradebook, "submissions": submissions, "written": written,
            "outside": outside, "repo_build": repo_build, "feedback": root / "gradebook_feedback"}


@pytest.mark.notebooks
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_gets_its_points_and_status(graded, name):
    ex1, ex2, statuses = EXPECTED[name]
    row = graded["rows"][name]
    feedback = (graded["feedback"] / f"{name}.md").read_text()
    assert row["status"] in statuses, (row, feedback)
    assert float(row["ex-00-1"]) == ex1, (row, feedback)
    if ex2 is not None:
        assert float(row["ex-00-2"]) == ex2, (row, feedback)
    assert float(row["total"]) == float(row["ex-00-1"]) + float(row["ex-00-2"])
    assert row["max"] == "2" and len(row["sha256"]) == 64 and row["grader_version"] and row["timestamp"]


@pytest.mark.notebooks
def test_gradebook_is_complete_and_feedback_explains(graded):
    rows = graded["rows"]
    assert set(rows) == set(graded["written"])
    with open(graded["gradebook"], newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["student", "sha256", "ex-00-1", "ex-00-2"]
    assert {"total", "max", "status", "grader_version", "timestamp"} <= set(header)
    text = (graded["feedback"] / "blank.md").read_text()
    assert "not attempted" in text and "0 / 2" in text
    text = (graded["feedback"] / "exception.md").read_text()
    assert "RuntimeError: bad scaling" in text and "does not define" in text
    assert "2 copies of the exercise cell" in (graded["feedback"] / "duplicated_deleted.md").read_text()
    assert "exercise cell is missing" in (graded["feedback"] / "duplicated_deleted.md").read_text()
    assert "calls course_lib (course_lib.grading.get_exercise)" in (graded["feedback"] / "calls_library.md").read_text()
    assert "timed out" in (graded["feedback"] / "ignores_interrupt.md").read_text() or \
        "per-cell limit" in (graded["feedback"] / "ignores_interrupt.md").read_text()


@pytest.mark.notebooks
@pytest.mark.skipif(not FULL_ISOLATION, reason="file isolation needs root and unshare (limits-only sandbox here)")
def test_nothing_escaped_the_sandbox(graded):
    assert not (graded["outside"] / "escaped.txt").exists()
    assert not (graded["repo_build"] / "escaped.txt").exists()
    assert not Path("/tmp/escaped.txt").exists()


@pytest.mark.notebooks
def test_rerun_skips_unchanged_and_regrades_changed(graded, capsys):
    before = graded["rows"]
    blank = graded["written"]["blank"]
    solved = graded["written"]["solved"].read_bytes()
    blank.write_bytes(solved)  # the student resubmits: a new sha256
    summary = cli.grade_folder(MASTER, graded["submissions"], graded["gradebook"], jobs=1, progress=False,
                               setup_kwargs=_setup_kwargs(), log=None)
    assert summary["graded"] == 1 and summary["skipped"] == len(before) - 1
    after = _rows(graded["gradebook"])
    assert after["blank"]["total"] == "2" and after["blank"]["sha256"] != before["blank"]["sha256"]
    assert {k: v for k, v in after.items() if k != "blank"} == {k: v for k, v in before.items() if k != "blank"}


def _setup_kwargs(framework="torch"):
    from course_lib.grading.sandbox import Limits

    return {"framework": framework, "limits": Limits(notebook_timeout_s=120, cell_timeout_s=60, memory_mb=6144)}


@pytest.mark.notebooks
def test_solved_submission_gets_full_marks_in_tensorflow(tmp_path):
    pytest.importorskip("tensorflow")
    written = write_submissions(tmp_path / "subs", {k: "/nonexistent" for k in
                                                    ("master", "submissions", "gradebook", "outside", "repo_build")},
                                names={"solved"})
    assert list(written) == ["solved"]
    out = tmp_path / "gb.csv"
    assert cli.main([str(MASTER), str(tmp_path / "subs"), "--out", str(out), "--framework", "tf",
                     "--timeout", "90", "--no-progress"]) == 0
    row = _rows(out)["solved"]
    assert (row["status"], row["total"]) == ("ok", "2"), row
