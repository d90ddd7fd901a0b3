"""The grader under attack, end to end: every attack in tests/grading_fixtures.py (`attack_variants`) is graded in
one run (module fixture, --jobs 2) and must neither score nor harm anything outside its own submission.

Needs root and unshare for the whole sandbox (the grader's "full" isolation): skipped otherwise, because without
root the kernel runs as the grader's user and these defences do not exist (docs/instructors.md says what holds).
About 1-2 minutes on 2 cores.
"""

from __future__ import annotations

import csv
import glob
import os
import secrets
import tempfile
from pathlib import Path

import pytest

from course_lib.grading import cli
from course_lib.grading.sandbox import JOB_UID_BASE, probe_isolation
from tests.grading_fixtures import MASTER, attack_variants

REPO = Path(__file__).resolve().parents[1]
SEED = 987654321
FAST = ["--jobs", "2", "--timeout", "120", "--cell-timeout", "30", "--memory-mb", "1500", "--no-progress",
        "--seed", str(SEED)]

pytestmark = [pytest.mark.notebooks,
              pytest.mark.skipif(probe_isolation() != "full", reason="the full sandbox needs root and unshare")]

# name: (ex-00-1 points, ex-00-2 points, statuses allowed)
ATTACK_EXPECTED = {
    "control": (1, 1, {"ok"}),
    "symlinks_and_fifos": (1, 1, {"ok"}),
    "forges_in_kernel": (0, 0, {"ok", "errors"}),      # the kernel's rebinding, patching and SNEAKER_CLASS = 7
                                                      # count for nothing: only the (blank) exercise cells do
    "leaks": (1, 1, {"ok"}),                          # ex-00-2 is 1 only if nothing leaked into the kernel
    "persists": (1, 1, {"ok"}),
    "thread_flood": (1, 1, {"ok", "errors", "cell-timeout", "kernel-died"}),  # ex-00-2 is 1 only if the job's
                                                      # task limit held; on a loaded machine the flood can also
                                                      # starve its own kernel of threads (its own loss only)
    "fork_memory": (1, 1, {"ok", "errors"}),          # ex-00-2 is 1 only if the job's memory limit held
    "bypass_ordinary_cell": (0, 1, {"ok"}),
    "bypass_ipython_syntax": (0, 1, {"ok"}),
    "bypass_renamed_import": (0, 1, {"ok"}),
    "bypass_unblocked_import": (0, 1, {"ok", "errors"}),
    "crafted_frame": (0, 1, {"ok"}),                  # a .npy header claiming 10^12 values costs ex-00-1 only
    "deep_nots": (0, 1, {"errors"}),                  # a cell no parser can read costs ex-00-1 only
    "malformed_tags": (1, 1, {"ok"}),
}


def _rows(path) -> dict:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _job_segments() -> list[str]:
    """System V shared memory segments of this (the host's) IPC namespace created by a grading job's uid."""
    with open("/proc/sysvipc/shm", encoding="ascii") as handle:
        lines = handle.read().splitlines()[1:]
    return [line for line in lines if int(line.split()[9]) >= JOB_UID_BASE or int(line.split()[9]) == 65534]


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    outside = root / "outside"  # a folder only root may enter, with a file the symlink attack aims at
    outside.mkdir(mode=0o700)
    (outside / "keep.txt").write_text("must survive")
    tag = secrets.token_hex(6)
    submissions, gradebook = root / "submissions", root / "gradebook.csv"
    paths = {"outside": str(outside), "repo": str(REPO), "seed": str(SEED), "tag": tag, "master": str(MASTER),
             "submissions": str(submissions), "gradebook": str(gradebook)}
    submissions.mkdir()
    import nbformat

    for name, nb in attack_variants(paths).items():
        nbformat.write(nb, submissions / f"{name}.ipynb")
    segments_before = _job_segments()
    scratch = root / "scratch"  # the run's own temporary folder: the scratch folders go there
    scratch.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
    try:
        assert cli.main([str(MASTER), str(submissions), "--out", str(gradebook), *FAST]) == 0
    finally:
        tempfile.tempdir = saved
    return {"rows": _rows(gradebook), "feedback": root / "gradebook_feedback", "outside": outside, "tag": tag,
            "segments_before": segments_before, "scratch": scratch}


@pytest.mark.parametrize("name", sorted(ATTACK_EXPECTED))
def test_each_attack_scores_what_the_answer_earns(attacked, name):
    ex1, ex2, statuses = ATTACK_EXPECTED[name]
    row = attacked["rows"][name]
    feedback = (attacked["feedback"] / f"{name}.md").read_text()
    assert row["status"] in statuses, (row, feedback)
    assert (float(row["ex-00-1"]), float(row["ex-00-2"])) == (ex1, ex2), (row, feedback)


def test_bypasses_say_the_answer_used_course_lib(attacked):
    for name in ("bypass_ipython_syntax", "bypass_renamed_import"):
        assert "calls course_lib" in (attacked["feedback"] / f"{name}.md").read_text(), name
    assert "does not define 'to_unit_range'" in (attacked["feedback"] / "bypass_ordinary_cell.md").read_text()
    assert "not valid" in (attacked["feedback"] / "crafted_frame.md").read_text()


def test_root_followed_no_link_and_left_nothing_behind(attacked):
    assert (attacked["outside"] / "keep.txt").read_text() == "must survive"
    assert sorted(p.name for p in attacked["outside"].iterdir()) == ["keep.txt"]
    assert not list(attacked["scratch"].iterdir())  # every scratch folder was removed


def test_nothing_outlived_the_sandbox(attacked):
    tag = attacked["tag"]
    for folder in ["/run/lock", "/var/lock", "/var/tmp", "/dev/shm", "/tmp", "/var/crash"]:
        assert not os.path.exists(os.path.join(folder, f"left-by-student-{tag}")), folder
    assert set(_job_segments()) <= set(attacked["segments_before"])  # none of this run's segments is left


def test_no_job_cgroup_is_left(attacked):
    from course_lib.grading.cgroups import GROUP, ROOT

    left = glob.glob(os.path.join(ROOT, "*", GROUP, "job-*")) + glob.glob(os.path.join(ROOT, GROUP, "job-*"))
    assert not [p for p in left if f"job-{os.getpid()}-" in p]
