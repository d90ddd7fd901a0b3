"""Grader defences that need no kernel: the answer process, untrusted data, ids, the gradebook, the output cap.

The answer process runs here without the sandbox (what holds without root); tests/test_grading_attacks.py runs
the same attacks inside the full sandbox.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import sys
import time

import nbformat
import numpy as np
import pytest

from course_lib.grading import answers, cli
from course_lib.grading.answers import (
    RUNNER,
    _Run,
    answer_setup,
    build_cells,
    run_answers,
)
from course_lib.grading.exercise import get_exercise
from course_lib.grading.export import load_npy, read_frame
from course_lib.grading.gradebook import Gradebook, neutralise
from course_lib.grading.grader import SubmissionResult
from course_lib.grading.ids import clean_text, feedback_name, student_id
from course_lib.grading.prepare import prepare_submission
from tests.grading_fixtures import DEEP_NOTS, MASTER, build_master, solved_version

SEED = 31337


def local_runner(payload: bytes) -> _Run:
    """The answer process as the grader starts it, minus the sandbox."""
    env = {"PATH": os.environ.get("PATH", ""), "OMP_NUM_THREADS": "1"}
    return _Run([sys.executable, "-I", "-c", RUNNER.read_text(encoding="utf-8")], env, None, payload)


def answers_for(sources: dict, master=None, timeout_s: float = 20.0) -> dict:
    master = master or build_master()
    exercises = [get_exercise(i) for i in sources]
    return run_answers(build_cells(exercises, sources, SEED, timeout_s), answer_setup(master, exercises),
                       local_runner)


def score(exercise_id, result):
    return get_exercise(exercise_id).score_outputs(result.outputs, SEED, result.errors).points


SOLVED_1 = "def to_unit_range(images):\n    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0"


def test_answer_process_scores_solved_and_blank_answers():
    results = answers_for({"ex-00-1": SOLVED_1, "ex-00-2": 'SNEAKER_CLASS = FASHION_MNIST_CLASSES.index("Sneaker")'})
    assert [r.status for r in results.values()] == ["ok", "ok"]
    assert score("ex-00-1", results["ex-00-1"]) == 1 and score("ex-00-2", results["ex-00-2"]) == 1
    blank = answers_for({"ex-00-1": "def to_unit_range(images):\n    raise NotImplementedError",
                         "ex-00-2": "pass"})
    assert "not attempted" in blank["ex-00-1"].errors[0] and blank["ex-00-2"].status == "missing"


@pytest.mark.parametrize("source, names", [
    ("def to_unit_range(images):\n    return course_lib.grading.get_exercise('ex-00-1').reference(images)",
     ["course_lib.grading.get_exercise"]),
    ("_ = !true\n%time y = 1\ndef to_unit_range(images):\n"
     "    return course_lib.grading.get_exercise('ex-00-1').reference(images)", ["course_lib.grading.get_exercise"]),
    ("lib = __import__('course_' + 'lib.grading', fromlist=['x'])\ndef to_unit_range(images):\n    return images",
     ["course_lib"]),
    ("import importlib\nref = importlib.import_module('course_lib.reference')\ndef to_unit_range(x):\n    return x",
     ["course_lib"]),
])
def test_answer_process_has_no_course_lib(source, names):
    result = answers_for({"ex-00-1": source})["ex-00-1"]
    assert result.library == names and score("ex-00-1", result) == 0


def test_answer_process_never_sees_the_seed_or_the_reference():
    source = ("import sys\nframe, seen = sys._getframe(), ''\nwhile frame:\n"
              "    seen += repr(frame.f_locals)[:10 ** 7]\n    frame = frame.f_back\n"
              f"FOUND = ['{SEED // 10}' + '{SEED % 10}' in seen, '_to_unit' + '_range' in seen,\n"
              "         any(n.startswith('course_lib') for n in sys.modules)]\n"
              "def to_unit_range(images):\n    return FOUND")
    result = answers_for({"ex-00-1": source})["ex-00-1"]
    assert result.outputs and all(output == [False, False, False] for output in result.outputs)


def test_a_hung_or_crashed_answer_costs_only_its_exercise(monkeypatch):
    # the answer process starts in about 2 s here; the 30-s allowance is for graders on crowded machines
    monkeypatch.setattr(answers, "STARTUP_ALLOWANCE_S", 10.0)
    hang = ("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
            "def to_unit_range(images):\n    while True:\n        pass")
    start = time.monotonic()
    results = answers_for({"ex-00-1": hang, "ex-00-2": "SNEAKER_CLASS = 7"}, timeout_s=1)
    assert results["ex-00-1"].status == "absent" and "time limit" in results["ex-00-1"].reason
    assert results["ex-00-2"].status == "ok" and score("ex-00-2", results["ex-00-2"]) == 1
    assert time.monotonic() - start < 60
    crash = answers_for({"ex-00-1": "import os\nos._exit(3)", "ex-00-2": "SNEAKER_CLASS = 7"})
    assert crash["ex-00-1"].status == "absent" and "died" in crash["ex-00-1"].reason
    assert score("ex-00-2", crash["ex-00-2"]) == 1


def test_a_cell_no_parser_can_read_costs_only_its_exercise():
    results = answers_for({"ex-00-1": DEEP_NOTS, "ex-00-2": "SNEAKER_CLASS = 7"})
    assert results["ex-00-1"].status == "missing" and score("ex-00-2", results["ex-00-2"]) == 1


def _npy_claiming(shape) -> bytes:
    header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}".encode()
    header = b"\x93NUMPY\x01\x00" + len(header + b"\n").to_bytes(2, "little") + header + b"\n"
    return header


def test_npy_header_claims_are_checked_before_allocating():
    start = time.monotonic()
    with pytest.raises(ValueError, match="claims"):
        load_npy(_npy_claiming((10 ** 6, 10 ** 6)))
    assert time.monotonic() - start < 1
    buffer = io.BytesIO()
    np.save(buffer, np.arange(6.0).reshape(2, 3))
    assert load_npy(buffer.getvalue()).shape == (2, 3)
    np.save(buffer := io.BytesIO(), np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError):
        load_npy(buffer.getvalue())


def test_a_crafted_line_is_invalid_for_its_exercise_only():
    npy = base64.b64encode(_npy_claiming((10 ** 6, 10 ** 6))).decode()
    frame = {"id": "ex-00-1", "status": "ok", "results": [{"ok": True, "value": {"__npy__": npy}}]}
    assert read_frame(frame, "ex-00-1").status == "invalid"
    assert read_frame({**frame, "id": "ex-00-2"}, "ex-00-1").status == "invalid"
    deep = 1
    for _ in range(30):
        deep = [deep]
    nested = {"id": "ex-00-1", "status": "ok", "results": [{"ok": True, "value": deep}]}
    assert read_frame(nested, "ex-00-1").status == "invalid"


def test_tags_written_oddly_still_find_the_exercise():
    master = build_master()
    sub = solved_version(master)
    cells = [c for c in sub.cells if "exercise" in c.metadata.get("tags", [])]
    cells[0].metadata["tags"] = ["Exercise ", "ex-00-1", "ex-00-1", "ex-99-9"]
    cells[1].metadata["tags"] = "exercise, ex-00-2"
    prepared = prepare_submission(master, sub)
    assert prepared.graded == ["ex-00-1", "ex-00-2"] and not prepared.notes


# ------------------------------------------------------------------------------------------------- bookkeeping
NAMES = [b"a b.ipynb", b"a_b.ipynb", b"a?b.ipynb", b"a\xffb.ipynb", "Zoë.ipynb".encode(), "学生.ipynb".encode(),
         b"x" * 240 + b".ipynb", b"\x1b[31mred\x07.ipynb", b"=cmd.ipynb", b"-rf.ipynb"]


def test_ids_are_unique_bounded_and_safe():
    ids = [student_id(name) for name in NAMES]
    assert len(set(ids)) == len(ids) and len({feedback_name(i) for i in ids}) == len(ids)
    assert student_id(b"alice.ipynb") == "alice" and student_id(b"group/bob.ipynb") == "group/bob"
    for identifier in ids:
        assert len(identifier) <= 80 and identifier.isprintable() and identifier.isascii()
        assert identifier[0] not in "=+-@./" and len(feedback_name(identifier)) <= 90
    assert clean_text("a\x1b[31mb\u202ec\r\nd") == "a [31mb c  d"


def _write_raw(folder, names):
    folder = os.fsencode(str(folder))
    os.makedirs(folder, exist_ok=True)
    for name in names:
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(b"{not a notebook")


def test_any_file_name_gets_one_row_and_one_feedback_file(tmp_path):
    subs = tmp_path / "subs"
    _write_raw(subs, NAMES)
    os.mkfifo(os.path.join(str(subs), "fifo.ipynb"))  # never opened for long: no hang
    os.symlink("/etc/passwd", os.path.join(str(subs), "link.ipynb"))
    out = tmp_path / "gb.csv"
    summary = cli.grade_folder(MASTER, subs, out, progress=False, log=None)
    assert summary["graded"] == len(NAMES)
    text = out.read_text(encoding="utf-8")
    assert not any(ord(ch) < 32 and ch not in "\r\n" or 0x7f <= ord(ch) < 0xa0 for ch in text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(NAMES) and len({r["student"] for r in rows}) == len(NAMES)
    assert {r["status"] for r in rows} == {"unreadable"}
    assert len(list((tmp_path / "gb_feedback").iterdir())) == len(NAMES)
    again = cli.grade_folder(MASTER, subs, out, progress=False, log=None)
    assert again["graded"] == 0  # unchanged and student-caused: skipped


def test_a_crash_in_one_submission_loses_no_other_and_is_regraded(tmp_path, monkeypatch):
    from course_lib.grading import grader

    subs = tmp_path / "subs"
    _write_raw(subs, [b"alice.ipynb", b"bob.ipynb", b"carol.ipynb"])
    real = grader.grade_submission

    def flaky(path, student, setup, hide=()):
        if student == "bob":
            raise RuntimeError("grader bug \x1b[2J")
        return real(path, student, setup, hide)

    monkeypatch.setattr(grader, "grade_submission", flaky)
    out = tmp_path / "gb.csv"
    cli.grade_folder(MASTER, subs, out, progress=False, log=None)
    rows = {r["student"]: r for r in csv.DictReader(open(out, newline="", encoding="utf-8"))}
    assert rows["bob"]["status"] == "grader-error" and "\x1b" not in rows["bob"]["message"]
    assert rows["alice"]["status"] == rows["carol"]["status"] == "unreadable"
    monkeypatch.setattr(grader, "grade_submission", real)
    assert cli.grade_folder(MASTER, subs, out, progress=False, log=None)["graded"] == 1  # bob only


@pytest.mark.parametrize("status, regraded", [("ok", False), ("kernel-died", False), ("failed", True),
                                              ("grader-error", True), ("something-new", True)])
def test_rerun_regrades_what_the_student_did_not_cause(tmp_path, status, regraded):
    book = Gradebook(tmp_path / "gb.csv", ["ex-00-1"])
    book.add(SubmissionResult("s1", "ab" * 32, {"ex-00-1": 0.0}, {"ex-00-1": 1.0}, status), "v")
    book.save()
    assert Gradebook(tmp_path / "gb.csv", ["ex-00-1"]).already_graded("s1", "ab" * 32) is not regraded


def test_csv_cells_carry_no_control_characters():
    assert neutralise("\x1b]0;title\x07=1+1") == " ]0;title =1+1"
    assert neutralise("=1+1") == "'=1+1"


def test_the_output_cap_counts_errors_and_metadata():
    from course_lib.grading.worker import _capped_client_class

    client = object.__new__(_capped_client_class())
    client.output_cap, client.output_seen, client.output_truncated = 10_000, 0, False
    cell = nbformat.v4.new_code_cell("")
    big_error = {"msg_type": "error", "content": {"ename": "E", "evalue": "x", "traceback": ["y" * 20_000]}}
    big_meta = {"msg_type": "display_data", "content": {"data": {"text/plain": "z"}, "metadata": {"m": "w" * 20_000}}}
    for message in (big_error, big_meta):
        assert client.process_message(message, cell, 0) is None
    assert [o.get("name") for o in cell.outputs] == ["stderr"] and client.output_seen > 40_000


def test_reading_a_submission_never_blocks_or_follows_links(tmp_path):
    from course_lib.grading.grader import read_submission

    os.mkfifo(tmp_path / "fifo.ipynb")
    os.symlink(MASTER, tmp_path / "link.ipynb")
    for name in ("fifo.ipynb", "link.ipynb"):
        with pytest.raises(OSError):
            read_submission(tmp_path / name)
    assert read_submission(MASTER) == MASTER.read_bytes()


def test_the_jail_keeps_its_spec_out_of_argv(tmp_path):
    from course_lib.grading.sandbox import Sandbox

    sandbox = Sandbox(workdir=str(tmp_path), runtime_dir=str(tmp_path), hide=["/secret/submissions"],
                      isolation="limits-only")
    command = sandbox.wrap(["python", "-c", "pass"])
    assert not any("/secret" in part for part in command)
    assert "/secret/submissions" in json.loads(sandbox.env({})["COURSE_JAIL_SPEC"])["hide"]
    probe = subprocess.run(sandbox.wrap([sys.executable, "-c", "import os; print('COURSE_JAIL_SPEC' in os.environ)"]),
                           env=sandbox.env({"PATH": os.environ["PATH"]}), capture_output=True, text=True, cwd="/",
                           check=False)
    assert probe.stdout.strip() == "False", probe.stderr
